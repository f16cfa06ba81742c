// The def/ref graph over files and personalized PageRank on it, as Aider's
// repo map does: file A links to file B for each name A references that B
// defines, weighted by how often A uses it and divided among all the files
// defining it (a name defined everywhere says little). PageRank biased toward
// the files and identifiers in play ranks both files and definitions.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "index/code_index.h"

namespace bastion::index {

struct GraphEdge {
  uint32_t to;
  uint32_t name;  // index into RepoGraph::names
  double weight;
};

struct RepoGraph {
  std::vector<uint32_t> nodes;  // slots of live files, node i <-> slot nodes[i]
  std::unordered_map<uint32_t, uint32_t> node_of_slot;
  std::vector<std::vector<GraphEdge>> out;
  std::vector<std::string> names;
};

// `boost_names` multiply the weight of edges through those names (the
// identifiers the user mentioned).
RepoGraph build_repo_graph(const CodeIndex::View& view,
                           const std::unordered_set<std::string>& boost_names = {});

struct PageRankResult {
  std::vector<double> file_rank;  // per node
  // Rank flowing into each (node, name) definition, largest first.
  std::vector<std::pair<std::pair<uint32_t, uint32_t>, double>> def_rank;
};

// `personalization` maps node -> weight (empty = uniform).
PageRankResult personalized_pagerank(const RepoGraph& g,
                                     const std::unordered_map<uint32_t, double>& personalization,
                                     int iterations = 20, double damping = 0.85);

}  // namespace bastion::index
