// The permission engine: modes, rules, layers, and the checks for tools that
// act on paths. Bash commands are checked in bash_permissions.cc.
#include "policy/permissions.h"

#include <fnmatch.h>

#include "policy/path_glob.h"
#include "policy/sandbox.h"
#include "policy/permission_rules.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::policy {

Result<PermissionMode> parse_permission_mode(const std::string& text) {
  std::string t = str::to_lower(std::string(str::trim(text)));
  t = str::replace_all(t, "_", "");
  t = str::replace_all(t, "-", "");
  if (t == "default" || t == "ask" || t == "normal") return PermissionMode::kDefault;
  if (t == "acceptedits" || t == "autoedit" || t == "autoedits") return PermissionMode::kAcceptEdits;
  if (t == "plan" || t == "readonly") return PermissionMode::kPlan;
  if (t == "bypasspermissions" || t == "bypass" || t == "dangerouslyskippermissions" || t == "yolo")
    return PermissionMode::kBypass;
  return make_error(ErrorKind::kBadInput,
                    "unknown permission mode '" + text +
                        "' (expected default, acceptEdits, plan or bypassPermissions)");
}

const char* permission_mode_name(PermissionMode mode) {
  switch (mode) {
    case PermissionMode::kDefault: return "default";
    case PermissionMode::kAcceptEdits: return "acceptEdits";
    case PermissionMode::kPlan: return "plan";
    case PermissionMode::kBypass: return "bypassPermissions";
  }
  return "default";
}

const char* decision_name(Decision d) {
  switch (d) {
    case Decision::kAllow: return "allow";
    case Decision::kAsk: return "ask";
    case Decision::kDeny: return "deny";
  }
  return "ask";
}

Status PermissionEngine::add_rule(RuleLayer layer, Decision decision, const std::string& text) {
  std::string t(str::trim(text));
  Rule r;
  r.layer = layer;
  r.decision = decision;
  r.text = t;
  size_t open = t.find('(');
  std::string tool = std::string(str::trim(open == std::string::npos ? t : t.substr(0, open)));
  if (tool.empty())
    return make_error(ErrorKind::kBadInput, "permission rule '" + text + "' has no tool name");
  for (char c : tool)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '*' || c == '.'))
      return make_error(ErrorKind::kBadInput, "permission rule '" + text + "': bad tool name '" + tool + "'");
  if (open != std::string::npos) {
    if (t.back() != ')')
      return make_error(ErrorKind::kBadInput, "permission rule '" + text + "' is missing its closing ')'");
    r.pattern = std::string(str::trim(t.substr(open + 1, t.size() - open - 2)));
    if (r.pattern.empty())
      return make_error(ErrorKind::kBadInput, "permission rule '" + text + "' has an empty pattern; write '" +
                                                  tool + "' to mean the whole tool");
    if (r.pattern == "*" || r.pattern == ":*") r.pattern.clear();
  }
  r.tool = tool;
  rules_.push_back(std::move(r));
  return ok_status();
}

namespace {

using detail::Rule;

struct Found {
  const Rule* rule = nullptr;
  std::string detail;
};

// The first rule of `decision` (restricted to `managed_only` if set) that
// applies to the query. For allow rules every path must match; for ask and
// deny one matching path is enough.
Found find_rule(const std::vector<Rule>& rules, const PermissionQuery& q, Decision decision, int layer_filter) {
  for (auto& r : rules) {
    if (r.decision != decision) continue;
    if (layer_filter == 1 && r.layer != RuleLayer::kManaged) continue;
    if (layer_filter == 2 && r.layer == RuleLayer::kManaged) continue;
    if (!detail::rule_names_tool(r, q)) continue;
    if (r.pattern.empty()) return {&r, ""};
    if (q.paths.empty()) continue;
    bool all = true, any = false;
    std::string hit;
    for (auto& p : q.paths) {
      if (detail::path_rule_matches(r, p, q.workspace)) {
        any = true;
        if (hit.empty()) hit = p;
      } else {
        all = false;
      }
    }
    if (decision == Decision::kAllow ? all : any) return {&r, hit};
  }
  return {};
}

}  // namespace

Verdict PermissionEngine::check(const PermissionQuery& q) const {
  if (q.is_execute && q.rule_name == "Bash") return detail::check_bash(*this, q);

  // 1. Deny: built-in protections, then deny rules from any layer.
  const bool writes = q.is_edit || !q.is_read_only;
  for (auto& p : q.paths)
    if (auto why = detail::builtin_protection(p, writes, q.workspace))
      return {Decision::kDeny, *why};
  if (auto f = find_rule(rules_, q, Decision::kDeny, 0); f.rule)
    return {Decision::kDeny, "denied by " + detail::describe_rule(*f.rule) +
                                 (f.detail.empty() ? "" : " for " + f.detail)};
  // 2. Modes that decide before allow/ask rules.
  if (mode_ == PermissionMode::kPlan && (q.is_edit || q.is_execute))
    return {Decision::kDeny, "plan mode: read-only; " + q.rule_name +
                                 " is not available until the user leaves plan mode"};
  if (mode_ == PermissionMode::kBypass) return {Decision::kAllow, "bypassPermissions mode"};
  // 3. Managed ask/allow cannot be overridden; then ask beats allow.
  if (auto f = find_rule(rules_, q, Decision::kAsk, 1); f.rule)
    return {Decision::kAsk, "needs approval under " + detail::describe_rule(*f.rule)};
  if (auto f = find_rule(rules_, q, Decision::kAllow, 1); f.rule)
    return {Decision::kAllow, "allowed by " + detail::describe_rule(*f.rule)};
  if (auto f = find_rule(rules_, q, Decision::kAsk, 2); f.rule)
    return {Decision::kAsk, "needs approval under " + detail::describe_rule(*f.rule)};
  if (auto f = find_rule(rules_, q, Decision::kAllow, 2); f.rule)
    return {Decision::kAllow, "allowed by " + detail::describe_rule(*f.rule)};
  // 4. Mode defaults.
  std::string outside;
  for (auto& p : q.paths)
    if (!detail::within_roots(p, q)) {
      outside = p;
      break;
    }
  if (q.is_read_only && !q.is_edit) {
    if (outside.empty()) return {Decision::kAllow, "read-only access inside the workspace"};
    return {Decision::kAsk, q.rule_name + " of " + outside +
                                " is outside the workspace and needs approval (no allow rule covers it)"};
  }
  if (q.is_edit) {
    if (mode_ == PermissionMode::kAcceptEdits && outside.empty())
      return {Decision::kAllow, "acceptEdits mode: edit inside the workspace"};
    if (!outside.empty())
      return {Decision::kAsk, q.rule_name + " of " + outside + " is outside the workspace and needs approval"};
    return {Decision::kAsk, std::string(permission_mode_name(mode_)) +
                                " mode: file edits need approval (no allow rule covers " + q.rule_name + ")"};
  }
  return {Decision::kAsk, q.rule_name + " is not known to be read-only and no allow rule covers it"};
}

namespace detail {

const char* layer_name(RuleLayer layer) {
  switch (layer) {
    case RuleLayer::kUser: return "user settings";
    case RuleLayer::kProject: return "project settings";
    case RuleLayer::kCli: return "command line/session";
    case RuleLayer::kManaged: return "managed settings (set by your organisation)";
  }
  return "settings";
}

std::string describe_rule(const Rule& rule) {
  return "`" + rule.text + "` (" + decision_name(rule.decision) + " rule, " + layer_name(rule.layer) + ")";
}

bool rule_names_tool(const Rule& rule, const PermissionQuery& q) {
  const std::string& t = rule.tool;
  if (t == q.rule_name || t == "*") return true;
  if (q.is_edit && (t == "Edit" || t == "Write" || t == "MultiEdit" || t == "NotebookEdit")) return true;
  if (q.is_read_only && !q.is_edit && !q.is_execute && t == "Read") return true;
  if (str::starts_with(t, "mcp__") && str::starts_with(q.rule_name, t + "__")) return true;
  if (t.find('*') != std::string::npos) return ::fnmatch(t.c_str(), q.rule_name.c_str(), 0) == 0;
  return false;
}

bool path_rule_matches(const Rule& rule, const std::string& path, const std::string& workspace) {
  PathPattern pat = resolve_path_pattern(rule.pattern, workspace, resolved_home(), rule.decision == Decision::kDeny);
  return path_pattern_matches(pat, path);
}

const std::string& resolved_home() {
  thread_local std::string home;
  home = fs::resolve_real(fs::home_dir(), "/");
  return home;
}

std::string resolve_operand(const std::string& word, const std::string& cwd) {
  if (word == "~" || str::starts_with(word, "~/")) return fs::resolve_real(resolved_home() + word.substr(1), "/");
  return fs::resolve_real(word, cwd.empty() ? "/" : cwd);
}

bool within_roots(const std::string& path, const PermissionQuery& q) {
  if (!q.workspace.empty() && fs::is_within(path, q.workspace)) return true;
  for (auto& r : q.extra_roots)
    if (fs::is_within(path, r)) return true;
  return false;
}

std::optional<std::string> builtin_protection(const std::string& path, bool write, const std::string& workspace) {
  const std::string home = resolved_home();
  for (const char* s : kCredentialStores) {
    std::string p = fs::resolve_real(home + "/" + s, "/");
    if (fs::is_within(path, p))
      return "built-in protection: " + path + " is in a credential store (~/" + s +
             "); Bastion never reads or writes it, in any permission mode";
  }
  for (const char* k : {"/keys", "/audit-anchors/key"}) {
    std::string keys = fs::resolve_real(fs::data_dir() + k, "/");
    if (fs::is_within(path, keys))
      return "built-in protection: " + path + " is one of Bastion's keys; it is never readable by tools";
  }
  if (!write) return std::nullopt;
  for (const std::string& dir : {fs::config_dir(), fs::data_dir(), fs::state_dir()}) {
    std::string own = fs::resolve_real(dir, "/");
    if (fs::is_within(path, own))
      return "built-in protection: " + path +
             " is Bastion's own configuration, trust store or audit trail; tools may not change it";
  }
  std::vector<std::string> gits;
  if (!workspace.empty()) {
    gits.push_back(workspace + "/.git");
    std::string root = fs::find_git_root(workspace);
    if (!root.empty()) gits.push_back(fs::resolve_real(root, "/") + "/.git");
  }
  auto in_submodule_git_dir = [&](const std::string& git) {
    if (!fs::is_within(path, git + "/modules")) return false;
    std::string rel = path.substr(git.size());
    return rel.find("/hooks/") != std::string::npos || str::ends_with(rel, "/hooks") || str::ends_with(rel, "/config");
  };
  for (auto& git : gits)
    if (fs::is_within(path, git + "/hooks") || path == git + "/config" || in_submodule_git_dir(git))
      return "built-in protection: " + path +
             " could make git run code (.git/hooks, .git/config); tools may not write it";
  return std::nullopt;
}

}  // namespace detail
}  // namespace bastion::policy
