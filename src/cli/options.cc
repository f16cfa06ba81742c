#include "cli/options.h"

#include <cstdlib>

namespace bastion::cli {

std::vector<std::string> split_rule_list(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) --depth;
    if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n')) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string agent_flags_help() {
  return "agent flags:\n"
         "  -p, --print [PROMPT]          run headless until a final answer (PROMPT or stdin)\n"
         "  --output-format FMT           text | json | stream-json (headless)\n"
         "  --max-turns N                 stop after N model requests\n"
         "  --model NAME                  model to use\n"
         "  --base-url URL                OpenAI-compatible base URL (…/v1) or Anthropic base\n"
         "  --provider NAME               config provider name, or openai | anthropic\n"
         "  --fallback-model NAME         model to use when the primary keeps failing\n"
         "  --system-prompt TEXT          replace the base system prompt\n"
         "  --append-system-prompt TEXT   append to the system prompt\n"
         "  --add-dir DIR                 another directory the agent may work in (repeatable)\n"
         "  -w, --cwd DIR                 workspace directory (default: current directory)\n"
         "  --permission-mode MODE        default | acceptEdits | plan | bypassPermissions\n"
         "  --dangerously-skip-permissions  same as --permission-mode bypassPermissions\n"
         "  --allowed-tools RULES         e.g. \"Bash(git status:*) Edit(src/**)\"\n"
         "  --disallowed-tools RULES      deny rules, same syntax\n"
         "  -c, --continue                resume the latest session in this directory\n"
         "  -r, --resume ID               resume a given session\n"
         "  --sandbox MODE                auto | landlock | bwrap | off\n"
         "  --max-budget-tokens N         stop the run after N tokens (exit 3)\n"
         "  --max-budget-usd X            stop the run after X USD (exit 3)\n"
         "  --compact-threshold F         compact at this fraction of the context window\n"
         "  --verbose                     more detail on stderr\n";
}

Result<AgentOptions> parse_agent_options(const std::vector<std::string>& args) {
  AgentOptions o;
  size_t i = 0;
  auto bad = [](const std::string& msg) {
    return make_error(ErrorKind::kBadInput, msg + " (see `bastion --help-flags`)");
  };
  auto need_value = [&](const std::string& flag, std::string* out) -> Status {
    // Accept --flag=value and --flag value.
    if (i + 1 >= args.size()) return bad("flag " + flag + " needs a value");
    *out = args[++i];
    return ok_status();
  };
  std::vector<std::string> positional;
  for (; i < args.size(); ++i) {
    std::string a = args[i];
    std::string inline_value;
    bool has_inline = false;
    if (a.rfind("--", 0) == 0) {
      auto eq = a.find('=');
      if (eq != std::string::npos) {
        inline_value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_inline = true;
      }
    }
    auto value = [&](std::string* out) -> Status {
      if (has_inline) {
        *out = inline_value;
        return ok_status();
      }
      return need_value(a, out);
    };
    auto int_value = [&](int64_t* out) -> Status {
      std::string v;
      Status st = value(&v);
      if (!st.ok()) return st;
      char* end = nullptr;
      long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 0) return bad("flag " + a + " needs a non-negative integer, got '" + v + "'");
      *out = n;
      return ok_status();
    };
    auto double_value = [&](double* out) -> Status {
      std::string v;
      Status st = value(&v);
      if (!st.ok()) return st;
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || d < 0) return bad("flag " + a + " needs a non-negative number, got '" + v + "'");
      *out = d;
      return ok_status();
    };
    Status st = ok_status();
    if (a == "-p" || a == "--print") {
      o.headless = true;
      if (has_inline) {
        o.prompt = inline_value;
      } else if (i + 1 < args.size() && (args[i + 1].empty() || args[i + 1][0] != '-' || args[i + 1] == "-")) {
        o.prompt = args[++i];
      }
    } else if (a == "--output-format") {
      st = value(&o.output_format);
      if (st.ok() && o.output_format != "text" && o.output_format != "json" && o.output_format != "stream-json")
        return bad("--output-format must be text, json or stream-json, got '" + o.output_format + "'");
    } else if (a == "--max-turns") {
      int64_t n = 0;
      st = int_value(&n);
      o.max_turns = static_cast<int>(n);
    } else if (a == "--model" || a == "-m") {
      st = value(&o.model);
    } else if (a == "--base-url") {
      st = value(&o.base_url);
    } else if (a == "--provider") {
      st = value(&o.provider);
    } else if (a == "--fallback-model") {
      st = value(&o.fallback_model);
    } else if (a == "--system-prompt") {
      st = value(&o.system_prompt);
    } else if (a == "--append-system-prompt") {
      st = value(&o.append_system_prompt);
    } else if (a == "--add-dir") {
      std::string d;
      st = value(&d);
      o.add_dirs.push_back(d);
    } else if (a == "-w" || a == "--cwd") {
      st = value(&o.cwd);
    } else if (a == "--permission-mode") {
      st = value(&o.permission_mode);
    } else if (a == "--dangerously-skip-permissions") {
      o.permission_mode = "bypassPermissions";
    } else if (a == "--allowed-tools" || a == "--allowedTools") {
      std::string v;
      st = value(&v);
      for (auto& r : split_rule_list(v)) o.allowed_tools.push_back(r);
    } else if (a == "--disallowed-tools" || a == "--disallowedTools") {
      std::string v;
      st = value(&v);
      for (auto& r : split_rule_list(v)) o.disallowed_tools.push_back(r);
    } else if (a == "-c" || a == "--continue") {
      o.continue_latest = true;
    } else if (a == "-r" || a == "--resume") {
      st = value(&o.resume_id);
    } else if (a == "--sandbox") {
      st = value(&o.sandbox);
    } else if (a == "--max-budget-tokens") {
      st = int_value(&o.max_budget_tokens);
    } else if (a == "--max-budget-usd") {
      st = double_value(&o.max_budget_usd);
    } else if (a == "--compact-threshold") {
      st = double_value(&o.compact_threshold);
      if (st.ok() && (o.compact_threshold <= 0 || o.compact_threshold > 1))
        return bad("--compact-threshold must be in (0, 1], e.g. 0.8");
    } else if (a == "--verbose") {
      o.verbose = true;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return bad("unknown flag '" + a + "'");
    } else {
      positional.push_back(a);
    }
    if (!st.ok()) return st.error();
  }
  if (!positional.empty()) {
    std::string joined;
    for (auto& p : positional) joined += (joined.empty() ? "" : " ") + p;
    if (o.prompt && !o.prompt->empty()) return bad("unexpected argument '" + positional[0] + "'");
    o.prompt = joined;
  }
  return o;
}

}  // namespace bastion::cli
