// Search's second stage, which reads the text of the files the index
// ranked highest: it re-weighs them by the query's verbatim literals and by
// how close together the query's terms sit (the best passage), and picks
// each hit's best lines for the terse output. Separate from the index-only
// ranking in search.cc because it touches the files themselves.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "index/query_parse.h"
#include "index/search.h"

namespace bastion::index {

// How many of the index's top files the second stage reads.
constexpr size_t kLiteralPool = 30;

// Re-scores and re-sorts `hits` (files under `root`); `idf` holds the
// query terms' inverse document frequencies.
void rerank_second_stage(const std::string& root, const ParsedQuery& q,
                         const std::unordered_map<std::string, double>& idf, bool explain,
                         std::vector<SearchHit>& hits);

// The lines of `content` that best match the query: mentioned line
// numbers, definitions of mentioned identifiers, then lines dense in rare
// query terms; at most `want`, in file order.
std::vector<SearchLine> best_lines(const std::string& path, const std::string& content,
                                   const ParsedQuery& q, size_t want);

}  // namespace bastion::index
