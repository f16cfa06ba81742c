// Which shell commands are provably read-only, and which argument forms turn
// a "safe" command into code execution or a write.
//
// `git -c core.pager=sh`, `git show --output=FILE`, `rg --pre=CMD`,
// `find -exec`, `fd -x`, `go test -exec`, `sed 's/x/y/e'`, `awk 'BEGIN{system(…)}'`,
// `xargs`, `env CMD`, `sort -o`: each has been used to get an auto-approved
// command to run something else (REFERENCE.md §4). The permission engine
// never auto-approves these forms, not even under a matching prefix allow
// rule such as `Bash(git:*)`.
#pragma once

#include <string>
#include <vector>

#include "policy/shell_parser.h"

namespace bastion::policy {

// Non-empty when the command uses a known argument-injection form; the text
// says which, for the model ("`rg --pre` runs an arbitrary preprocessor").
// Wrappers that always run another command (xargs, env CMD, sudo, bash -c,
// find -exec, fd -x) are reported here too.
std::string injection_reason(const SimpleCommand& cmd);

// True when the command only reads (the built-in read-only list: ls, cat,
// grep, rg, find, git status/diff/log/show…), with no injection form, no
// output redirection to a file, no assignment prefix and no computed words
// where they could turn into flags. `why_not` says why not otherwise.
bool is_read_only_command(const SimpleCommand& cmd, std::string* why_not);

// The literal words of a command that name files it reads (operands, not
// option values or patterns), for checking them against the workspace and
// deny rules. Excludes commands that do not touch files (echo, printf…).
std::vector<std::string> file_operands(const SimpleCommand& cmd);

// Safe subset of sed scripts: only s///, p, d, q, = and line addresses,
// with no `e`/`w`/`r` commands or flags. Exposed for tests.
bool sed_script_is_safe(const std::string& script);

}  // namespace bastion::policy
