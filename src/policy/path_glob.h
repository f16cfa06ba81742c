// Gitignore-style globs for path permission rules (`Edit(src/**)`,
// `Read(~/.ssh/**)`, `Read(//etc/**)`, `Read(.env)`).
//
// Rules are resolved once to absolute, symlink-free patterns so they can be
// matched against the resolved real paths the caller passes in: a symlink in
// the workspace pointing at ~/.ssh/id_rsa is matched as ~/.ssh/id_rsa
// (CVE-2026-25724 checked the literal path instead).
#pragma once

#include <string>
#include <vector>

namespace bastion::policy {

// One rule pattern, resolved. A pattern without a slash (`*.env`, `.env`)
// matches at any depth below its base, as in .gitignore.
struct PathPattern {
  std::vector<std::string> alternatives;  // absolute glob patterns; any may match
};

// Resolves a rule's pattern text against the workspace and home:
//   `//abs/x`  -> /abs/x          `~/x` -> $HOME/x (symlinks in $HOME resolved)
//   `/x`       -> <workspace>/x   (Claude Code: relative to the project); when
//                 `also_absolute` (deny rules) it ALSO matches /x, the safe reading
//   `./x`, `x/y` -> <workspace>/x  `name` (no slash) -> <workspace>/**/name
// A trailing `/` means "this directory and everything under it".
PathPattern resolve_path_pattern(const std::string& pattern, const std::string& workspace,
                                 const std::string& home, bool also_absolute);

// True when `path` (absolute, resolved) or any of its ancestors matches one
// of the alternatives, so `Read(~/.ssh)` also covers ~/.ssh/id_rsa.
bool path_pattern_matches(const PathPattern& pattern, const std::string& path);

// Glob match of one absolute path against one absolute pattern: `*` and `?`
// stay inside a segment, `[...]` is a class, `**` spans any number of
// segments (including none).
bool glob_match_path(const std::string& pattern, const std::string& path);

}  // namespace bastion::policy
