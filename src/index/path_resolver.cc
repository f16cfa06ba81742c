#include "index/path_resolver.h"

#include <algorithm>

namespace bastion::index {
namespace {

std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// How many trailing components of `path` equal the last ones of `comps`
// (which path_components() produced), walking both from the end.
int common_trailing_components(std::string_view path, const std::vector<std::string_view>& comps) {
  int n = 0;
  size_t end = path.size();
  while (n < static_cast<int>(comps.size())) {
    // The next non-skipped component of `path`, right to left.
    std::string_view c;
    while (end > 0) {
      size_t slash = path.rfind('/', end - 1);
      size_t b = slash == std::string_view::npos ? 0 : slash + 1;
      c = path.substr(b, end - b);
      end = slash == std::string_view::npos ? 0 : slash;
      if (!c.empty() && c != "." && c != "~") break;
      c = {};
    }
    if (c.empty() || c != comps[comps.size() - 1 - n]) break;
    ++n;
  }
  return n;
}

}  // namespace

std::vector<std::string_view> path_components(std::string_view path) {
  std::vector<std::string_view> out;
  size_t b = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    std::string_view c = path.substr(b, i - b);
    if (!c.empty() && c != "." && c != "~") out.push_back(c);
    b = i + 1;
  }
  return out;
}

PathResolver::PathResolver(const CodeIndex::View& view, const std::vector<std::string>& mentions)
    : view_(view) {
  for (const std::string& m : mentions) {
    auto comps = path_components(m);
    if (!comps.empty()) by_name_.try_emplace(std::string(comps.back()));
  }
  if (by_name_.empty()) return;
  std::string key;
  view_.for_each_file([&](std::string_view p, uint32_t slot) {
    key.assign(base_name(p));
    auto it = by_name_.find(key);
    if (it != by_name_.end()) it->second.push_back(slot);
  });
}

std::vector<uint32_t> PathResolver::resolve(const std::string& mention, int* matched) const {
  std::vector<uint32_t> out;
  int best = 0;
  auto comps = path_components(mention);
  auto it = comps.empty() ? by_name_.end() : by_name_.find(std::string(comps.back()));
  if (it != by_name_.end()) {
    for (uint32_t slot : it->second) {
      int n = common_trailing_components(view_.path(slot), comps);
      if (n > best) {
        best = n;
        out.clear();
      }
      if (n == best && n > 0) out.push_back(slot);
    }
  }
  if (matched) *matched = best;
  return out;
}

}  // namespace bastion::index
