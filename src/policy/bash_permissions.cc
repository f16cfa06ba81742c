// Bash checks: every simple command the parser finds is checked. A deny on
// any part denies the whole; there is no count above which checks stop.
// A command may run without asking only when EVERY part is either covered by
// an allow rule (and is not an argument-injection form) or provably read-only.
#include <fnmatch.h>

#include "policy/arg_injection.h"
#include "policy/path_glob.h"
#include "policy/permission_rules.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::policy::detail {
namespace {

struct BashPattern {
  std::vector<std::string> words;
  bool prefix = false;
  bool wildcard = false;
  std::string glob;
};

BashPattern compile(const std::string& pattern) {
  BashPattern bp;
  std::string p = pattern;
  if (str::ends_with(p, ":*")) {
    bp.prefix = true;
    p = p.substr(0, p.size() - 2);
  } else if (str::ends_with(p, " *")) {
    bp.prefix = true;
    p = p.substr(0, p.size() - 2);
  }
  p = std::string(str::trim(p));
  if (p.find('*') != std::string::npos) {
    bp.wildcard = true;
    bp.glob = p + (bp.prefix ? "*" : "");
    return bp;
  }
  auto parsed = parse_shell(p);
  if (parsed.ok() && !parsed->commands.empty()) {
    for (auto& w : parsed->commands[0].words) bp.words.push_back(w.value);
  } else {
    for (auto& w : str::split(p, ' '))
      if (!w.empty()) bp.words.push_back(w);
  }
  return bp;
}

std::string base_name(const std::string& s) {
  size_t slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

// An exact rule (`Bash(npm test)`) names one whole command; prefix,
// wildcard and whole-tool rules do not cover argument-injection forms.
bool is_exact_rule(const Rule& r) {
  if (r.pattern.empty()) return false;
  BashPattern bp = compile(r.pattern);
  return !bp.prefix && !bp.wildcard;
}

std::string quote_cmd(const SimpleCommand& c) { return "`" + command_text(c) + "`"; }

bool is_path_rule_tool(const std::string& tool) {
  return tool == "Read" || tool == "Edit" || tool == "Write" || tool == "MultiEdit";
}

// Deny reason for a path a command reads or writes, or "".
std::string path_denial(const PermissionEngine& e, const std::string& path, bool write,
                        const PermissionQuery& q, const SimpleCommand& c) {
  if (auto why = builtin_protection(path, write, q.workspace)) return *why + " (in " + quote_cmd(c) + ")";
  for (auto& r : e.rules()) {
    if (r.decision != Decision::kDeny || r.pattern.empty() || !is_path_rule_tool(r.tool)) continue;
    if (r.tool != "Read" && !write) continue;  // Edit rules cover writes; Read rules cover both
    if (path_rule_matches(r, path, q.workspace))
      return "denied by " + describe_rule(r) + ": " + quote_cmd(c) + (write ? " writes " : " reads ") + path;
  }
  return "";
}

}  // namespace

Match match_bash_rule(const Rule& rule, const SimpleCommand& cmd) {
  if (cmd.words.empty()) return Match::kNo;
  if (rule.pattern.empty()) return Match::kYes;
  const bool deny = rule.decision == Decision::kDeny;
  BashPattern bp = compile(rule.pattern);
  if (bp.wildcard) {
    for (auto& w : cmd.words)
      if (!w.is_literal()) return Match::kPossible;
    std::vector<std::string> vals;
    for (auto& w : cmd.words) vals.push_back(w.value);
    return ::fnmatch(bp.glob.c_str(), str::join(vals, " ").c_str(), 0) == 0 ? Match::kYes : Match::kNo;
  }
  const size_t n = bp.words.size();
  for (size_t i = 0; i < n; ++i) {
    if (i >= cmd.words.size()) return Match::kNo;
    const ShellWord& w = cmd.words[i];
    const std::string& pw = bp.words[i];
    if (!w.is_literal()) {
      // Unknown at parse time: it (and, after word splitting, what follows)
      // could be anything starting with its literal prefix.
      std::string lp(w.literal_prefix());
      if (str::starts_with(pw, lp) || (i == 0 && lp.find('/') != std::string::npos)) return Match::kPossible;
      return Match::kNo;
    }
    std::string v = w.value;
    if (i == 0 && deny && pw.find('/') == std::string::npos) v = base_name(v);
    if (v != pw) return Match::kNo;
  }
  if (!bp.prefix && cmd.words.size() != n) {
    for (size_t i = n; i < cmd.words.size(); ++i)
      if (cmd.words[i].is_literal()) return Match::kNo;
    return Match::kPossible;  // extra words that may expand to nothing
  }
  return Match::kYes;
}

Verdict check_bash(const PermissionEngine& e, const PermissionQuery& q) {
  const PermissionMode mode = e.mode();
  auto parsed = parse_shell(q.command);
  if (!parsed.ok()) {
    bool can_ask = mode == PermissionMode::kDefault || mode == PermissionMode::kAcceptEdits;
    return {can_ask ? Decision::kAsk : Decision::kDeny,
            parsed.error().message + "; a command Bastion cannot parse is never run without approval"};
  }
  const auto& cmds = parsed->commands;
  const std::string cwd = q.workspace.empty() ? std::string("/") : q.workspace;

  // 1. Deny: rules on every simple command, and the paths they touch.
  for (auto& c : cmds) {
    for (auto& r : e.rules()) {
      if (r.decision != Decision::kDeny || !rule_names_tool(r, q)) continue;
      Match m = match_bash_rule(r, c);
      if (m == Match::kYes)
        return {Decision::kDeny, "denied by " + describe_rule(r) + ": the command contains " + quote_cmd(c)};
      if (m == Match::kPossible)
        return {Decision::kDeny, "denied by " + describe_rule(r) + ": " + quote_cmd(c) +
                                     " is computed at run time and could be the denied command; write it "
                                     "out literally if it is not"};
    }
    for (auto& op : file_operands(c))
      if (auto why = path_denial(e, resolve_operand(op, cwd), false, q, c); !why.empty())
        return {Decision::kDeny, why};
    for (auto& rd : c.redirects) {
      if (!rd.target.is_literal() || !(rd.writes_file() || rd.reads_file())) continue;
      std::string p = resolve_operand(rd.target.value, cwd);
      if (auto why = path_denial(e, p, rd.writes_file(), q, c); !why.empty()) return {Decision::kDeny, why};
    }
  }
  if (mode == PermissionMode::kBypass) return {Decision::kAllow, "bypassPermissions mode"};

  // 2. Which parts are provably read-only (and stay inside the workspace).
  std::vector<std::string> not_ro(cmds.size());
  for (size_t k = 0; k < cmds.size(); ++k) {
    const auto& c = cmds[k];
    std::string why;
    if (!is_read_only_command(c, &why)) {
      not_ro[k] = why.empty() ? "it is not read-only" : why;
      continue;
    }
    for (auto& op : file_operands(c)) {
      std::string p = resolve_operand(op, cwd);
      if (!within_roots(p, q)) {
        not_ro[k] = "it reads " + p + ", outside the workspace";
        break;
      }
    }
    for (auto& rd : c.redirects)
      if (rd.reads_file() && (!rd.target.is_literal() || !within_roots(resolve_operand(rd.target.value, cwd), q)))
        not_ro[k] = "it reads " + rd.target.value + ", outside the workspace";
  }
  if (mode == PermissionMode::kPlan) {
    for (size_t k = 0; k < cmds.size(); ++k)
      if (!not_ro[k].empty())
        return {Decision::kDeny, "plan mode: read-only; " + quote_cmd(cmds[k]) + " is not allowed because " +
                                     not_ro[k]};
  }

  // 3. Ask rules (a managed allow for the same part overrides a lower ask).
  auto find_allow = [&](const SimpleCommand& c, bool managed) -> const Rule* {
    for (auto& r : e.rules())
      if (r.decision == Decision::kAllow && (r.layer == RuleLayer::kManaged) == managed &&
          rule_names_tool(r, q) && match_bash_rule(r, c) == Match::kYes)
        return &r;
    return nullptr;
  };
  for (auto& c : cmds)
    for (auto& r : e.rules()) {
      if (r.decision != Decision::kAsk || !rule_names_tool(r, q) || match_bash_rule(r, c) != Match::kYes) continue;
      if (r.layer != RuleLayer::kManaged && find_allow(c, true)) continue;
      return {Decision::kAsk, quote_cmd(c) + " needs approval under " + describe_rule(r)};
    }

  // 4. Allow: every part by a rule or as read-only.
  std::string allowed_by;
  for (size_t k = 0; k < cmds.size(); ++k) {
    const auto& c = cmds[k];
    if (c.wrapper == WrapperKind::kTransparent) continue;  // its wrapped command is checked
    if (c.words.empty() && not_ro[k].empty()) continue;    // assignment or read redirect
    const Rule* r = find_allow(c, true);
    if (!r) r = find_allow(c, false);
    if (r && !is_exact_rule(*r)) {
      std::string inj = injection_reason(c);
      if (!inj.empty())
        return {Decision::kAsk, quote_cmd(c) + " needs approval: " + inj + " (prefix rule " + describe_rule(*r) +
                                    " does not cover argument-injection forms)"};
    }
    if (r) {
      for (auto& rd : c.redirects)
        if (rd.writes_file() &&
            (!rd.target.is_literal() || !within_roots(resolve_operand(rd.target.value, cwd), q)))
          return {Decision::kAsk, quote_cmd(c) + " writes " + rd.target.value +
                                      " outside the workspace and needs approval"};
      if (allowed_by.empty()) allowed_by = describe_rule(*r);
      continue;
    }
    if (!not_ro[k].empty())
      return {Decision::kAsk, quote_cmd(c) + " needs approval: " + not_ro[k] + ", and no allow rule covers it"};
  }
  return {Decision::kAllow, allowed_by.empty() ? "read-only command" : "allowed by " + allowed_by};
}

}  // namespace bastion::policy::detail
