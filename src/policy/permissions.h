// The permission engine: the one place that decides whether a tool call may
// run without asking, must be asked about, or is denied.
//
// Rules use Claude Code's syntax: `Bash(git status:*)` (command prefix),
// `Bash(npm test)` (exact), `Edit(src/**)` (gitignore-style glob on the
// resolved path), `Read(~/.ssh/**)`, or a bare tool name (`Bash`, `Edit`).
// Layers: managed (org, cannot be overridden) > CLI > project > user. Deny
// wins over ask, ask over allow, in every layer. Modes set the default for
// calls no rule matches.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace bastion::policy {

enum class PermissionMode { kDefault, kAcceptEdits, kPlan, kBypass };
Result<PermissionMode> parse_permission_mode(const std::string& text);
const char* permission_mode_name(PermissionMode mode);

enum class Decision { kAllow, kAsk, kDeny };
const char* decision_name(Decision d);

enum class RuleLayer { kUser, kProject, kCli, kManaged };

// One call, as the engine sees it.
struct PermissionQuery {
  std::string rule_name;            // "Bash", "Edit", "Read", "TodoWrite", ...
  bool is_read_only = false;        // Read-category tools
  bool is_edit = false;             // Edit-category tools
  bool is_execute = false;          // Bash
  std::string command;              // for Bash
  std::vector<std::string> paths;   // resolved absolute paths
  std::string workspace;            // resolved workspace root
  std::vector<std::string> extra_roots;
};

struct Verdict {
  Decision decision = Decision::kAsk;
  std::string reason;  // names the rule or mode that decided, for the model/user
};

class PermissionEngine {
 public:
  PermissionEngine() = default;
  void set_mode(PermissionMode mode) { mode_ = mode; }
  PermissionMode mode() const { return mode_; }

  // Adds rules like "Bash(git status:*)". A malformed rule is a kBadInput error.
  Status add_rule(RuleLayer layer, Decision decision, const std::string& rule);
  // Session-scoped "always allow" from an interactive approval.
  void allow_for_session(const std::string& rule) { (void)add_rule(RuleLayer::kCli, Decision::kAllow, rule); }

  Verdict check(const PermissionQuery& query) const;

  struct Rule {
    RuleLayer layer;
    Decision decision;
    std::string tool;     // "Bash", "Edit", ...
    std::string pattern;  // inside the parentheses; empty = whole tool
    std::string text;     // original text
  };
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  PermissionMode mode_ = PermissionMode::kDefault;
  std::vector<Rule> rules_;
};

}  // namespace bastion::policy
