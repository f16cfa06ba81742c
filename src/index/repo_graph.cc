#include "index/repo_graph.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace bastion::index {

RepoGraph build_repo_graph(const CodeIndex::View& v,
                           const std::unordered_set<std::string>& boost_names) {
  RepoGraph g;
  for (uint32_t s = 0; s < v.slot_count(); ++s) {
    if (!v.live(s)) continue;
    g.node_of_slot[s] = static_cast<uint32_t>(g.nodes.size());
    g.nodes.push_back(s);
  }
  g.out.resize(g.nodes.size());
  std::unordered_map<std::string, uint32_t> name_ids;
  for (uint32_t a = 0; a < g.nodes.size(); ++a) {
    for (auto& [name, count] : v.symbols(g.nodes[a]).refs) {
      if (name.size() < 3) continue;
      auto d = v.definers(name);
      if (d.empty() || d.size() > 25) continue;
      double mul = 1.0;
      if (boost_names.count(name)) mul *= 10;
      if (name[0] == '_') mul *= 0.2;
      double w = mul * std::sqrt(static_cast<double>(count)) / d.size();
      uint32_t nid;
      auto it = name_ids.find(name);
      if (it == name_ids.end()) {
        nid = static_cast<uint32_t>(g.names.size());
        name_ids.emplace(name, nid);
        g.names.push_back(name);
      } else {
        nid = it->second;
      }
      for (uint32_t slot : d) {
        auto b = g.node_of_slot.find(slot);
        if (b == g.node_of_slot.end()) continue;
        g.out[a].push_back({b->second, nid, w});
      }
    }
  }
  return g;
}

PageRankResult personalized_pagerank(const RepoGraph& g,
                                     const std::unordered_map<uint32_t, double>& personalization,
                                     int iterations, double damping) {
  size_t n = g.nodes.size();
  PageRankResult res;
  if (n == 0) return res;
  std::vector<double> p(n, 0.0);
  double psum = 0;
  for (auto& [node, w] : personalization)
    if (node < n && w > 0) {
      p[node] += w;
      psum += w;
    }
  if (psum <= 0) {
    std::fill(p.begin(), p.end(), 1.0 / n);
  } else {
    for (double& x : p) x /= psum;
  }
  std::vector<double> out_w(n, 0.0);
  for (size_t a = 0; a < n; ++a)
    for (auto& e : g.out[a]) out_w[a] += e.weight;
  std::vector<double> r = p, next(n);
  for (int it = 0; it < iterations; ++it) {
    double dangling = 0;
    std::fill(next.begin(), next.end(), 0.0);
    for (size_t a = 0; a < n; ++a) {
      if (out_w[a] <= 0) {
        dangling += r[a];
        continue;
      }
      double share = damping * r[a] / out_w[a];
      for (auto& e : g.out[a]) next[e.to] += share * e.weight;
    }
    for (size_t i = 0; i < n; ++i) next[i] += ((1 - damping) + damping * dangling) * p[i];
    r.swap(next);
  }
  res.file_rank = r;
  std::map<std::pair<uint32_t, uint32_t>, double> defs;
  for (size_t a = 0; a < n; ++a) {
    if (out_w[a] <= 0) continue;
    for (auto& e : g.out[a]) defs[{e.to, e.name}] += r[a] * e.weight / out_w[a];
  }
  res.def_rank.assign(defs.begin(), defs.end());
  std::sort(res.def_rank.begin(), res.def_rank.end(),
            [](auto& x, auto& y) { return x.second > y.second; });
  return res;
}

}  // namespace bastion::index
