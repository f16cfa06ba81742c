// Command-line flags for the agent (`bastion [flags]`, `bastion -p ...`),
// parsed by hand: no option library on the start-up path.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace bastion::cli {

struct AgentOptions {
  std::optional<std::string> prompt;  // -p/--print; "" means read stdin
  bool headless = false;
  std::string output_format = "text";  // text | json | stream-json
  int max_turns = 0;
  std::string model, base_url, provider, fallback_model;
  std::string system_prompt, append_system_prompt;
  std::vector<std::string> add_dirs;
  std::string cwd;
  std::string permission_mode;  // "" = config/default
  std::vector<std::string> allowed_tools, disallowed_tools;
  bool continue_latest = false;
  std::string resume_id;
  std::string sandbox;  // "" = config/auto
  int64_t max_budget_tokens = 0;
  double max_budget_usd = 0;
  double compact_threshold = 0;  // 0 = config/default
  bool verbose = false;
};

// Parses argv (argv[0] excluded). Unknown flags are kBadInput errors that
// name the flag and suggest --help.
Result<AgentOptions> parse_agent_options(const std::vector<std::string>& args);

// Splits a rule list as Claude Code does: commas or spaces separate rules,
// but not inside parentheses ("Bash(git log:*) Edit" -> 2 rules).
std::vector<std::string> split_rule_list(const std::string& text);

std::string agent_flags_help();

}  // namespace bastion::cli
