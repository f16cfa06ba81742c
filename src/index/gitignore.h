// gitignore patterns, parsed and matched exactly as git does: comments and
// blank lines, `\#`/`\!`/`\ ` escapes, trailing-space trimming, CRLF, a UTF-8
// BOM, `!` negation, anchoring (a '/' anywhere but the end), directory-only
// patterns (trailing '/'), basename patterns, and wildmatch globs with `**`.
// The walker stacks one IgnoreFile per directory; the deepest file that has
// a matching pattern decides, and within a file the last matching line wins.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bastion::index {

struct IgnorePattern {
  std::string text;      // the glob, without '!', trailing '/' or (for matching) leading '/'
  size_t literal_len = 0;  // leading part with no glob metacharacter
  bool negated = false;
  bool dir_only = false;
  bool basename_only = false;  // no '/' in the pattern: match the last component
};

enum class IgnoreMatch { kNone, kIgnored, kIncluded };

class IgnoreFile {
 public:
  IgnoreFile() = default;
  // `base` is the directory holding the file, relative to the repository
  // root with no trailing slash ("" for the root or for global files).
  static IgnoreFile parse(std::string_view content, std::string base);

  // `path` is relative to the repository root, without trailing slash.
  IgnoreMatch match(std::string_view path, bool is_dir) const;

  bool empty() const { return patterns_.empty(); }
  const std::vector<IgnorePattern>& patterns() const { return patterns_; }
  const std::string& base() const { return base_; }

 private:
  bool matches(const IgnorePattern& p, std::string_view path, std::string_view basename) const;
  std::string base_;
  std::vector<IgnorePattern> patterns_;
};

// Parses one line; returns false for blank lines and comments.
bool parse_ignore_line(std::string_view line, IgnorePattern* out);

}  // namespace bastion::index
