// passage_scores() tokenises only the lines that may yield a query term
// (lines_that_may_match). Property: on random code-like text full of
// camelCase, snake_case, plurals and -ing/-ed/-ies forms, it scores exactly
// as tokenising every line does (a plain reference, written out here).
#include <gtest/gtest.h>

#include <random>
#include <unordered_set>

#include "index/search_signals.h"
#include "index/tokenize.h"

namespace bastion::index {
namespace {

double reference_score(const std::string& text, const std::unordered_map<std::string, double>& w,
                       size_t window) {
  std::vector<std::vector<std::string>> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t e = text.find('\n', pos);
    if (e == std::string::npos) e = text.size();
    std::vector<std::string> terms, hit;
    if (e - pos <= 1000) append_terms(text.substr(pos, e - pos), terms);
    for (auto& t : terms)
      if (w.count(t)) hit.push_back(t);
    lines.push_back(hit);
    pos = e + 1;
  }
  std::unordered_map<std::string, int> inside;
  double cur = 0, best = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    for (auto& t : lines[i])
      if (inside[t]++ == 0) cur += w.at(t);
    if (i >= window)
      for (auto& t : lines[i - window])
        if (--inside[t] == 0) cur -= w.at(t);
    best = std::max(best, cur);
  }
  return best;
}

TEST(PassageScores, SkippingLinesChangesNothing) {
  const std::vector<std::string> words = {
      "studies", "Study", "study_id", "parseConfig", "parse_config", "PARSE", "configs",
      "running", "run", "Runner", "HTTPAdapter", "http_adapter", "adapted", "classes",
      "class_", "__init__", "x", "ab", "caf\xc3\xa9", "getHTTPResponseCode", "response_codes",
      "dependencies", "dependency", "passes", "addresses", "_private", "a_b_c", "abc"};
  const std::vector<std::string> seps = {" ", ".", "(", ")", ", ", "\n", "\n", "_", "\t", "\r\n"};
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> contents(3);
    for (std::string& text : contents)
      for (int i = 0, n = static_cast<int>(rng() % 400); i < n; ++i)
        text += words[rng() % words.size()] + seps[rng() % seps.size()];
    std::unordered_map<std::string, double> w;
    for (int i = 0; i < 4; ++i) {
      std::vector<std::string> q;
      append_terms(words[rng() % words.size()], q);
      for (auto& t : q) w[t] = 0.5 + (rng() % 7);
    }
    size_t window = 1 + rng() % 12;
    auto got = passage_scores(contents, {}, w, window);
    for (size_t f = 0; f < contents.size(); ++f)
      ASSERT_DOUBLE_EQ(got[f], reference_score(contents[f], w, window)) << "round " << round;
  }
}

}  // namespace
}  // namespace bastion::index
