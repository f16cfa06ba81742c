#include "index/search_second_stage.h"

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "index/search_signals.h"
#include "index/tokenize.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::index {
// The lines of `content` that best match the query: mentioned line
// numbers, definitions of mentioned identifiers, then lines dense in rare
// query terms.
std::vector<SearchLine> best_lines(const std::string& path, const std::string& content,
                                   const ParsedQuery& q, size_t want) {
  std::vector<std::string> lines = str::split_lines(content);
  std::unordered_set<std::string> qterms(q.terms.begin(), q.terms.end());
  std::unordered_set<std::string> ids;
  for (auto& id : q.identifiers)
    if (id.weight >= 0.5) ids.insert(id.name);
  std::vector<std::pair<double, uint32_t>> scored;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.size() > 400) continue;
    std::vector<std::string> t;
    append_terms(l, t);
    std::unordered_set<std::string> seen;
    double s = 0;
    for (auto& x : t)
      if (qterms.count(x) && seen.insert(x).second) s += 1;
    for (auto& id : ids)
      if (l.find(id) != std::string::npos) s += 2;
    std::string_view tl = str::trim(l);
    if (str::starts_with(tl, "def ") || str::starts_with(tl, "class ") ||
        str::starts_with(tl, "func ") || str::starts_with(tl, "fn "))
      s *= 1.5;
    for (auto& m : q.paths)
      if (m.line == i + 1 && !path_components(m.path).empty() &&
          str::ends_with(path, path_components(m.path).back()))
        s += 100;
    if (s > 0) scored.push_back({s, static_cast<uint32_t>(i + 1)});
  }
  std::stable_sort(scored.begin(), scored.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<SearchLine> out;
  for (size_t i = 0; i < scored.size() && out.size() < want; ++i) {
    uint32_t ln = scored[i].second;
    out.push_back({ln, std::string(str::trim(str::truncate_utf8(lines[ln - 1], 160)))});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.line < b.line; });
  return out;
}

// Second stage, over the top kLiteralPool files: those holding the query's
// literals verbatim (a message id, an option, a quoted error) gain up to
// kLiteralWeight of their score; those whose best kPassageLines-line passage
// holds fewer of the query's terms (by IDF) than the best candidate's lose up
// to kPassageWeight. Weights chosen on the held-out history set, checked on
// the dev set (docs/BENCHMARKS.md, Localization, session 2).
namespace {
constexpr double kLiteralWeight = 1.0;
constexpr size_t kPassageLines = 40;
constexpr double kPassageWeight = 0.3;
}  // namespace

// Second stage over the top kLiteralPool files, reading their text:
// verbatim literals, and the best passage (query terms close together).
void rerank_second_stage(const std::string& root, const ParsedQuery& q,
                         const std::unordered_map<std::string, double>& idf, bool explain,
                         std::vector<SearchHit>& hits) {
  if (hits.size() < 2) return;
  std::vector<std::string> contents, paths;
  for (const SearchHit& h : hits) {
    paths.push_back(h.path);
    auto c = fs::read_file(root + "/" + h.path);
    contents.push_back(c.ok() && c.value().size() <= (4u << 20) ? std::move(c.value()) : "");
  }
  std::vector<double> lit = literal_scores(contents, q.literals);
  double ml = *std::max_element(lit.begin(), lit.end());
  std::vector<double> pass = passage_scores(contents, paths, idf, kPassageLines);
  double mp = *std::max_element(pass.begin(), pass.end());
  for (size_t i = 0; i < hits.size(); ++i) {
    double lift = 1.0;
    if (ml > 0) lift += kLiteralWeight * lit[i] / ml;
    if (mp > 0) lift *= 1.0 + kPassageWeight * (pass[i] / mp - 1.0);
    hits[i].score *= lift;
    if (explain) {
      char buf[48];
      std::snprintf(buf, sizeof buf, " text x%.3f", lift);
      hits[i].why += buf;
    }
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; });
}

}  // namespace bastion::index
