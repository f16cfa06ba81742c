#include "index/search_signals.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>
#include <span>

#include "index/tokenize.h"
#include "util/strings.h"

namespace bastion::index {
namespace {

bool defines(const FileSymbols& syms, const std::string& name) {
  for (const Symbol& s : syms.defs)
    if (s.name == name) return true;
  return false;
}

// Null when nothing defines `name`.
std::optional<std::span<const uint32_t>> definers_of(const CodeIndex::View& v,
                                                     const std::string& name) {
  auto d = v.definers(name);
  if (d.empty()) return std::nullopt;
  return d;
}

}  // namespace

SlotScores frame_scores(const CodeIndex::View& v, const ParsedQuery& q) {
  std::vector<std::string> mentions;
  for (const PathMention& m : q.paths) mentions.push_back(m.path);
  return frame_scores(v, q, PathResolver(v, mentions));
}

SlotScores frame_scores(const CodeIndex::View& v, const ParsedQuery& q, const PathResolver& paths) {
  std::vector<std::vector<uint32_t>> resolved;
  for (const PathMention& m : q.paths) {
    if (!m.traceback) continue;
    std::vector<uint32_t> slots = paths.resolve(m.path);
    std::vector<std::string> parts = m.function.empty() ? std::vector<std::string>{}
                                                        : str::split(m.function, '.');
    const std::string fn = parts.empty() ? "" : parts.back();
    // Several files share the frame's name (utils.py): the ones defining
    // its function are meant; if none does, the module has moved.
    std::vector<uint32_t> same_name;
    if (slots.size() > 1 && !fn.empty() && !str::starts_with(fn, "__")) {
      same_name = std::move(slots);
      slots.clear();
      for (uint32_t s : same_name)
        if (defines(v.symbols(s), fn)) slots.push_back(s);
    }
    if (slots.empty() && !fn.empty()) {
      // The file is not in this checkout under that name: find the function.
      auto d = definers_of(v, fn);
      if (d && !str::starts_with(fn, "__") && d->size() <= 3) {
        for (uint32_t s : *d)
          if (parts.size() < 2 || defines(v.symbols(s), parts[parts.size() - 2])) slots.push_back(s);
      }
    }
    if (slots.empty()) slots = std::move(same_name);
    if (slots.empty() || slots.size() > 3) continue;
    resolved.push_back(std::move(slots));
  }
  SlotScores out;
  for (size_t i = 0; i < resolved.size(); ++i) {
    double w = 0.3 + 0.3 * static_cast<double>(i + 1) / resolved.size();
    if (i + 1 == resolved.size()) w = 1.0;  // where the exception surfaced
    for (uint32_t s : resolved[i]) out[s] = std::max(out[s], w);
  }
  return out;
}

SlotScores method_scores(const CodeIndex::View& v, const ParsedQuery& q) {
  SlotScores out;
  for (const auto& parts : q.dotted) {
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      const std::string& cls = parts[i];
      const std::string& method = parts[i + 1];
      if (cls.empty() || !std::isupper(static_cast<unsigned char>(cls[0])) || method.size() < 3 ||
          str::starts_with(method, "__"))
        continue;
      auto dm = definers_of(v, method);
      if (!dm || dm->size() > 5) continue;
      bool same_file = false;
      for (uint32_t s : *dm)
        if (defines(v.symbols(s), cls)) {
          out[s] = std::max(out[s], 1.0);
          same_file = true;
        }
      // The class's module does not define it: the method lives elsewhere
      // (a mixin, a base class or a helper); trust it less when ambiguous.
      if (!same_file)
        for (uint32_t s : *dm) out[s] = std::max(out[s], 0.8 / static_cast<double>(dm->size()));
    }
  }
  return out;
}

SlotScores definition_term_scores(const CodeIndex::View& v, const ParsedQuery& q,
                                  const std::vector<uint32_t>& candidates) {
  const double n_docs = std::max<double>(1, v.live_count());
  std::unordered_map<std::string, double> idf;
  for (const std::string& t : q.terms) {
    if (idf.count(t)) continue;
    double df = static_cast<double>(v.postings(t).size());
    // Only distinctive terms: present in the repo, absent from most files.
    idf[t] = (df == 0 || df > n_docs * 0.25) ? 0 : std::log(1.0 + n_docs / df);
  }
  SlotScores out;
  std::vector<std::string> terms;
  for (uint32_t slot : candidates) {
    std::unordered_set<std::string> hit;
    for (const Symbol& s : v.symbols(slot).defs) {
      if (s.kind != SymbolKind::kClass && s.kind != SymbolKind::kFunction &&
          s.kind != SymbolKind::kMethod)
        continue;
      terms.clear();
      append_terms(s.name, terms);
      for (auto& t : terms) {
        auto it = idf.find(t);
        if (it != idf.end() && it->second > 0) hit.insert(t);
      }
    }
    double score = 0;
    for (auto& t : hit) score += idf[t];
    if (score > 0) out[slot] = score;
  }
  return out;
}

SlotScores verbatim_scores(const CodeIndex::View& v, const std::vector<std::string>& literals,
                           const SlotReader& read, size_t max_reads) {
  SlotScores out;
  const double n = std::max<double>(1, v.live_count());
  std::unordered_map<uint32_t, std::string> texts;  // files read so far
  size_t bytes_read = 0;                           // bounded: a query must not hold a tree in memory
  constexpr size_t kMaxBytes = 64u << 20;
  std::vector<std::string> terms;
  for (size_t li = 0; li < literals.size() && li < 40; ++li) {
    const std::string& lit = literals[li];
    terms.clear();
    append_terms(lit, terms);
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    if (terms.empty()) continue;
    std::vector<std::span<const Posting>> lists;
    for (const std::string& t : terms) lists.push_back(v.postings(t));
    std::sort(lists.begin(), lists.end(), [](auto& a, auto& b) { return a.size() < b.size(); });
    if (lists.front().empty() || lists.front().size() > 4 * max_reads) continue;
    // Holders of the rarest term that also hold the next two rarest.
    std::vector<uint32_t> cand;
    for (const Posting& p : lists.front()) cand.push_back(p.slot);
    for (size_t i = 1; i < lists.size() && i < 3 && !cand.empty(); ++i) {
      std::unordered_set<uint32_t> in;
      for (const Posting& p : lists[i]) in.insert(p.slot);
      std::erase_if(cand, [&](uint32_t s) { return !in.count(s); });
    }
    if (cand.empty() || cand.size() > max_reads) continue;
    std::vector<uint32_t> holders;
    for (uint32_t slot : cand) {
      auto it = texts.find(slot);
      if (it == texts.end()) {
        if (texts.size() >= 4 * max_reads || bytes_read >= kMaxBytes) break;
        it = texts.emplace(slot, read(slot)).first;
        bytes_read += it->second.size();
      }
      if (it->second.find(lit) != std::string::npos) holders.push_back(slot);
    }
    if (holders.empty()) continue;
    double w = std::log(1.0 + n / static_cast<double>(holders.size()));
    for (uint32_t slot : holders) out[slot] += w;
  }
  return out;
}

std::vector<double> literal_scores(const std::vector<std::string>& contents,
                                   const std::vector<std::string>& literals) {
  std::vector<double> out(contents.size(), 0.0);
  const double n = static_cast<double>(contents.size());
  std::vector<size_t> holders;
  for (size_t li = 0; li < literals.size() && li < 40; ++li) {
    holders.clear();
    for (size_t i = 0; i < contents.size(); ++i)
      if (contents[i].find(literals[li]) != std::string::npos) holders.push_back(i);
    if (holders.empty() || holders.size() == contents.size()) continue;
    double w = std::log(1.0 + n / static_cast<double>(holders.size()));
    for (size_t i : holders) out[i] += w;
  }
  return out;
}

namespace {

// Which lines of `text` may yield one of `needles` as a term. A term is a
// word's lower-cased part, or its parts joined, perhaps stemmed, and a stem
// keeps all of its part but at most the last letter; so a line that yields
// term T holds T minus its last letter once lower-cased and stripped of '_'
// (the needles). Lines are '\n'-separated, as passage_scores() splits them.
std::vector<uint8_t> lines_that_may_match(std::string_view text,
                                          const std::vector<std::string>& needles) {
  thread_local std::string folded;
  thread_local std::vector<size_t> newlines;  // positions in `folded`
  newlines.clear();
  folded.resize(text.size());
  char* out = folded.data();
  for (char c : text) {
    if (c == '_') continue;
    if (c == '\n') newlines.push_back(static_cast<size_t>(out - folded.data()));
    *out++ = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
  }
  folded.resize(static_cast<size_t>(out - folded.data()));
  std::vector<uint8_t> may(newlines.size() + 1, 0);
  for (const std::string& needle : needles) {
    if (needle.empty()) {
      std::fill(may.begin(), may.end(), 1);
      break;
    }
    for (size_t at = folded.find(needle); at != std::string::npos; at = folded.find(needle, at + 1)) {
      size_t line = std::upper_bound(newlines.begin(), newlines.end(), at) - newlines.begin();
      may[line] = 1;
      // Later hits on this line add nothing: go on from its end.
      if (line < newlines.size()) at = newlines[line];
    }
  }
  return may;
}

}  // namespace

std::vector<double> passage_scores(const std::vector<std::string>& contents,
                                   const std::vector<std::string>& paths,
                                   const std::unordered_map<std::string, double>& term_weight,
                                   size_t window) {
  std::vector<double> out(contents.size(), 0.0);
  if (window == 0) window = 1;
  // Query terms looked up by view: a file's terms are never built as strings.
  std::unordered_map<std::string_view, const std::string*> query_term;
  std::vector<std::string> needles;
  for (const auto& [t, w] : term_weight) {
    query_term.emplace(t, &t);
    needles.push_back(t.substr(0, t.empty() ? 0 : t.size() - 1));
  }
  // Per line: the query terms it holds, lines [line_start[i], line_start[i + 1]).
  std::vector<const std::string*> hits;
  std::vector<size_t> line_start;
  for (size_t fi = 0; fi < contents.size(); ++fi) {
    hits.clear();
    line_start.assign(1, 0);
    std::string_view text = contents[fi];
    auto note_term = [&](std::string_view t) {
      auto it = query_term.find(t);
      if (it != query_term.end()) hits.push_back(it->second);
    };
    const std::vector<uint8_t> may = lines_that_may_match(text, needles);
    size_t pos = 0;
    while (pos < text.size()) {
      size_t e = text.find('\n', pos);
      if (e == std::string_view::npos) e = text.size();
      if (e - pos <= 1000 && may[line_start.size() - 1])
        for_each_term(text.substr(pos, e - pos), note_term);
      line_start.push_back(hits.size());
      pos = e + 1;
    }
    const size_t nlines = line_start.size() - 1;
    auto line_terms = [&](size_t i) {
      return std::span<const std::string* const>(hits.data() + line_start[i],
                                                  line_start[i + 1] - line_start[i]);
    };
    // Sliding window over lines with counts of each term inside it.
    std::unordered_map<const std::string*, int> inside;
    double cur = 0, best = 0;
    if (fi < paths.size()) {
      for (const std::string& t : path_terms(paths[fi])) {
        auto it = term_weight.find(t);
        if (it != term_weight.end() && inside[&it->first]++ == 0) cur += it->second;
      }
      best = cur;
    }
    for (size_t i = 0; i < nlines; ++i) {
      for (auto* t : line_terms(i))
        if (inside[t]++ == 0) cur += term_weight.at(*t);
      if (i >= window)
        for (auto* t : line_terms(i - window))
          if (--inside[t] == 0) cur -= term_weight.at(*t);
      best = std::max(best, cur);
    }
    out[fi] = best;
  }
  return out;
}

namespace {

// Languages that share a code base freely count as one family.
int language_family(Lang l) {
  switch (l) {
    case Lang::kC: case Lang::kCpp: return 0;
    case Lang::kJavaScript: case Lang::kTypeScript: case Lang::kTsx: return 3;
    default: return static_cast<int>(l);
  }
}

}  // namespace

const LanguageShares& language_shares(const CodeIndex::View& v) {
  std::optional<LanguageShares>& cached = v.derived().shares;
  if (!cached) {
    LanguageShares out;
    v.for_each_file([&](std::string_view, uint32_t slot) {
      Lang l = v.lang(slot);
      if (l == Lang::kNone) return;
      ++out.files[language_family(l)];
      ++out.total;
    });
    cached = std::move(out);
  }
  return *cached;
}

double language_prior(const LanguageShares& shares, Lang lang, const std::string& path,
                      const ParsedQuery& q) {
  if (lang == Lang::kNone || shares.total == 0) return 1.0;
  auto it = shares.files.find(language_family(lang));
  double share = it == shares.files.end() ? 0 : static_cast<double>(it->second) / shares.total;
  if (share >= 0.2) return 1.0;
  size_t dot = path.rfind('.');
  if (dot != std::string::npos) {
    std::string ext = path.substr(dot);
    for (const PathMention& m : q.paths)
      if (str::ends_with(m.path, ext)) return 1.0;
  }
  return 0.5 + 2.5 * share;  // 0.5 at 0%, 1.0 at 20%
}

// Each push expands a file's references; past this many the answer no
// longer moves the ranking, only the query's cost.
constexpr size_t kMaxPushes = 1000;
// Files whose references are looked up (each costs one definers lookup per
// distinct name it uses, hundreds for a big module).
constexpr size_t kMaxExpanded = 200;
// Files whose reference groups the derived cache keeps before starting over.
constexpr size_t kMaxCachedReferences = 20000;

namespace {

// The names `a` uses that 1 to 25 live files define, with those files
// (other than `a`): its edges before the query's weights.
const ReferenceGroups& reference_groups(const CodeIndex::View& v, uint32_t a) {
  auto& cache = v.derived().references;
  auto it = cache.find(a);
  if (it != cache.end()) return it->second;
  if (cache.size() >= kMaxCachedReferences) cache.clear();
  ReferenceGroups out;
  thread_local std::vector<std::pair<std::string_view, uint32_t>> refs;
  v.references(a, refs);
  for (auto& [name, count] : refs) {
    if (name.size() < 3) continue;
    bool more = false;
    auto d = v.definers_up_to(name, 25, more);
    if (more || d.empty() || d.size() > 25) continue;
    ReferenceGroups::Group g{name, count, static_cast<uint32_t>(d.size()),
                             static_cast<uint32_t>(out.targets.size()), 0};
    for (uint32_t b : d)
      if (b != a && v.live(b)) out.targets.push_back(b);
    g.end = static_cast<uint32_t>(out.targets.size());
    if (g.end > g.first) out.groups.push_back(g);
  }
  return cache.emplace(a, std::move(out)).first->second;
}

}  // namespace

SlotScores local_pagerank(const CodeIndex::View& v, const SlotScores& seeds,
                          const std::unordered_set<std::string>& boost_names, double damping,
                          double eps) {
  struct Edge {
    uint32_t to;
    double w;
  };
  std::unordered_map<uint32_t, std::vector<Edge>> out_edges;
  std::unordered_map<uint32_t, double> out_total;
  const std::vector<std::string_view> boosted(boost_names.begin(), boost_names.end());
  auto is_boosted = [&](std::string_view name) {
    return std::find(boosted.begin(), boosted.end(), name) != boosted.end();
  };
  auto edges_of = [&](uint32_t a) -> const std::vector<Edge>& {
    auto it = out_edges.find(a);
    if (it != out_edges.end()) return it->second;
    std::vector<Edge> es;
    double total = 0;
    if (out_edges.size() >= kMaxExpanded) {  // treated as dangling: its mass stays
      out_total[a] = 0;
      return out_edges.emplace(a, std::move(es)).first->second;
    }
    const ReferenceGroups& refs = reference_groups(v, a);
    es.reserve(refs.targets.size());
    for (const ReferenceGroups::Group& g : refs.groups) {
      double mul = is_boosted(g.name) ? 10.0 : 1.0;
      if (g.name[0] == '_') mul *= 0.2;
      double w = mul * std::sqrt(static_cast<double>(g.count)) / g.definers;
      for (uint32_t i = g.first; i < g.end; ++i) {
        es.push_back({refs.targets[i], w});
        total += w;
      }
    }
    out_total[a] = total;
    return out_edges.emplace(a, std::move(es)).first->second;
  };
  double sum = 0;
  for (auto& [s, w] : seeds) sum += std::max(0.0, w);
  SlotScores rank;
  if (sum <= 0) return rank;
  // Residuals by slot in a dense array (a push updates thousands of them),
  // zeroed again on the way out.
  thread_local std::vector<double> residual;
  thread_local std::vector<uint32_t> touched;
  if (residual.size() < v.slot_count()) residual.resize(v.slot_count(), 0.0);
  touched.clear();
  struct Rezero {
    ~Rezero() {
      for (uint32_t s : touched) residual[s] = 0;
    }
  } rezero;
  std::deque<uint32_t> queue;
  for (auto& [s, w] : seeds)
    if (w > 0) {
      residual[s] = w / sum;
      touched.push_back(s);
      queue.push_back(s);
    }
  size_t pushes = 0;
  while (!queue.empty() && pushes < kMaxPushes) {
    uint32_t u = queue.front();
    queue.pop_front();
    double r = residual[u];
    if (r < eps) continue;
    residual[u] = 0;
    ++pushes;
    rank[u] += (1 - damping) * r;
    const auto& es = edges_of(u);
    double total = out_total[u];
    if (total <= 0) continue;  // dangling: its mass stays where it is
    for (const Edge& e : es) {
      double& ru = residual[e.to];
      if (ru == 0) touched.push_back(e.to);
      bool was_below = ru < eps;
      ru += damping * r * e.w / total;
      if (was_below && ru >= eps) queue.push_back(e.to);
    }
  }
  return rank;
}

bool is_test_path(std::string_view path) {
  std::string p = str::to_lower(path);
  p.insert(p.begin(), '/');
  std::string base = p.substr(p.rfind('/') + 1);
  return p.find("/test/") != std::string::npos || p.find("/tests/") != std::string::npos ||
         p.find("/testing/") != std::string::npos || str::starts_with(base, "test_") ||
         base.find("_test.") != std::string::npos || base.find(".test.") != std::string::npos ||
         base.find(".spec.") != std::string::npos || base == "conftest.py";
}

std::string tested_module_name(std::string_view path) {
  if (!is_test_path(path)) return {};
  std::string base = str::to_lower(path.substr(path.rfind('/') + 1));
  base = base.substr(0, base.find('.'));
  if (str::starts_with(base, "test_")) return base.substr(5);
  size_t suffix = base.rfind("_test");
  if (suffix != std::string::npos && suffix + 5 == base.size()) return base.substr(0, suffix);
  std::string_view full = path.substr(path.rfind('/') + 1);
  if (full.find(".test.") != std::string_view::npos || full.find(".spec.") != std::string_view::npos)
    return base;
  return {};
}

}  // namespace bastion::index
