// Hybrid code search: ranks files for a natural-language or identifier
// query the way an engineer triages an issue. Signals, each normalised and
// combined: BM25 over content terms (identifiers split, comments and code),
// BM25 over path and file-name words, exact hits on defined symbols
// (weighted by rarity), files named in the query or its stack traces
// (deepest in-repo frame first) and dotted module paths, then proximity in
// the def/ref graph to the best candidates. Tests, docs and examples are
// down-weighted unless the query is about tests, and so are files in the
// repo's minority languages. A second stage rereads the top 30 files and
// lifts those holding the query's literals verbatim (`invalid-name`,
// "--last-failed"), the way an engineer greps for a message id.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/code_index.h"
#include "index/query_parse.h"

namespace bastion::index {

// Files nearest to a query by embedding (path, cosine), best first.
using DenseSearch =
    std::function<Result<std::vector<std::pair<std::string, double>>>(std::string_view query)>;

struct SearchOptions {
  size_t k = 20;
  size_t lines_per_file = 3;  // 0 = files only
  bool refresh = true;        // re-index changed files first
  bool explain = false;       // fill SearchHit::why
  // Optional dense retrieval (dense_index.h): files nearest to the query
  // with their cosine similarity, best first. Unset = lexical only.
  DenseSearch dense;
};

struct SearchLine {
  uint32_t line;  // 1-based
  std::string text;
};

struct SearchHit {
  std::string path;
  double score = 0;
  std::vector<SearchLine> lines;
  std::string why;  // with SearchOptions::explain: each signal's share of the score
};

// Ranks files (no refresh, no line extraction).
// With `explain`, each hit's `why` lists the signals behind its score.
// With `read`, the query's literals are also grepped repo-wide
// (verbatim_scores in search_signals.h).
// With `dense`, files nearest to the query by embedding (path, cosine)
// are one more signal.
std::vector<SearchHit> rank_files(const CodeIndex::View& view, const ParsedQuery& query, size_t k,
                                  bool explain = false,
                                  const std::function<std::string(uint32_t slot)>* read = nullptr,
                                  const std::vector<std::pair<std::string, double>>* dense = nullptr);

// Refreshes the index (unless disabled), ranks, and picks each hit's best
// lines from the file as it is on disk now.
Result<std::vector<SearchHit>> search(CodeIndex& index, std::string_view query,
                                      const SearchOptions& options = {});

}  // namespace bastion::index
