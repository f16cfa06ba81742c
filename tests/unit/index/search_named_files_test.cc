// How a query names files without giving their paths: adjacent words that
// spell a module, title words, a title's component label, a project test
// file (its module), the project's own tooling, `from a.b import x`.
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

TEST(SearchRanking, AdjacentWordsThatSpellAModuleNameNameTheFile) {
  TempRepo repo;
  repo.write("pkg/writers/manpage.py", "class Translator:\n    def visit_rubric(self, node):\n        pass\n");
  std::string app = "class Application:\n";
  for (int i = 0; i < 10; ++i) app += "    def page_" + std::to_string(i) + "(self):\n        return 'man page rubric'\n";
  repo.write("pkg/application.py", app);
  repo.write("pkg/locale/fr/messages.po", "msgid \"man page\"\nmsgstr \"page de manuel\"\n");
  for (int i = 0; i < 20; ++i)
    repo.write("pkg/m" + std::to_string(i) + ".py", "def g" + std::to_string(i) + "():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  ParsedQuery q = parse_query("invalid markup in man page when doctest follows rubric");
  EXPECT_EQ(top_file(*idx, q), "pkg/writers/manpage.py");
  q.compounds.clear();
  EXPECT_NE(top_file(*idx, q), "pkg/writers/manpage.py") << "the compound decides";
}

TEST(SearchRanking, ATitleWordThatIsAModuleNameNamesTheFile) {
  TempRepo repo;
  repo.write("pkg/builders/linkcheck.py", "class CheckExternalLinksBuilder:\n    def check(self, uri):\n        pass\n");
  std::string app = "class Application:\n";
  for (int i = 0; i < 10; ++i) app += "    def url_" + std::to_string(i) + "(self):\n        return 'case sensitive url fails'\n";
  repo.write("pkg/application.py", app);
  for (int i = 0; i < 20; ++i)
    repo.write("pkg/m" + std::to_string(i) + ".py", "def g" + std::to_string(i) + "():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  ParsedQuery q = parse_query("[linkcheck] checking a URL fails when case changes\nThe url is case sensitive.");
  EXPECT_EQ(top_file(*idx, q), "pkg/builders/linkcheck.py");
  q.title_words.clear();
  q.title_component.clear();
  EXPECT_EQ(top_file(*idx, q), "pkg/application.py") << "the title word decides";
}

TEST(SearchRanking, APluralTitleWordNamesTheModuleAsWell) {
  // Path terms are stemmed ("groups" -> "group"): the title's "groups" must
  // still find groups.py.
  TempRepo repo;
  repo.write("pkg/table/groups.py", "class TableGroups:\n    def keys(self):\n        pass\n");
  std::string app = "class Application:\n";
  for (int i = 0; i < 10; ++i) app += "    def agg_" + std::to_string(i) + "(self):\n        return 'aggregation is slow'\n";
  repo.write("pkg/application.py", app);
  for (int i = 0; i < 20; ++i)
    repo.write("pkg/m" + std::to_string(i) + ".py", "def g" + std::to_string(i) + "():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  ParsedQuery q = parse_query("Slow aggregation of groups\nThe aggregation is slow.");
  EXPECT_EQ(top_file(*idx, q), "pkg/table/groups.py");
  q.title_words.clear();
  q.title_component.clear();
  EXPECT_EQ(top_file(*idx, q), "pkg/application.py") << "the title word decides";
}

TEST(WordCompounds, AWordAndASmallNumberButNotAVersion) {
  auto c = word_compounds("Catch it with the Python 3 checker; HTML 5, Sphinx 1.3.3 and page 12b");
  auto has = [&](const char* s) { return std::find(c.begin(), c.end(), s) != c.end(); };
  EXPECT_TRUE(has("python3"));
  EXPECT_TRUE(has("html5"));
  EXPECT_FALSE(has("sphinx1"));
  EXPECT_FALSE(has("page12"));
  EXPECT_FALSE(has("page12b"));
}

TEST(SearchRanking, TheProjectsOwnToolingRanksBelowThePackage) {
  TempRepo repo;
  const std::string text = "def check(fragment):\n    # a false positive for used before assignment\n    return fragment\n";
  repo.write("scripts/check_news.py", text);
  repo.write("src/checkers/variables.py", text);
  for (int i = 0; i < 20; ++i)
    repo.write("pkg/m" + std::to_string(i) + ".py", "def g" + std::to_string(i) + "():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  EXPECT_EQ(top_file(*idx, parse_query("false positive for used before assignment")),
            "src/checkers/variables.py");
}

TEST(SearchRanking, OnlyTheProjectsOwnTestFilesPutTestsInPlay) {
  TempRepo repo;
  repo.write("src/mark.py", "def parse_marker_line(line):\n    return line.split(':')\n");
  repo.write("testing/test_mark.py",
             "def test_marker_with_space():\n    # extra space in ini markers before the colon\n"
             "    assert parse_marker_line('mymarker : x')  # a marker line with a space\n");
  for (int i = 0; i < 20; ++i)
    repo.write("src/m" + std::to_string(i) + ".py", "def g" + std::to_string(i) + "():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  // The reporter's own test file (not in the repo) keeps tests discounted.
  EXPECT_EQ(top_file(*idx, parse_query("extra space in ini markers before the colon\n"
                                       "my test_example.py has a marker line with a space")),
            "src/mark.py");
  // Naming the project's test file puts it in play.
  EXPECT_EQ(top_file(*idx, parse_query("testing/test_mark.py: markers with a space before the colon "
                                       "in ini fail")),
            "testing/test_mark.py");
}

// "Add a case to array/tests/test_rechunk.py": the module that test file is
// named after is as good as named, and outranks the test file itself.
TEST(SearchRanking, ANamedTestFilePointsAtTheModuleItTests) {
  TempRepo repo;
  repo.write("pkg/array/rechunk.py", "def plan_rechunk(old, new):\n    return [old, new]\n");
  repo.write("pkg/array/tests/test_rechunk.py",
             "from pkg.array.rechunk import plan_rechunk\n"
             "def test_plan_rechunk():\n    steps = plan_rechunk(1, 2)\n"
             "    assert steps == [(2, 2)]  # no no-op step\n");
  repo.write("pkg/array/core.py", "def plan(x):\n    return x\ndef steps(x):\n    return x\n");
  for (int i = 0; i < 20; ++i)
    repo.write("pkg/m" + std::to_string(i) + ".py", "def g" + std::to_string(i) + "():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  ParsedQuery q = parse_query(
      "plan_rechunk sometimes adds a no-op step\n\nIt shows by adding a test to "
      "`pkg/array/tests/test_rechunk.py::test_plan_rechunk`:\n"
      "    steps = plan((c, c), (f, f))\n    assert_steps(steps, [(f, f)])\n");
  EXPECT_EQ(top_file(*idx, q), "pkg/array/rechunk.py");
  EXPECT_GT(score_of(*idx, q, "pkg/array/tests/test_rechunk.py"),
            score_of(*idx, q, "pkg/array/core.py"));
}

// "[linkcheck] ...": the component the title is labelled with outranks the
// module that prints the log lines pasted below it.
TEST(SearchRanking, ATitlesComponentLabelNamesItsModule) {
  TempRepo repo;
  repo.write("docs/builders/__init__.py",
             "def build(self):\n    logger.info('writing output... ')\n"
             "    logger.info('loading pickled environment... done')\n    return self.write()\n");
  repo.write("docs/builders/linkcheck.py",
             "def check_uri(uri):\n    if uri.startswith('http'):\n        code = 0\n    return code\n");
  for (int i = 0; i < 20; ++i)
    repo.write("docs/m" + std::to_string(i) + ".py", "def g" + std::to_string(i) + "():\n    return 0\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  const std::string body =
      " UnboundLocalError when a URL changes case\n\n```\nloading pickled environment... done\n"
      "writing output... [ 20%] authors\nwriting output... [ 40%] changelog\n```\n";
  EXPECT_EQ(top_file(*idx, parse_query("[linkcheck]" + body)), "docs/builders/linkcheck.py");
}

TEST(SearchRanking, TestedModuleNameFromTestFileNames) {
  EXPECT_EQ(tested_module_name("pkg/tests/test_rechunk.py"), "rechunk");
  EXPECT_EQ(tested_module_name("server/Router_test.go"), "router");
  EXPECT_EQ(tested_module_name("src/parser.test.ts"), "parser");
  EXPECT_EQ(tested_module_name("src/parser.spec.js"), "parser");
  EXPECT_EQ(tested_module_name("tests/conftest.py"), "");
  EXPECT_EQ(tested_module_name("tests/helpers.py"), "");
  EXPECT_EQ(tested_module_name("src/rechunk.py"), "");
  EXPECT_EQ(tested_module_name("test_x"), "x");
}

// `from pkg.units import convert_to`: the file under pkg/units defining it
// is as good as named, while a same-named function elsewhere is not.
TEST(SearchRanking, ImportedNameFindsItsDefinerInsideThePackage) {
  TempRepo repo;
  repo.write("pkg/units/__init__.py", "from pkg.units.util import convert_to\n");
  repo.write("pkg/units/util.py", "def convert_to(expr, unit):\n    return expr\n");
  repo.write("pkg/other/convert.py", "def convert_to(expr, unit):\n    return unit\n");
  repo.write("pkg/core/power.py", "class Pow:\n    def inverse(self):\n        return self\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  ParsedQuery q = parse_query("Conversion of an inverse is wrong (bad Pow handling)\n\n"
                              "from pkg.units import m, convert_to\nconvert_to(1/m, m)\n");
  ASSERT_EQ(q.imports.size(), 1u);
  double with = score_of(*idx, q, "pkg/units/util.py");
  double other_with = score_of(*idx, q, "pkg/other/convert.py");
  EXPECT_GT(with, other_with);
  q.imports.clear();
  double without = score_of(*idx, q, "pkg/units/util.py");
  double other_without = score_of(*idx, q, "pkg/other/convert.py");
  EXPECT_GT(with / other_with, 1.3 * without / other_without);
}

}  // namespace
}  // namespace bastion::index
