// Fuzz target for the gitignore parser and the wildmatch engine: the input
// is split at the first NUL into an ignore file and a list of paths to test
// against it (and each ignore line is also matched directly as a glob).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "index/gitignore.h"
#include "index/glob_match.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view rules = in.substr(0, nul);
  std::string_view paths = nul == std::string_view::npos ? "a/b/c" : in.substr(nul + 1);
  auto file = bastion::index::IgnoreFile::parse(rules, size % 2 ? "a" : "");
  size_t pos = 0;
  int n = 0;
  while (pos <= paths.size() && n++ < 32) {
    size_t nl = paths.find('\n', pos);
    std::string_view path = paths.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    (void)file.match(path, n % 2 == 0);
    for (const auto& p : file.patterns()) {
      (void)bastion::index::glob_match(p.text, path, true);
      (void)bastion::index::glob_match(p.text, path, false);
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return 0;
}
