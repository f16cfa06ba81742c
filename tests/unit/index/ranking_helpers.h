// Ranking test helpers: the top file, or one file's score, for a query over
// a test repository's index.
#pragma once

#include <string>
#include <vector>

#include "index/code_index.h"
#include "index/search.h"

namespace bastion::index::testing {

inline std::string top_file(CodeIndex& idx, const ParsedQuery& q) {
  std::vector<SearchHit> hits;
  idx.read([&](const CodeIndex::View& v) { hits = rank_files(v, q, 5); });
  return hits.empty() ? "" : hits.front().path;
}

// 0 when `path` is not among the top 10.
inline double score_of(CodeIndex& idx, const ParsedQuery& q, const std::string& path) {
  std::vector<SearchHit> hits;
  idx.read([&](const CodeIndex::View& v) { hits = rank_files(v, q, 10); });
  for (const SearchHit& h : hits)
    if (h.path == path) return h.score;
  return 0;
}

}  // namespace bastion::index::testing
