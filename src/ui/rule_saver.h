// "Always allow, and save it": appends an allow rule (e.g. "Bash(npm test)")
// to a settings file's permissions.allow list, creating the file when
// missing and keeping every other key as it was.
#pragma once

#include <string>

#include "tools/tool.h"
#include "util/result.h"

namespace bastion::ui {

// The rule an approval of this call would save: "Bash(<command>)" for
// commands, "Edit"/"Read" for file tools, else the tool's own name.
std::string rule_for_call(const tools::Tool& tool, const tools::CallSubject& subject);

// Adds `rule` to settings_path's {"permissions":{"allow":[...]}} (no
// duplicate). A malformed file is a kConfig error and is left untouched.
Status save_allow_rule(const std::string& settings_path, const std::string& rule);

}  // namespace bastion::ui
