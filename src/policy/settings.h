// Loads permission rules from settings files in Claude Code's format
// (`{"permissions": {"allow": [...], "ask": [...], "deny": [...],
// "defaultMode": "...", "additionalDirectories": [...]}}`) into the engine.
//
// Sources, lowest to highest: user `~/.config/bastion/settings.json`, the
// project's `.claude/settings.json` and `.bastion/settings.json` (only when
// the repository is trusted: a cloned repo must not grant itself
// permissions), and the org-managed file `/etc/bastion/managed-settings.json`
// (path overridable by $BASTION_MANAGED_SETTINGS for tests), whose rules no
// lower layer can override. `settings.local.json` sits beside each project
// file. Precedence: managed > CLI > project > user; deny wins everywhere.
//
// A repository file is filtered through policy::filter_repo_settings: before
// trust only its deny and ask rules apply (it may make things stricter);
// after trust it still cannot pick the permission mode or widen the sandbox
// (additionalDirectories), because only the user's own settings may loosen.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/permissions.h"
#include "util/result.h"

namespace bastion::policy {

struct PermissionSettings {
  std::optional<PermissionMode> default_mode;     // highest layer that sets one
  std::string mode_source;                        // "user settings /path" etc., for messages
  std::optional<PermissionMode> managed_mode;     // the org's defaultMode: beats even flags
  std::vector<std::string> additional_dirs;       // resolved, from trusted layers
  bool bypass_disabled = false;                   // managed "disableBypassPermissionsMode": "disable"
  std::vector<std::string> loaded_files;          // for `bastion doctor`
  std::vector<std::string> notes;                 // e.g. "ignored untrusted .bastion/settings.json"
};

std::string managed_settings_path();
std::string user_settings_path();

// Adds one file's rules to `engine` at `layer`. A missing file is fine
// (returns false in *found); unreadable or malformed JSON, or a value of the
// wrong type, is a kConfig error naming the file and the problem. Unknown
// keys inside "permissions" (typos that would drop rules) become notes.
// `project_trusted` only matters for RuleLayer::kProject.
Status load_settings_file(const std::string& path, RuleLayer layer, PermissionEngine* engine,
                          PermissionSettings* out, bool* found, bool project_trusted = false);

// Loads every layer. `project_trusted` comes from policy::is_trusted.
Result<PermissionSettings> load_permission_settings(PermissionEngine* engine, const std::string& workspace,
                                                    bool project_trusted);

// The mode a run uses: managed defaultMode (cannot be overridden) > the
// --permission-mode flag > settings defaultMode > config.toml > default.
// bypassPermissions while the org disabled it is a kPermission error naming
// where the bypass came from. Bad mode names are errors too.
Result<PermissionMode> effective_permission_mode(const std::string& flag_mode, const PermissionSettings& settings,
                                                 const std::string& config_mode);

}  // namespace bastion::policy
