// Unified diffs (`diff -u` style, 3 lines of context) between two texts, for
// showing what write/edit changed. Line-based LCS after trimming the common
// head and tail; very large rewrites degrade to one replace hunk.
#pragma once

#include <string>
#include <string_view>

namespace bastion::tools {

struct DiffStats {
  size_t added = 0;
  size_t removed = 0;
};

// Returns "" when the texts are equal. `path` names both sides (a/ and b/).
std::string unified_diff(std::string_view before, std::string_view after, std::string_view path,
                         DiffStats* stats = nullptr);

}  // namespace bastion::tools
