// Fuzz target for the search query parser (issue text, stack traces,
// identifiers, literals, kebab-case names, error messages): any input must
// parse without crashing, and every literal must be non-empty, at most 60
// bytes and single-line, as the repo-wide grep assumes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "index/query_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  bastion::index::ParsedQuery q = bastion::index::parse_query(in);
  for (const auto& lit : q.literals)
    if (lit.empty() || lit.size() > 60 || lit.find('\n') != std::string::npos) std::abort();
  (void)bastion::index::word_compounds(in);
  return 0;
}
