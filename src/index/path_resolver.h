// PathResolver: maps the file mentions of a query ("seaborn/_core.py",
// "~/env/site-packages/requests/models.py", "xarray/core/__init__.py") to
// index slots by the longest run of trailing path components they share.
//
// Search asks about a handful of file names per query (paths, stack frames,
// dotted module names), while a big repository lists 100k files: the
// resolver is built once per query from the names it will be asked about,
// in one pass over the file list that allocates only for files with one of
// those names, and compares components as string views.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/code_index.h"

namespace bastion::index {

class PathResolver {
 public:
  // `mentions`: every path that resolve() will be called with.
  PathResolver(const CodeIndex::View& view, const std::vector<std::string>& mentions);

  // Slots whose path ends with the longest run of `mention`'s trailing
  // components (the file name at least); `matched` receives that run's
  // length, 0 when no file has the mention's name.
  std::vector<uint32_t> resolve(const std::string& mention, int* matched = nullptr) const;

 private:
  const CodeIndex::View& view_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_name_;
};

// The components of a path, without empty, "." and "~" ones.
std::vector<std::string_view> path_components(std::string_view path);

}  // namespace bastion::index
