#include "index/search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "index/search_second_stage.h"
#include "index/search_signals.h"
#include "index/tokenize.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::index {
namespace {

using Scores = std::unordered_map<uint32_t, double>;

// Residual below which personalized PageRank stops pushing. Graph proximity
// only nudges the candidates' scores, so a coarse answer is enough, and the
// work grows with 1/eps (1e-4 cost ~0.2 s per query on a 100k-file tree).
constexpr double kPageRankEps = 1e-3;
// A literal of the query found verbatim in few files (first stage).
constexpr double kVerbatimWeight = 0.75;
// Share of a clear symbol hit below which symbol scores are not scaled up.
constexpr double kSymFloor = 1.0;
// A literal found in one file of n scores log(1 + n); scaled against that
// (not the best found) so a literal common to many files stays weak.
constexpr double kVerbatimFloor = 1.0;
// A file under the package a snippet imports a name from, defining it.
constexpr double kImportedNameMention = 0.6;
// Files defining a name the title uses.
constexpr double kTitleWeight = 1.5;
// A BM25 term the title uses weighs this much more (the title says
// what broke; the body repeats the reporter's setup).
constexpr double kTitleTermBoost = 0.25;
// A file whose name is spelled by adjacent query words (of a named file's 1.0).
constexpr double kCompoundFileMention = 0.6;
constexpr double kTitleWordFileMention = 0.4;
// A title labelled with a component ("[linkcheck] ...", "LaTeX: ..."): the
// reporter says which part broke, as good as naming its file.
constexpr double kTitleComponentFileMention = 1.0;
// Files kept from the BM25 pass (by content + path score) for the rest.
constexpr size_t kTextPool = 5000;
// Files nearest to the query by embedding (optional, SearchOptions::dense).
constexpr double kDenseWeight = 0.6;
// Candidates kept for the priors and graph proximity (see rank_files).
constexpr size_t kPriorPool = 2000;

double max_of(const Scores& s) {
  double m = 0;
  for (auto& [k, v] : s) m = std::max(m, v);
  return m;
}

bool is_release_notes(const std::string& slash_path, const std::string& base) {
  for (const char* stem : {"changes", "changelog", "history", "news", "authors", "contributors",
                           "release-notes", "release_notes", "whatsnew"})
    if (str::starts_with(base, stem)) return true;
  for (const char* dir : {"/changelog/", "/changes/", "/whatsnew/", "/newsfragments/",
                          "/changelog.d/", "/releases/", "/release-notes/"})
    if (slash_path.find(dir) != std::string::npos) return true;
  return false;
}

// "-1.11.1." or "_3.1." in a file name: a digit run, a dot, a digit run,
// right after a separator.
bool has_version_number(const std::string& base) {
  for (size_t i = 1; i + 2 < base.size(); ++i) {
    if ((base[i - 1] != '-' && base[i - 1] != '_') || !std::isdigit(static_cast<unsigned char>(base[i])))
      continue;
    size_t j = i;
    while (j < base.size() && std::isdigit(static_cast<unsigned char>(base[j]))) ++j;
    if (j + 1 < base.size() && base[j] == '.' && std::isdigit(static_cast<unsigned char>(base[j + 1])))
      return true;
  }
  return false;
}

// Tests, docs, examples and non-code are rarely what an issue asks to change.
double path_prior(const std::string& path, Lang lang, bool tests_wanted) {
  std::string p = str::to_lower(path);
  p.insert(p.begin(), '/');
  size_t slash = p.rfind('/');
  std::string base = p.substr(slash + 1);
  double prior = 1.0;
  if (!tests_wanted && is_test_path(path)) prior *= 0.125;
  if (p.find("/doc/") != std::string::npos || p.find("/docs/") != std::string::npos ||
      p.find("/example/") != std::string::npos || p.find("/examples/") != std::string::npos ||
      p.find("/benchmarks/") != std::string::npos || p.find("/asv_bench/") != std::string::npos)
    prior *= 0.25;
  // Vendored third-party code is patched upstream, not here.
  if (p.find("/packages/") != std::string::npos || p.find("/vendor/") != std::string::npos ||
      p.find("/_vendor/") != std::string::npos || p.find("/third_party/") != std::string::npos ||
      p.find("/node_modules/") != std::string::npos)
    prior *= 0.4;
  // The project's own tooling beside the package: release scripts, CI,
  // maintenance utilities (top-level only: pkg/utils/ is the product).
  for (const char* dir : {"/script/", "/scripts/", "/tools/", "/utils/", "/util/", "/.github/",
                          "/.circleci/", "/ci/", "/devtools/", "/maint/", "/maintenance/"})
    if (str::starts_with(p, dir)) {
      prior *= 0.5;
      break;
    }
  if (lang == Lang::kNone) prior *= 0.45;
  if (base == "setup.py" || base == "__init__.py") prior *= 0.8;
  // Release notes, changelog fragments and credits repeat every issue's
  // words but are never where a bug lives.
  if (is_release_notes(p, base)) prior *= 0.3;
  // Translation catalogs hold every user-facing message, in every language.
  if (str::ends_with(base, ".po") || str::ends_with(base, ".pot")) prior *= 0.3;
  // A version number in a script's name marks a bundled library
  // (jquery-3.1.0.js, underscore-1.3.1.js), as does minification.
  if (lang != Lang::kNone && (has_version_number(base) || base.find(".min.") != std::string::npos))
    prior *= 0.4;
  return prior;
}

// path_prior() depends on nothing but the file and one flag of the query:
// computed once per file and index version.
double cached_path_prior(const CodeIndex::View& v, uint32_t slot, const std::string& path,
                         bool tests_wanted) {
  std::vector<double>& priors = v.derived().path_priors[tests_wanted ? 1 : 0];
  if (priors.size() < v.slot_count()) priors.resize(v.slot_count(), std::nan(""));
  double& prior = priors[slot];
  if (std::isnan(prior)) prior = path_prior(path, v.lang(slot), tests_wanted);
  return prior;
}

}  // namespace

std::vector<SearchHit> rank_files(const CodeIndex::View& v, const ParsedQuery& q, size_t k,
                                  bool explain, const std::function<std::string(uint32_t)>* read,
                                  const std::vector<std::pair<std::string, double>>* dense) {
  const double n_docs = std::max<double>(1, v.live_count());
  Scores bm25, path, sym, mention;

  // Content and path BM25, accumulated densely by slot: a common word's
  // postings cover most of a big tree.
  std::vector<double> content(v.slot_count(), 0.0), in_path(v.slot_count(), 0.0);
  std::vector<uint32_t> touched;
  const double k1 = 0.9, b = 0.375;
  const double avg_len = v.avg_len();
  auto idf_of = [&](size_t df) {
    return std::log(1.0 + (n_docs - static_cast<double>(df) + 0.5) / (static_cast<double>(df) + 0.5));
  };
  auto score_term = [&](const std::string& term, double qw) {
    auto ps = v.postings(term);
    double idf = idf_of(ps.size());
    for (const Posting& p : ps) {
      if (p.slot >= content.size()) continue;
      double len = v.term_count(p.slot);
      double tf = p.tf;
      if (content[p.slot] == 0 && in_path[p.slot] == 0) touched.push_back(p.slot);
      content[p.slot] += qw * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg_len));
    }
    for (const char* prefix : {"P:", "F:"}) {
      auto pps = v.postings(prefix + term);
      double pidf = idf_of(pps.size());
      for (const Posting& p : pps) {
        if (p.slot >= content.size()) continue;
        if (content[p.slot] == 0 && in_path[p.slot] == 0) touched.push_back(p.slot);
        in_path[p.slot] += qw * pidf;
      }
    }
  };
  std::unordered_map<std::string, int> qtf;
  for (auto& t : q.terms) ++qtf[t];
  std::unordered_set<std::string> in_title;
  for (const std::string& w : q.title_words) in_title.insert(stem(w));
  for (auto& [term, count] : qtf) {
    double title_lift = in_title.count(term) ? 1.0 + kTitleTermBoost : 1.0;
    score_term(term, (1.0 + std::log(static_cast<double>(count))) * title_lift);
  }
  // Adjacent words written as one name ("JUnit XML" -> junitxml.py,
  // "terminal writer" -> TerminalWriter): only where the repo has the
  // compound, scored like a query term.
  for (const std::string& c : q.compounds)
    if (!qtf.count(c)) score_term(c, 1.0);
  // Only the strongest content matches go on; path matches all do.
  if (touched.size() > kTextPool) {
    std::nth_element(touched.begin(), touched.begin() + static_cast<long>(kTextPool), touched.end(),
                     [&](uint32_t x, uint32_t y) { return content[x] + in_path[x] > content[y] + in_path[y]; });
  }
  for (size_t i = 0; i < touched.size(); ++i) {
    uint32_t slot = touched[i];
    if (i < kTextPool && content[slot] > 0) bm25[slot] = content[slot];
    if (in_path[slot] > 0) path[slot] = in_path[slot];
  }

  // Exact symbol hits, weighted by the mention's code-likeness and rarity.
  for (const QueryIdentifier& id : q.identifiers) {
    auto defs = v.definers(id.name);
    if (defs.empty() || defs.size() > 50) continue;
    double rarity = std::log(1.0 + n_docs / defs.size());
    for (uint32_t slot : defs) {
      double kind_w = 0.4;
      for (const Symbol& s : v.symbols(slot).defs) {
        if (s.name != id.name) continue;
        double w = (s.kind == SymbolKind::kClass || s.kind == SymbolKind::kInterface ||
                    s.kind == SymbolKind::kType)
                       ? 1.0
                   : (s.kind == SymbolKind::kFunction || s.kind == SymbolKind::kMethod) ? 0.7
                                                                                        : 0.4;
        kind_w = std::max(kind_w, w);
      }
      sym[slot] += id.weight * rarity * kind_w;
    }
  }

  // Files named in the query, stack frames and dotted module paths
  // (a.b.c -> a/b/c.py or a/b/c/__init__.py, then shorter prefixes).
  std::vector<std::string> mentions;
  for (const PathMention& m : q.paths) mentions.push_back(m.path);
  auto module_path = [](const std::vector<std::string>& parts, size_t n) {
    std::string mod;
    for (size_t j = 0; j < n; ++j) mod += (j ? "/" : "") + parts[j];
    return mod;
  };
  for (auto& parts : q.dotted) {
    for (size_t i = 1; i <= parts.size(); ++i) mentions.push_back(module_path(parts, i) + ".py");
    if (!parts.empty()) mentions.push_back("__init__.py");
  }
  PathResolver resolver(v, mentions);
  bool tests_wanted = false;
  // A project test file named in the query points at the module it tests
  // ("add a case to array/tests/test_rechunk.py" -> rechunk.py): that module
  // is as good as named.
  std::vector<std::pair<std::string, double>> spelled;
  for (auto& m : q.paths) {
    if (m.traceback) continue;  // frames: frame_scores()
    int matched = 0;
    std::vector<uint32_t> slots = resolver.resolve(m.path, &matched);
    if (matched == 0 || slots.size() > 3) continue;
    // A bare file name is weaker evidence than a path.
    double w = matched >= 2 ? 1.0 : 0.6;
    for (uint32_t slot : slots) {
      mention[slot] = std::max(mention[slot], w);
      // The query names one of the project's own test files: tests are
      // in play (a reporter's own test_x.py resolves to nothing).
      if (q.mentions_tests && is_test_path(v.path(slot))) tests_wanted = true;
      std::string subject = tested_module_name(v.path(slot));
      if (!subject.empty()) spelled.push_back({subject, w});
    }
  }
  // Adjacent words that spell a module's name ("man page" -> manpage.py,
  // "JUnit XML" -> junitxml.py): as good as naming the file; so is a title
  // word that is the name of one or two modules ("[linkcheck] ...").
  for (const std::string& c : q.compounds) spelled.push_back({c, kCompoundFileMention});
  for (const std::string& w : q.title_words) spelled.push_back({w, kTitleWordFileMention});
  if (!q.title_component.empty()) spelled.push_back({q.title_component, kTitleComponentFileMention});
  for (const auto& [c, weight] : spelled) {
    // Path terms are stemmed ("groups" -> "group"); the name must still be
    // the word itself, or its stem (a title's "groups" names groups.py).
    std::vector<uint32_t> named;
    const std::string stemmed = stem(c);
    for (const Posting& p : v.postings("P:" + stemmed)) {
      std::string_view path = v.path(p.slot);
      size_t slash = path.rfind('/');
      std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
      std::string name = str::to_lower(base.substr(0, base.find('.')));
      if (name == c || stem(name) == stemmed) named.push_back(p.slot);
    }
    if (named.empty() || named.size() > 3) continue;
    for (uint32_t slot : named) mention[slot] = std::max(mention[slot], weight);
  }
  // Stack frames: the deepest in-repo frame is where the failure surfaced.
  Scores frames = frame_scores(v, q, resolver);
  for (auto& parts : q.dotted) {
    for (size_t i = parts.size(); i >= 1; --i) {
      std::string mod = module_path(parts, i);
      int matched = 0;
      std::vector<uint32_t> slots = resolver.resolve(mod + ".py", &matched);
      if (matched < static_cast<int>(i)) {
        slots = resolver.resolve(mod + "/__init__.py", &matched);
        if (matched < static_cast<int>(i) + 1) slots.clear();
      }
      if (slots.empty() || slots.size() > 2) continue;
      double w = i >= 2 ? 0.6 : 0.2;
      for (uint32_t slot : slots) {
        if (i < parts.size()) {
          for (const Symbol& s : v.symbols(slot).defs)
            if (s.name == parts[i]) {
              w += 0.3;
              break;
            }
        }
        mention[slot] = std::max(mention[slot], w);
      }
      break;
    }
  }

  // `from a.b.c import x`: the reporter says where x lives; the file
  // under a/b/c that defines it is as good as named (`from
  // sympy.physics.units import convert_to` -> physics/units/util.py).
  for (const ImportMention& imp : q.imports) {
    if (imp.module.size() < 2) continue;  // the package itself: every file
    std::string dir = module_path(imp.module, imp.module.size());
    for (const std::string& name : imp.names) {
      std::vector<uint32_t> inside;
      for (uint32_t slot : v.definers(name)) {
        std::string_view p = v.path(slot);
        size_t at = p.find(dir);
        bool in_package = at != std::string_view::npos && (at == 0 || p[at - 1] == '/') &&
                          at + dir.size() < p.size() &&
                          (p[at + dir.size()] == '/' || p.substr(at + dir.size()) == ".py");
        if (in_package) inside.push_back(slot);
      }
      if (inside.empty() || inside.size() > 2) continue;
      for (uint32_t slot : inside) mention[slot] = std::max(mention[slot], kImportedNameMention);
    }
  }

  // The title's names that only a few files define.
  Scores title;
  for (const std::string& name : q.title_identifiers) {
    auto defs = v.definers(name);
    if (defs.empty() || defs.size() > 3) continue;
    for (uint32_t slot : defs) title[slot] += 1.0 / static_cast<double>(defs.size());
  }
  Scores method = method_scores(v, q);
  double mb = max_of(bm25), mp = max_of(path), ms = max_of(sym);
  Scores base;
  std::unordered_map<uint32_t, std::string> why;
  auto note = [&](uint32_t slot, const char* signal, double x) {
    if (!explain || x == 0) return;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s%s %.3f", why[slot].empty() ? "" : " ", signal, x);
    why[slot] += buf;
  };
  auto add_named = [&](const char* signal, const Scores& s, double max, double weight) {
    if (max <= 0) return;
    for (auto& [slot, x] : s) {
      base[slot] += weight * x / max;
      note(slot, signal, weight * x / max);
    }
  };
  add_named("bm25", bm25, mb, 1.0);
  add_named("path", path, mp, 0.35);
  // Normalised against a clear hit (a backticked class defined once), so
  // that a prose word defined somewhere does not count as a full match.
  add_named("sym", sym, std::max(ms, kSymFloor * std::log(1.0 + n_docs)), 0.5);
  add_named("mention", mention, 1.0, 1.6);
  // The deepest in-repo frame is where a crash surfaced; it outweighs a
  // class the title names (2.4 vs 1.8 before: +1 at R@1 on the dev set and
  // on 40 sympy issues, no change on the other sets; 3.2 lost one).
  add_named("frames", frames, 1.0, 2.4);
  add_named("method", method, 1.0, 0.5);
  add_named("title", title, max_of(title), kTitleWeight);
  if (dense && !dense->empty()) {
    Scores near;
    for (const auto& [path, sim] : *dense)
      if (auto slot = v.find(path); slot && sim > 0) near[*slot] = sim;
    add_named("dense", near, max_of(near), kDenseWeight);
  }
  if (read && !q.literals.empty()) {
    Scores verbatim = verbatim_scores(v, q.literals, *read);
    double scale = std::max(max_of(verbatim), kVerbatimFloor * std::log(1.0 + n_docs));
    add_named("verbatim", verbatim, scale, kVerbatimWeight);
  }
  // Files that implement what the issue describes name their own functions
  // and classes with its distinctive words: the helper module behind the
  // public class an issue names.
  {
    std::vector<std::pair<uint32_t, double>> top(base.begin(), base.end());
    size_t n = std::min<size_t>(top.size(), 40);
    std::partial_sort(top.begin(), top.begin() + n, top.end(),
                      [](auto& x, auto& y) { return x.second > y.second; });
    std::vector<uint32_t> cand;
    for (size_t i = 0; i < n; ++i) cand.push_back(top[i].first);
    Scores defs = definition_term_scores(v, q, cand);
    add_named("defs", defs, max_of(defs), 0.4);
  }
  // Only the strongest candidates can reach the top k once the priors
  // (all <= 1) are applied: a common word touches most of a big tree, and
  // weighing every file's path costs more than the ranking itself.
  if (base.size() > kPriorPool + k) {
    std::vector<std::pair<uint32_t, double>> all(base.begin(), base.end());
    std::nth_element(all.begin(), all.begin() + static_cast<long>(kPriorPool + k), all.end(),
                     [](auto& x, auto& y) { return x.second > y.second; });
    all.resize(kPriorPool + k);
    base = Scores(all.begin(), all.end());
  }
  const LanguageShares& shares = language_shares(v);
  for (auto& [slot, x] : base) {
    std::string p(v.path(slot));
    double prior = cached_path_prior(v, slot, p, tests_wanted) *
                   language_prior(shares, v.lang(slot), p, q);
    x *= prior;
    if (prior != 1.0) note(slot, "prior x", prior);
  }

  // Graph proximity: personalized PageRank from the strongest candidates.
  std::vector<std::pair<uint32_t, double>> ranked(base.begin(), base.end());
  std::sort(ranked.begin(), ranked.end(), [&](auto& x, auto& y) {
    return x.second != y.second ? x.second > y.second : v.path(x.first) < v.path(y.first);
  });
  if (ranked.size() > 1) {
    std::unordered_set<std::string> boost;
    for (auto& id : q.identifiers)
      if (id.weight >= 1.0) boost.insert(id.name);
    Scores seeds;
    for (size_t i = 0; i < ranked.size() && i < 10; ++i) seeds[ranked[i].first] = ranked[i].second;
    Scores pr = local_pagerank(v, seeds, boost, 0.85, kPageRankEps);
    double mx = max_of(pr);
    double top = ranked.front().second;
    if (mx > 0) {
      for (auto& [slot, r] : pr) {
        auto it = base.find(slot);
        if (it == base.end()) continue;
        it->second += 0.15 * top * r / mx;
        note(slot, "graph +", 0.15 * top * r / mx);
      }
    }
    ranked.assign(base.begin(), base.end());
    std::sort(ranked.begin(), ranked.end(), [&](auto& x, auto& y) {
      return x.second != y.second ? x.second > y.second : v.path(x.first) < v.path(y.first);
    });
  }
  std::vector<SearchHit> hits;
  for (size_t i = 0; i < ranked.size() && hits.size() < k; ++i) {
    if (ranked[i].second <= 0) break;
    hits.push_back({std::string(v.path(ranked[i].first)), ranked[i].second, {}, why[ranked[i].first]});
  }
  return hits;
}

Result<std::vector<SearchHit>> search(CodeIndex& index, std::string_view query,
                                      const SearchOptions& options) {
  if (str::trim(query).empty()) return make_error(ErrorKind::kBadInput, "empty search query");
  if (options.refresh) {
    auto r = index.refresh();
    if (!r.ok()) return r.error();
  }
  ParsedQuery q = parse_query(query);
  std::vector<SearchHit> hits;
  const size_t pool = std::max<size_t>(options.k, kLiteralPool);
  std::vector<std::pair<std::string, double>> near;
  if (options.dense) {
    auto got = options.dense(query);
    if (!got.ok()) return got.error();
    near = std::move(got.value());
  }
  std::unordered_map<std::string, double> idf;
  index.read([&](const CodeIndex::View& v) {
    std::function<std::string(uint32_t)> read = [&](uint32_t slot) {
      auto c = fs::read_file(index.root() + "/" + std::string(v.path(slot)));
      return c.ok() && c.value().size() <= (4u << 20) ? std::move(c.value()) : std::string();
    };
    hits = rank_files(v, q, pool, options.explain, &read, near.empty() ? nullptr : &near);
    const double n = std::max<double>(1, v.live_count());
    for (const std::string& t : q.terms) {
      if (idf.count(t)) continue;
      double df = static_cast<double>(v.postings(t).size());
      if (df > 0) idf[t] = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
    }
  });
  rerank_second_stage(index.root(), q, idf, options.explain, hits);
  if (hits.size() > options.k) hits.resize(options.k);
  if (options.lines_per_file > 0) {
    for (SearchHit& h : hits) {
      auto content = fs::read_file(index.root() + "/" + h.path);
      if (content.ok() && !str::looks_binary(content.value()))
        h.lines = best_lines(h.path, content.value(), q, options.lines_per_file);
    }
  }
  return hits;
}

}  // namespace bastion::index
