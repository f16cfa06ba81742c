// Glob matching with git's wildmatch semantics: `*`, `?`, `[...]` classes
// (ranges, `!`/`^` negation, `[:alpha:]` names), `\` escapes, and in path
// mode `**` spanning directories when it stands between slashes. The
// gitignore matcher and the glob tool both use it, so a pattern means the
// same thing in `.gitignore` and in `glob`.
#pragma once

#include <string_view>

namespace bastion::index {

// `path_mode`: `*`, `?` and classes never match '/', and `**` bounded by
// slashes (or the pattern's ends) matches across directories.
bool glob_match(std::string_view pattern, std::string_view text, bool path_mode = true);

// True when the pattern has no glob metacharacter (`*?[\`).
bool glob_is_literal(std::string_view pattern);

// Length of the leading part with no metacharacter.
size_t glob_literal_prefix(std::string_view pattern);

}  // namespace bastion::index
