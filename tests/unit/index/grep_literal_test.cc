// The grep's literal prefilter: which literal a pattern must contain (and
// when it cannot tell), the SIMD scan against std::string_view::find, and
// grep results with the prefilter on and off on lines built to trip it
// (matches across lines, lookarounds, anchors, CRLF, repeated literals).
#include "index/grep_literal.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "grep_fixture.h"
#include "index/grep.h"
#include "util/fs.h"

namespace bastion::index {
namespace {

TEST(RequiredLiteral, TakesTheLongestRequiredRun) {
  EXPECT_EQ(required_literal("xyzzy_no_such_token"), "xyzzy_no_such_token");
  EXPECT_EQ(required_literal("PROT_READ"), "PROT_READ");
  EXPECT_EQ(required_literal(R"(\bstatic\s+inline\b)"), "static");
  EXPECT_EQ(required_literal(R"(^#define\s+[A-Z_]+_H\b)"), "#define");
  EXPECT_EQ(required_literal(R"(colou?r)"), "colo");  // an optional atom is dropped
  EXPECT_EQ(required_literal(R"(ab*cdef)"), "cdef");
  EXPECT_EQ(required_literal(R"(xa+bcd)"), "bcd");  // "xa" then a repeat: runs end
  EXPECT_EQ(required_literal(R"(foo{2}barbaz)"), "barbaz");
  EXPECT_EQ(required_literal(R"(a\.b\(c)"), "a.b(c");  // escaped punctuation is literal
  EXPECT_EQ(required_literal(R"(run\(\))"), "run()");
  EXPECT_EQ(required_literal(R"((?:x|y)literal(?=zz))"), "literal");  // groups are skipped
  EXPECT_EQ(required_literal(R"([(|)]middle[|])"), "middle");
  EXPECT_EQ(required_literal(R"(one two)"), "one two");
  EXPECT_EQ(required_literal(R"(ab.cd)"), "");  // shorter than 3
  EXPECT_EQ(required_literal(R"(ab.cd)", 2), "ab");
}

TEST(RequiredLiteral, WhatEveryBranchOfAnAlternationHolds) {
  EXPECT_EQ(required_literal(R"((malloc|calloc|realloc)\s*\()"), "alloc");
  EXPECT_EQ(required_literal(R"(malloc|calloc)"), "alloc");
  EXPECT_EQ(required_literal(R"((foo|bar)baz_qux)"), "baz_qux");
  EXPECT_EQ(required_literal(R"((?:abcd|xabcdy))"), "abcd");
  EXPECT_EQ(required_literal(R"((?:x(abcd|zabcdz)y)+)"), "abcd");
  EXPECT_EQ(required_literal(R"((a|)bcd)"), "bcd");
  EXPECT_EQ(required_literal(R"((abc)?defg)"), "defg");  // an optional group adds nothing
  EXPECT_EQ(required_literal(R"((abcdef)*xy)"), "");
  EXPECT_EQ(required_literal(R"((abcdef){2}xy)"), "");
  EXPECT_EQ(required_literal(R"((?=abcdef)x)"), "");  // lookarounds are not matched text
  EXPECT_EQ(required_literal(R"((?<=abcdef)x)"), "");
  EXPECT_EQ(required_literal(R"((?:(?i)abcdef)xyz)"), "xyz");  // options end with their group
  EXPECT_EQ(required_literal(R"((ab\Kcdef)gh)"), "");          // \K anywhere moves the start
  EXPECT_EQ(required_literal(R"(abc|xyz)"), "");
}

TEST(RequiredLiteral, SaysNothingWhenUnsure) {
  for (const char* p :
       {R"((?i)foo_bar)", R"(foo\Kbar_baz)", R"(\Gabcdef)", R"(\Qa.b\Eabcdef)", R"((*UCP)abcdef)",
        R"(\x41bcdef)", R"(\101bcdef)", R"(\p{L}abc|x)", R"(\cAabcdef)", R"(abc\1def)",
        R"((?P<n>x)abcdef)", R"(abcdef\)", R"(abc)def)", R"((abc)", R"([abc)", R"(é_abc|x)"}) {
    EXPECT_EQ(required_literal(p), "") << p;
  }
  EXPECT_EQ(required_literal(R"(\s*\()"), "");
}

TEST(FindLiteral, AgreesWithStringFind) {
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    size_t n = rng() % 80;
    std::string hay(n, 'a');
    for (auto& c : hay) c = "ab\nc"[rng() % 4];
    size_t k = 1 + rng() % 6;
    std::string needle(k, 'a');
    for (auto& c : needle) c = "abc"[rng() % 3];
    size_t from = n ? rng() % (n + 1) : 0;
    const char* got = find_literal(hay.data() + from, hay.data() + n, needle);
    size_t want = hay.find(needle, from);
    ASSERT_EQ(got ? static_cast<size_t>(got - hay.data()) : std::string::npos, want)
        << "hay '" << hay << "' needle '" << needle << "' from " << from;
  }
}

TEST(FindLiteral, CaselessAgreesWithLowerCasedFind) {
  std::mt19937 rng(9);
  auto lower = [](std::string t) {
    for (auto& c : t) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return t;
  };
  for (int round = 0; round < 3000; ++round) {
    size_t n = rng() % 80;
    std::string hay(n, 'a');
    for (auto& c : hay) c = "aAbB@`[{\n"[rng() % 9];
    size_t k = 1 + rng() % 5;
    std::string needle(k, 'a');
    for (auto& c : needle) c = "ab@[`"[rng() % 5];
    size_t from = n ? rng() % (n + 1) : 0;
    const char* got = find_literal_caseless(hay.data() + from, hay.data() + n, needle);
    size_t want = lower(hay).find(needle, from);
    ASSERT_EQ(got ? static_cast<size_t>(got - hay.data()) : std::string::npos, want)
        << "hay '" << hay << "' needle '" << needle << "' from " << from;
  }
}

TEST(FindLiteral, CaselessOnlyWithoutKOrS) {
  EXPECT_TRUE(ascii_caseless_ok("mutex_init("));
  EXPECT_TRUE(ascii_caseless_ok("TEMPLATE"));
  EXPECT_FALSE(ascii_caseless_ok("kernel"));  // K also matches U+212A KELVIN SIGN
  EXPECT_FALSE(ascii_caseless_ok("Status"));  // s also matches U+017F LONG S
  EXPECT_EQ(required_literal(R"(\bstatic\s+inline\b)", 3, true), "inline");
  EXPECT_EQ(required_literal(R"(mask_\w+)", 3, true), "");
}

using PrefilterTest = GrepFixture;

TEST_F(PrefilterTest, SameResultsWithAndWithout) {
  std::vector<std::string> files = {
      "foo\nbar_baz\nfoo bar_baz\n",
      "start_token at the start\nno\nstart_token again\n",
      "x\r\nend_token\r\nend_token\r\n",
      "prefix foo\nbar_baz suffix\nfoo bar_baz foo bar_baz\n",
      "abc_def abc_def abc_def\nnone here\n\nabc_def",
      "look ahead_x\nahead_y\n",
      "tab\tsep_lit\n  sep_lit\n",
      "",
      "no final newline with lit_end",
  };
  std::mt19937 rng(11);
  const char* words[] = {"foo", "bar_baz", "abc_def", "lit_end", " ", "\n", "x", "\r\n", "ahead_"};
  for (int i = 0; i < 40; ++i) {
    std::string t;
    for (int w = 0; w < 60; ++w) t += words[rng() % 9];
    files.push_back(t);
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < files.size(); ++i) {
    names.push_back("f" + std::to_string(i) + ".txt");
    ASSERT_TRUE(fs::write_file_atomic(root_ + "/" + names.back(), files[i]).ok());
  }
  const char* patterns[] = {
      R"(foo\s+bar_baz)",     R"(foo\nbar_baz)",     R"(^bar_baz)",
      R"(bar_baz$)",          R"(\Astart_token)",    R"(start_token\z)",
      R"((?<=foo\n)bar_baz)", R"(ahead_(?=y))",      R"(ahead_(?!x\n))",
      R"(end_token$)",        R"(abc_def)",          R"(\babc_def\b)",
      R"(sep_lit)",           R"(lit_end\Z)",        R"(x\r?\nend_token)",
      R"(foo[\s\S]*bar_baz)", R"(ahead_.)",          R"(bar_baz\s*\n\s*foo)",
      R"([a-z]+ bar_baz)",    R"(\w+_def abc_def)",  R"((foo|bar_baz)\s*abc_def)",
      R"((ahead_x|ahead_y))", R"((?:abc|xabc)_def)", R"((lit|end)_end)",
  };
  int matched = 0;
  for (const char* p : patterns) {
    ASSERT_FALSE(required_literal(p).empty()) << p;
    for (int mode = 0; mode < 3; ++mode) {
      GrepOptions with;
      with.pattern = p;
      with.files_only = mode == 1;
      with.count_only = mode == 2;
      with.max_lines_per_file = mode == 0 ? 3 : 0;
      GrepOptions without = with;
      without.literal_prefilter = false;
      auto a = grep_files(root_, names, with);
      auto b = grep_files(root_, names, without);
      ASSERT_TRUE(a.ok() && b.ok()) << p;
      EXPECT_EQ(dump(*a), dump(*b)) << p << " mode " << mode;
      matched += mode == 0 && !b->files.empty();
    }
  }
  // Caseless: ASCII case either way, and with UTF PCRE2 matches U+212A for
  // 'k' and U+017F for 's', which a byte prefilter would miss.
  std::vector<std::string> folded = {
      "FOO Bar_Baz\nfoo\nBAR_BAZ\n",     "Ahead_Y\nAHEAD_x\n",
      "\u212AELVIN_x\nkelvin_y\n",       "ma\u017Fk_v\nMASK_W\n",
      "tem\u017Fplate <x\nTEMPLATE<y\n", "\u017Ftatic inline\nSTATIC  Inline\nstatic\ninline\n"};
  for (size_t i = 0; i < folded.size(); ++i) {
    names.push_back("u" + std::to_string(i) + ".txt");
    ASSERT_TRUE(fs::write_file_atomic(root_ + "/" + names.back(), folded[i]).ok());
  }
  int folded_matched = 0;
  for (const char* p :
       {R"(foo\s+bar_baz)", R"((ahead_x|ahead_y)\b)", R"(\bkelvin_\w)", R"(mask_\w)",
        R"(template\s*<)", R"(^bar_baz$)", R"(\bstatic\s+inline\b)"}) {
    GrepOptions with;
    with.pattern = p;
    with.ignore_case = true;
    GrepOptions without = with;
    without.literal_prefilter = false;
    auto a = grep_files(root_, names, with);
    auto b = grep_files(root_, names, without);
    ASSERT_TRUE(a.ok() && b.ok()) << p;
    EXPECT_EQ(dump(*a), dump(*b)) << p << " -i";
    folded_matched += !b->files.empty();
  }
  EXPECT_EQ(folded_matched, 7);
  // Matches that need a newline are never reported (a line is kept only
  // when it matches on its own): those patterns test the skipping.
  EXPECT_GE(matched, 15) << "most patterns should match something";
}

}  // namespace
}  // namespace bastion::index
