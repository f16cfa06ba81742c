#include "index/repo_map.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "index/repo_graph.h"
#include "util/fs.h"

namespace bastion::index {

size_t estimate_tokens(std::string_view text) { return (text.size() + 3) / 4; }

std::string render_repo_map(const CodeIndex::View& v, const std::string& root,
                            const RepoMapOptions& opt) {
  std::unordered_set<std::string> boost(opt.focus_identifiers.begin(),
                                        opt.focus_identifiers.end());
  RepoGraph g = build_repo_graph(v, boost);
  std::unordered_map<uint32_t, double> pers;
  for (const std::string& f : opt.focus_files) {
    std::string rel = fs::relative_to(fs::absolute(f, root), root);
    auto slot = v.find(rel);
    if (!slot) continue;
    auto n = g.node_of_slot.find(*slot);
    if (n != g.node_of_slot.end()) pers[n->second] += 1.0;
  }
  for (const std::string& id : opt.focus_identifiers) {
    auto d = v.definers(id);
    for (uint32_t slot : d) {
      auto n = g.node_of_slot.find(slot);
      if (n != g.node_of_slot.end()) pers[n->second] += 1.0 / d.size();
    }
  }
  PageRankResult pr = personalized_pagerank(g, pers);

  // Candidate definitions, best first: ranked (file, name) pairs, then the
  // remaining definitions of files in file-rank order.
  std::vector<std::pair<uint32_t, const Symbol*>> order;  // (slot, symbol)
  std::set<std::pair<uint32_t, std::string>> seen;
  auto push_name = [&](uint32_t slot, const std::string& name) {
    if (!seen.insert({slot, name}).second) return;
    for (const Symbol& s : v.symbols(slot).defs)
      if (s.name == name) order.push_back({slot, &s});
  };
  for (auto& [key, rank] : pr.def_rank) push_name(g.nodes[key.first], g.names[key.second]);
  std::vector<uint32_t> by_file(g.nodes.size());
  for (uint32_t i = 0; i < by_file.size(); ++i) by_file[i] = i;
  std::sort(by_file.begin(), by_file.end(), [&](uint32_t a, uint32_t b) {
    return pr.file_rank[a] != pr.file_rank[b] ? pr.file_rank[a] > pr.file_rank[b]
                                              : v.path(g.nodes[a]) < v.path(g.nodes[b]);
  });
  for (uint32_t n : by_file)
    for (const Symbol& s : v.symbols(g.nodes[n]).defs) push_name(g.nodes[n], s.name);

  // Greedy fill within the budget.
  std::map<uint32_t, std::vector<const Symbol*>> chosen;
  std::vector<uint32_t> file_order;
  size_t used = 0;
  for (auto& [slot, sym] : order) {
    size_t cost = estimate_tokens(sym->signature) + 2;
    if (!chosen.count(slot)) cost += estimate_tokens(v.path(slot)) + 2;
    if (used + cost > opt.max_tokens) {
      if (used + 8 > opt.max_tokens) break;
      continue;
    }
    if (!chosen.count(slot)) file_order.push_back(slot);
    chosen[slot].push_back(sym);
    used += cost;
  }
  std::string out;
  for (uint32_t slot : file_order) {
    auto& syms = chosen[slot];
    std::sort(syms.begin(), syms.end(), [](auto* a, auto* b) { return a->line < b->line; });
    out += std::string(v.path(slot)) + ":\n";
    uint32_t last = 0;
    for (const Symbol* s : syms) {
      if (s->line == last) continue;
      if (s->line > last + 1) out += "⋮\n";
      out += "│" + s->signature + "\n";
      last = s->line;
    }
    if (last < v.lines(slot)) out += "⋮\n";
  }
  return out;
}

Result<std::string> repo_map(CodeIndex& index, const RepoMapOptions& options) {
  auto r = index.refresh();
  if (!r.ok()) return r.error();
  std::string out;
  index.read([&](const CodeIndex::View& v) { out = render_repo_map(v, index.root(), options); });
  return out;
}

}  // namespace bastion::index
