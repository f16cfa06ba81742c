// Ranking signals added in session 2: each test builds a small repo where
// the signal alone decides which file ranks first.
#include <gtest/gtest.h>

#include "index/search.h"
#include "index/search_signals.h"
#include "index_fixture.h"
#include "ranking_helpers.h"

namespace bastion::index {
namespace {

using testing::TempRepo;
using testing::score_of;
using testing::top_file;

TEST(WordCompounds, JoinsAdjacentProseWordsOnly) {
  auto c = word_compounds("The JUnit XML report breaks. Terminal\nwriter and the time-out");
  EXPECT_NE(std::find(c.begin(), c.end(), "junitxml"), c.end());
  EXPECT_NE(std::find(c.begin(), c.end(), "xmlreport"), c.end());
  EXPECT_NE(std::find(c.begin(), c.end(), "timeout"), c.end());
  // Not across a sentence end or a line break, not through stopwords.
  EXPECT_EQ(std::find(c.begin(), c.end(), "breaksterminal"), c.end());
  EXPECT_EQ(std::find(c.begin(), c.end(), "terminalwriter"), c.end());
  EXPECT_EQ(std::find(c.begin(), c.end(), "writerline"), c.end());
  EXPECT_TRUE(word_compounds("").empty());
  EXPECT_TRUE(word_compounds("a b").empty());
}

TEST(SearchRanking, CompoundOfProseWordsLiftsTheFileNamedByIt) {
  TempRepo repo;
  // The issue says "JUnit XML"; the module is junitxml.py and never writes
  // "junit" or "xml" as separate words.
  repo.write("pkg/junitxml.py",
             "def bin_escape(arg):\n    return arg.encode('unicode_escape')\n"
             "class LogWriter:\n    def add_failure(self, text):\n        return bin_escape(text)\n");
  repo.write("pkg/reports.py", "class Report:\n    def message(self):\n        return 'report'\n");
  repo.write("pkg/other.py", "def unrelated():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  ParsedQuery q = parse_query("JUnit XML report escapes emoji in failure messages");
  double with = score_of(*idx, q, "pkg/junitxml.py");
  double other_with = score_of(*idx, q, "pkg/reports.py");
  q.compounds.clear();
  double without = score_of(*idx, q, "pkg/junitxml.py");
  double other_without = score_of(*idx, q, "pkg/reports.py");
  EXPECT_GT(with, 0);
  // Relative to the other candidate, the file named by the compound gains.
  EXPECT_GT(with / other_with, without / other_without);
}

TEST(SearchRanking, MinorityLanguagePrior) {
  LanguageShares shares;
  shares.files = {{static_cast<int>(Lang::kPython), 95}, {static_cast<int>(Lang::kJavaScript), 5}};
  shares.total = 100;
  ParsedQuery prose = parse_query("the sidebar does not collapse");
  EXPECT_DOUBLE_EQ(language_prior(shares, Lang::kPython, "pkg/a.py", prose), 1.0);
  double js = language_prior(shares, Lang::kJavaScript, "static/sidebar.js", prose);
  EXPECT_LT(js, 0.7);
  EXPECT_GE(js, 0.5);
  // TypeScript shares the JavaScript family's count.
  EXPECT_DOUBLE_EQ(language_prior(shares, Lang::kTypeScript, "web/a.ts", prose), js);
  // Naming a file of that kind lifts the prior.
  ParsedQuery named = parse_query("static/sidebar.js does not collapse");
  EXPECT_DOUBLE_EQ(language_prior(shares, Lang::kJavaScript, "static/sidebar.js", named), 1.0);
  EXPECT_DOUBLE_EQ(language_prior(shares, Lang::kNone, "README", prose), 1.0);
  EXPECT_DOUBLE_EQ(language_prior(LanguageShares{}, Lang::kJavaScript, "a.js", prose), 1.0);
}

TEST(SearchRanking, BundledMinorityLanguageFileDoesNotOutrankTheCode) {
  TempRepo repo;
  for (int i = 0; i < 20; ++i)
    repo.write("pkg/mod" + std::to_string(i) + ".py",
               "def helper" + std::to_string(i) + "():\n    return 1\n");
  // The Python module says it twice; the bundled script four times.
  repo.write("pkg/layout.py",
             "def render(state):\n    # the sidebar may collapse; collapse the sidebar\n"
             "    return state\n");
  repo.write("pkg/static/theme.js",
             "function toggle(el, on) {\n  // sidebar collapse: collapse sidebar\n"
             "  return on ? el.sidebar.collapse() : el.sidebar.collapse(on);\n}\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  EXPECT_EQ(top_file(*idx, parse_query("the sidebar does not collapse")), "pkg/layout.py");
}

TEST(QueryLiterals, BackticksQuotesAndOptions) {
  auto l = query_literals(
      "False positive for `method-hidden` with 'cached_property'; don't run "
      "--last-failed or \"x\". Multi\n`line span` is ok, `a` is short.");
  EXPECT_NE(std::find(l.begin(), l.end(), "method-hidden"), l.end());
  EXPECT_NE(std::find(l.begin(), l.end(), "cached_property"), l.end());
  EXPECT_NE(std::find(l.begin(), l.end(), "--last-failed"), l.end());
  EXPECT_NE(std::find(l.begin(), l.end(), "line span"), l.end());
  EXPECT_EQ(std::find(l.begin(), l.end(), "x"), l.end());  // too short
  EXPECT_EQ(std::find(l.begin(), l.end(), "a"), l.end());
  for (auto& s : l) EXPECT_EQ(s.find('\n'), std::string::npos);
  EXPECT_TRUE(query_literals("").empty());
  EXPECT_TRUE(query_literals("unbalanced ` quote").empty());
}

TEST(QueryLiterals, BareKebabNamesButNotUrlsOrPaths) {
  auto l = query_literals(
      "trailing-comma-tuple not reported; wrong-import-order too. See "
      "https://github.com/pytest-dev/pytest-xdist/issues and docs/user-guide/x.md, "
      "my-mod.py, a no-member, x-y, big-o, well-known-thing-\n");
  auto has = [&](const char* s) { return std::find(l.begin(), l.end(), s) != l.end(); };
  EXPECT_TRUE(has("trailing-comma-tuple"));
  EXPECT_TRUE(has("wrong-import-order"));
  EXPECT_TRUE(has("well-known-thing"));
  EXPECT_FALSE(has("pytest-dev"));     // inside a URL
  EXPECT_FALSE(has("pytest-xdist"));
  EXPECT_FALSE(has("user-guide"));     // a path component
  EXPECT_FALSE(has("my-mod"));         // a file name
  EXPECT_TRUE(has("no-member"));
  EXPECT_FALSE(has("big-o"));          // too short to be a name
  EXPECT_FALSE(has("x-y"));
}

TEST(QueryLiterals, ErrorMessagesInFormatStringPieces) {
  auto l = query_literals(
      "stacked.to_unstacked_dataset('y')\n"
      "# MergeError: conflicting values for variable 'y' on objects to be combined. "
      "You can skip this check by specifying compat='override'.\n"
      "ValueError: 3 is short\n"
      "KeyError: 'setosa'\n");
  auto has = [&](const char* s) { return std::find(l.begin(), l.end(), s) != l.end(); };
  EXPECT_TRUE(has("conflicting values for variable"));
  EXPECT_TRUE(has("on objects to be combined"));
  EXPECT_TRUE(has("You can skip this check by specifying compat="));
  EXPECT_FALSE(has("is short"));  // under three words
  for (auto& s : l) EXPECT_LE(s.size(), 60u) << s;
}

TEST(SearchRanking, QuotedErrorMessageIsGreppedRepoWide) {
  TempRepo repo;
  // The message lives in a helper module the issue never names; the module
  // the issue does name (the public API) is larger and holds its words.
  repo.write("pkg/merge.py",
             "def merge_collected(objs):\n"
             "    raise MergeError(f'conflicting values for variable {name!r} on objects to be combined')\n");
  std::string api = "class Dataset:\n";
  for (int i = 0; i < 30; ++i)
    api += "    def to_stacked_array_" + std::to_string(i) +
           "(self, variable, objects):\n        return merge_collected(objects)  # combined values\n";
  repo.write("pkg/dataset.py", api);
  for (int i = 0; i < 40; ++i)
    repo.write("pkg/other" + std::to_string(i) + ".py",
               "def f" + std::to_string(i) + "(variable):\n    return variable\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  auto q = parse_query(
      "Dataset.to_stacked_array roundtrip fails\n"
      "MergeError: conflicting values for variable 'y' on objects to be combined.");
  SearchOptions opt;
  opt.k = 3;
  opt.lines_per_file = 0;
  opt.refresh = false;
  auto hits = search(*idx, "Dataset.to_stacked_array roundtrip fails\n"
                           "MergeError: conflicting values for variable 'y' on objects to be combined.",
                     opt);
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ(hits->front().path, "pkg/merge.py");
  // Without the repo-wide grep (rank_files without a reader) the API file wins.
  EXPECT_EQ(top_file(*idx, q), "pkg/dataset.py");
}

TEST(SearchRanking, LiteralScoresWeighRareVerbatimMatches) {
  std::vector<std::string> files = {
      "msgs = {'W0201': ('method-hidden', ...)}\n",  // defines the message id
      "# a hidden method\n",                          // only the words
      "x = 'method-hidden' if common else common\n"};
  auto s = literal_scores(files, {"method-hidden", "common"});
  EXPECT_GT(s[0], 0);
  EXPECT_DOUBLE_EQ(s[1], 0);
  EXPECT_GT(s[2], s[0]);  // holds both literals
  // A literal every candidate holds says nothing.
  auto all = literal_scores(files, {"m"});
  for (double x : all) EXPECT_DOUBLE_EQ(x, 0);
}

TEST(SearchRanking, SearchLiftsTheFileHoldingTheMessageId) {
  TempRepo repo;
  // The checker defines the message id only as a string; another checker
  // talks about hidden methods at length.
  repo.write("pkg/classes.py",
             "MSGS = {'W0202': ('method-hidden', 'used when a method is shadowed')}\n"
             "def visit_functiondef(node):\n    return node\n");
  repo.write("pkg/typecheck.py",
             "# a method hidden by an attribute: the hidden method is never called\n"
             "def check_hidden_method(node):\n    hidden = node.method\n    return hidden\n");
  repo.write("pkg/other.py", "def unrelated():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  const char* query = "Fix a false positive for `method-hidden` on a hidden method";
  ParsedQuery q = parse_query(query);
  ASSERT_EQ(top_file(*idx, q), "pkg/typecheck.py");  // first stage alone
  SearchOptions opt;
  opt.refresh = false;
  opt.lines_per_file = 0;
  auto hits = search(*idx, query, opt);
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits.value().empty());
  EXPECT_EQ(hits.value().front().path, "pkg/classes.py");
}

TEST(SearchRanking, PassageScoresPreferTermsCloseTogether) {
  std::string filler;
  for (int i = 0; i < 100; ++i) filler += "x = 1\n";
  std::vector<std::string> files = {
      // All three terms in one function.
      "def render_legend(handles):\n    offset = compute_offset(handles)\n    return offset\n",
      // The same terms, scattered 100 lines apart.
      "def render():\n" + filler + "def legend():\n" + filler + "def offset():\n",
      ""};
  std::unordered_map<std::string, double> w = {{"render", 1.0}, {"legend", 2.0}, {"offset", 3.0}};
  auto s = passage_scores(files, {}, w, 40);
  EXPECT_DOUBLE_EQ(s[0], 6.0);
  EXPECT_DOUBLE_EQ(s[1], 3.0);  // at best one term per 40-line window
  EXPECT_DOUBLE_EQ(s[2], 0.0);
  // A window as large as the file sees every term again.
  EXPECT_DOUBLE_EQ(passage_scores(files, {}, w, 1000)[1], 6.0);
  // The path is part of every passage, counted once.
  auto p = passage_scores(files, {"pkg/legend.py", "pkg/legend.py", "pkg/legend.py"}, w, 40);
  EXPECT_DOUBLE_EQ(p[0], 6.0);
  EXPECT_DOUBLE_EQ(p[1], 5.0);  // legend (path) + offset
  EXPECT_DOUBLE_EQ(p[2], 2.0);
}

TEST(SearchRanking, ReleaseNotesAndBundledLibrariesYieldToTheSource) {
  TempRepo repo;
  // The changelog and a bundled, versioned script repeat the words
  // more often than the module that holds the bug.
  const std::string words = "toctree maxdepth numbering secnumdepth ";
  repo.write("CHANGES.rst", "* Fix toctree maxdepth numbering: apply_maxdepth ignored secnumdepth\n" + words +
                                words + words + "\n");
  repo.write("doc/changes/7.4.rst", words + words + "\n");
  repo.write("static/jquery-1.11.1.js", "function toctree_maxdepth_numbering_secnumdepth() {}\n" +
                                            std::string("// toctree maxdepth numbering secnumdepth\n"));
  repo.write("pkg/toctree.py", "def apply_maxdepth(node, depth):\n    return node.secnumdepth\n");
  repo.write("pkg/other.py", "def unrelated():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  ParsedQuery q = parse_query("toctree maxdepth numbering ignores secnumdepth");
  EXPECT_EQ(top_file(*idx, q), "pkg/toctree.py");
  // Release notes weigh under a fifth of what their words earn.
  std::vector<SearchHit> hits;
  idx->read([&](const CodeIndex::View& v) { hits = rank_files(v, q, 10, true); });
  int notes = 0;
  for (const SearchHit& h : hits) {
    if (h.path != "CHANGES.rst" && h.path != "doc/changes/7.4.rst") continue;
    ++notes;
    size_t at = h.why.find("prior x ");
    ASSERT_NE(at, std::string::npos) << h.why;
    EXPECT_LT(std::stod(h.why.substr(at + 8)), 0.2) << h.path << ": " << h.why;
  }
  EXPECT_EQ(notes, 2);
}

TEST(SearchRanking, ExplainListsTheSignalsBehindEachScore) {
  TempRepo repo;
  repo.write("pkg/engine.py", "class Engine:\n    def start(self):\n        return 1\n");
  repo.write("tests/test_engine.py", "from pkg.engine import Engine\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  std::vector<SearchHit> hits;
  idx->read([&](const CodeIndex::View& v) { hits = rank_files(v, parse_query("Engine start"), 5, true); });
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_NE(hits[0].why.find("bm25 "), std::string::npos) << hits[0].why;
  EXPECT_NE(hits[0].why.find("sym "), std::string::npos) << hits[0].why;
  EXPECT_NE(hits[1].why.find("prior x"), std::string::npos) << "tests are discounted: " << hits[1].why;
  idx->read([&](const CodeIndex::View& v) { hits = rank_files(v, parse_query("Engine start"), 5); });
  EXPECT_TRUE(hits[0].why.empty());
}

TEST(SearchRanking, TitleNamesWhatBroke) {
  TempRepo repo;
  // The title names the grouped class; the body's example uses the public
  // Dataset class (and its file's name) far more often.
  repo.write("pkg/groupby.py",
             "class DatasetGroupBy:\n    def __repr__(self):\n        return 'grouped over'\n");
  std::string ds = "class Dataset:\n    def groupby(self, key):\n        return DatasetGroupBy()\n";
  for (int i = 0; i < 20; ++i)
    ds += "    def method_" + std::to_string(i) + "(self):\n        return Dataset()  # dataset repr\n";
  repo.write("pkg/dataset.py", ds);
  for (int i = 0; i < 30; ++i)
    repo.write("pkg/m" + std::to_string(i) + ".py", "def g" + std::to_string(i) + "():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  const std::string body =
      "\nWhen displaying a dataset grouped in a session, the repr has trailing whitespace:\n"
      "ds = xr.Dataset({'foo': 1})\nds.groupby('letters') Dataset dataset Dataset repr\n"
      "The grouping goes through `Dataset.groupby`.\n";
  ParsedQuery q = parse_query("Trailing whitespace in DatasetGroupBy text representation" + body);
  EXPECT_EQ(q.title_identifiers, std::vector<std::string>{"DatasetGroupBy"});
  EXPECT_EQ(top_file(*idx, q), "pkg/groupby.py");
  q.title_identifiers.clear();
  EXPECT_EQ(top_file(*idx, q), "pkg/dataset.py") << "without the title signal";
}

TEST(SearchRanking, AProseWordThatNamesADefinitionIsNotAFullSymbolHit) {
  TempRepo repo;
  repo.write("static/doctools.js", "function translation(text) { return text; }\n");
  repo.write("pkg/images.py", "class ImageCollector:\n    def process(self, node):\n        return node\n");
  for (int i = 0; i < 20; ++i)
    repo.write("pkg/m" + std::to_string(i) + ".py", "def g" + std::to_string(i) + "():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  auto sym_share = [&](const std::string& query, const std::string& path) {
    std::vector<SearchHit> hits;
    idx->read([&](const CodeIndex::View& v) { hits = rank_files(v, parse_query(query), 10, true); });
    for (auto& h : hits) {
      size_t at = h.why.find("sym ");
      if (h.path == path) return at == std::string::npos ? 0.0 : std::stod(h.why.substr(at + 4));
    }
    return -1.0;
  };
  // The signal's weight is 0.5 of a full mention; a backticked function
  // defined once gets most of it, the prose word a fraction.
  double prose = sym_share("No translation for the alt text of images", "static/doctools.js");
  double code = sym_share("`translation()` drops the alt text of images", "static/doctools.js");
  EXPECT_GT(code, 0.3);
  EXPECT_LT(prose * 3, code);
}

}  // namespace
}  // namespace bastion::index
