#include "index/gitignore.h"

#include "index/glob_match.h"

namespace bastion::index {
namespace {

// Drops trailing unescaped spaces (only ' ', as git does; "\ " keeps one).
// A trailing lone backslash leaves the line untouched.
std::string trim_trailing_spaces(std::string_view line) {
  size_t last_space = std::string_view::npos;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ') {
      if (last_space == std::string_view::npos) last_space = i;
      continue;
    }
    if (c == '\\') {
      ++i;
      if (i >= line.size()) return std::string(line);
    }
    last_space = std::string_view::npos;
  }
  return std::string(line.substr(0, last_space));
}

}  // namespace

bool parse_ignore_line(std::string_view line, IgnorePattern* out) {
  if (line.empty() || line[0] == '#') return false;
  std::string text = trim_trailing_spaces(line);
  IgnorePattern p;
  std::string_view s = text;
  if (!s.empty() && s[0] == '!') {
    p.negated = true;
    s.remove_prefix(1);
  }
  if (!s.empty() && s.back() == '/') {
    p.dir_only = true;
    s.remove_suffix(1);
  }
  p.basename_only = s.find('/') == std::string_view::npos;
  p.literal_len = glob_literal_prefix(s);
  if (!p.basename_only && !s.empty() && s[0] == '/') {
    s.remove_prefix(1);
    if (p.literal_len > 0) --p.literal_len;
  }
  p.text = std::string(s);
  *out = std::move(p);
  return true;
}

IgnoreFile IgnoreFile::parse(std::string_view content, std::string base) {
  IgnoreFile f;
  f.base_ = std::move(base);
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  size_t pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    // A CR before the line end is dropped (git strips it on every line).
    size_t end = nl == std::string_view::npos ? content.size() : nl;
    std::string_view line = content.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    IgnorePattern p;
    if (parse_ignore_line(line, &p)) f.patterns_.push_back(std::move(p));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return f;
}

bool IgnoreFile::matches(const IgnorePattern& p, std::string_view path,
                         std::string_view basename) const {
  if (p.basename_only) {
    if (p.literal_len == p.text.size()) return basename == p.text;
    return glob_match(p.text, basename, /*path_mode=*/false);
  }
  // Anchored: relative to this file's directory.
  std::string_view name = path;
  if (!base_.empty()) {
    if (path.size() < base_.size() + 1 || path[base_.size()] != '/' ||
        path.substr(0, base_.size()) != base_)
      return false;
    name = path.substr(base_.size() + 1);
  }
  std::string_view pat = p.text;
  size_t lit = p.literal_len;
  if (lit > 0) {
    // git compares the literal head, then matches the rest on its own (so a
    // `**` right after the literal counts as leading).
    if (lit > name.size() || name.substr(0, lit) != pat.substr(0, lit)) return false;
    pat.remove_prefix(lit);
    name.remove_prefix(lit);
    if (pat.empty() && name.empty()) return true;
  }
  return glob_match(pat, name, /*path_mode=*/true);
}

IgnoreMatch IgnoreFile::match(std::string_view path, bool is_dir) const {
  size_t slash = path.rfind('/');
  std::string_view basename = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    if (matches(*it, path, basename))
      return it->negated ? IgnoreMatch::kIncluded : IgnoreMatch::kIgnored;
  }
  return IgnoreMatch::kNone;
}

}  // namespace bastion::index
