// `@path` mentions in a prompt: the files they name are attached to the
// message the model gets (the transcript still shows what the user typed),
// so "fix @src/app.cc" works without a read round trip. Only regular text
// files inside the workspace that the permission rules let the agent read
// are attached, each up to a size cap; the rest are reported, not attached.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "policy/permissions.h"

namespace bastion::ui {

struct MentionExpansion {
  std::string prompt;                 // the prompt plus <file> blocks
  std::vector<std::string> attached;  // workspace-relative paths
  std::vector<std::string> skipped;   // "path: why" for mentions not attached
};

// Tokens "@x" at the start or after whitespace name files relative to
// `workspace` (trailing .,;:!?) are ignored). Mentions that name nothing on
// disk are left alone silently (e-mail addresses, decorators, handles).
MentionExpansion expand_mentions(const std::string& prompt, const std::string& workspace,
                                 const policy::PermissionEngine& permissions, size_t max_bytes = 100 * 1024);

}  // namespace bastion::ui
