// Builds the system prompt: a short, stable instruction block, the
// environment (workspace, platform, date, git), and the project's AGENTS.md
// rules. It is the cacheable prefix of every request, so it must not change
// within a session; every word costs tokens on every request.
#pragma once

#include <string>
#include <vector>

namespace bastion::agent {

struct PromptInputs {
  std::string workspace;
  std::vector<std::string> extra_roots;
  std::string replace_system_prompt;  // --system-prompt: replaces the base block
  std::string append_system_prompt;   // --append-system-prompt
  std::string agents_md;              // concatenated AGENTS.md rules
  std::string date;                   // YYYY-MM-DD
  bool is_git_repo = false;
};

std::string build_system_prompt(const PromptInputs& inputs);

// AGENTS.md files: ~/.config/bastion/AGENTS.md, then every AGENTS.md from the
// git root (or the filesystem root when outside git) down to `workspace`.
// Returns them concatenated with a header naming each file.
std::string load_agents_md(const std::string& workspace);

}  // namespace bastion::agent
