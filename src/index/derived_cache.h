// What searches derive from the index whatever the query, kept by the
// CodeIndex across queries until its content changes. A long-lived owner
// (an agent session, `bastion index --serve`) answers many queries from one
// state; without this each query re-derived the same reference graph
// around the files it ranked (one definers lookup per name a file uses, a
// few hundred per big module) and re-counted the languages of every file.
// Used only under the index lock, through IndexView::derived().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bastion::index {

// A file's outgoing references for the graph: for each name it uses that
// a few other files define, those files.
struct ReferenceGroups {
  struct Group {
    std::string_view name;    // in the snapshot or the file's symbols
    uint32_t count;           // uses in the file
    uint32_t definers;        // live files defining it, the file included
    uint32_t first, end;      // its targets: targets[first, end)
  };
  std::vector<Group> groups;
  std::vector<uint32_t> targets;  // live definers other than the file
};

// How many of the repo's parsed source files each language family has.
struct LanguageShares {
  std::unordered_map<int, size_t> files;
  size_t total = 0;
};

struct DerivedCache {
  uint64_t version = 0;  // CodeIndex::version_ this was derived from
  std::unordered_map<uint32_t, ReferenceGroups> references;  // by slot
  std::optional<LanguageShares> shares;
  // A file's path prior (search.cc) by slot, for queries that do not and
  // do ask about tests; NaN until computed.
  std::vector<double> path_priors[2];

  void reset(uint64_t new_version) {
    version = new_version;
    references.clear();
    shares.reset();
    path_priors[0].clear();
    path_priors[1].clear();
  }
};

}  // namespace bastion::index
