// Internal to the permission engine: rule matching shared by the path-tool
// checks (permissions.cc) and the Bash checks (bash_permissions.cc), plus
// the built-in protections that hold in every mode, bypass included.
#pragma once

#include <optional>
#include <string>

#include "policy/permissions.h"
#include "policy/shell_parser.h"

namespace bastion::policy::detail {

using Rule = PermissionEngine::Rule;

const char* layer_name(RuleLayer layer);
// "`Bash(rm:*)` (deny rule, project settings)"
std::string describe_rule(const Rule& rule);

// True when `rule.tool` names the queried tool: the same name, `Edit`
// (and Write/MultiEdit/NotebookEdit) for edit tools, `Read` for read-only
// tools, `mcp__server` for all of that server's tools.
bool rule_names_tool(const Rule& rule, const PermissionQuery& q);

// Whether a path rule's pattern matches a resolved path.
bool path_rule_matches(const Rule& rule, const std::string& path, const std::string& workspace);

enum class Match { kNo, kPossible, kYes };
// Matches a Bash rule against one simple command. kPossible: a word the
// pattern depends on is computed at run time (`$(echo rm)`, `r*`), so the
// command might be the one the rule names.
Match match_bash_rule(const Rule& rule, const SimpleCommand& cmd);

// A built-in protection covering `path` (resolved), or nullopt: credential
// stores (no reads, no writes) and .git/hooks, .git/config, Bastion's config
// directory and key store (no writes).
std::optional<std::string> builtin_protection(const std::string& path, bool write,
                                              const std::string& workspace);

// The resolved home directory.
const std::string& resolved_home();

// Resolves a path operand (`~/x`, `./x`, `/x`) the way the shell would,
// relative to `cwd`.
std::string resolve_operand(const std::string& word, const std::string& cwd);

bool within_roots(const std::string& path, const PermissionQuery& q);

Verdict check_bash(const PermissionEngine& engine, const PermissionQuery& q);

}  // namespace bastion::policy::detail
