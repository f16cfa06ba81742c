#include "policy/path_glob.h"

#include <fnmatch.h>

#include "util/fs.h"
#include "util/strings.h"

namespace bastion::policy {
namespace {

bool has_glob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  for (auto& s : str::split(path, '/'))
    if (!s.empty()) out.push_back(s);
  return out;
}

// Resolves the literal (glob-free) leading segments of an absolute pattern
// through symlinks, keeps the glob tail as written.
std::string resolve_pattern_prefix(const std::string& abs_pattern) {
  auto segs = segments(abs_pattern);
  std::string prefix = "/";
  size_t i = 0;
  for (; i < segs.size() && !has_glob(segs[i]); ++i) {
    if (segs[i] == "..") return fs::resolve_real(abs_pattern, "/");  // rare; resolve whole
    prefix += (prefix == "/" ? "" : "/") + segs[i];
  }
  std::string out = fs::resolve_real(prefix, "/");
  for (; i < segs.size(); ++i) out += (out == "/" ? "" : "/") + segs[i];
  return out;
}

}  // namespace

PathPattern resolve_path_pattern(const std::string& raw, const std::string& workspace,
                                 const std::string& home, bool also_absolute) {
  PathPattern out;
  std::string p = raw;
  bool dir_only = p.size() > 1 && p.back() == '/';
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (dir_only) p += "/**";
  std::vector<std::string> abs;
  if (str::starts_with(p, "//")) {
    abs.push_back(p.substr(1));
  } else if (p == "~" || str::starts_with(p, "~/")) {
    abs.push_back(home + p.substr(1));
  } else if (str::starts_with(p, "/")) {
    abs.push_back(workspace + p);
    if (also_absolute) abs.push_back(p);
  } else if (str::starts_with(p, "./")) {
    abs.push_back(workspace + p.substr(1));
  } else if (p.find('/') == std::string::npos || (dir_only && p.find('/') == p.size() - 3)) {
    // No slash: matches that name at any depth below the workspace.
    abs.push_back(workspace + "/**/" + p);
  } else {
    abs.push_back(workspace + "/" + p);
  }
  for (auto& a : abs) out.alternatives.push_back(resolve_pattern_prefix(fs::absolute(a, "/")));
  return out;
}

bool glob_match_path(const std::string& pattern, const std::string& path) {
  auto ps = segments(pattern);
  auto xs = segments(path);
  // dp[i][j]: pattern segments [i..) match path segments [j..).
  const size_t n = ps.size(), m = xs.size();
  std::vector<std::vector<char>> dp(n + 1, std::vector<char>(m + 1, 0));
  dp[n][m] = 1;
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m + 1; j-- > 0;) {
      if (ps[i] == "**") {
        dp[i][j] = dp[i + 1][j] || (j < m && dp[i][j + 1]);
      } else if (j < m) {
        dp[i][j] = dp[i + 1][j + 1] && ::fnmatch(ps[i].c_str(), xs[j].c_str(), 0) == 0;
      }
    }
  }
  return dp[0][0];
}

bool path_pattern_matches(const PathPattern& pattern, const std::string& path) {
  std::string cur = path;
  while (true) {
    for (auto& alt : pattern.alternatives)
      if (glob_match_path(alt, cur)) return true;
    if (cur == "/" || cur.empty()) return false;
    size_t slash = cur.rfind('/');
    cur = slash == 0 ? "/" : cur.substr(0, slash);
  }
}

}  // namespace bastion::policy
