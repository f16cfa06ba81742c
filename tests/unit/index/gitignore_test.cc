#include "index/gitignore.h"

#include <gtest/gtest.h>

#include "index/glob_match.h"

namespace bastion::index {
namespace {

TEST(GlobMatch, StarsAndQuestionMarksStayInOneComponent) {
  EXPECT_TRUE(glob_match("*.cc", "main.cc"));
  EXPECT_FALSE(glob_match("*.cc", "src/main.cc"));
  EXPECT_TRUE(glob_match("src/*.cc", "src/main.cc"));
  EXPECT_FALSE(glob_match("src/?", "src//"));
  EXPECT_TRUE(glob_match("*", "", true));
  EXPECT_TRUE(glob_match("*.cc", "src/main.cc", /*path_mode=*/false));
}

TEST(GlobMatch, DoubleStarSpansDirectories) {
  EXPECT_TRUE(glob_match("**/x", "x"));
  EXPECT_TRUE(glob_match("**/x", "a/b/x"));
  EXPECT_TRUE(glob_match("a/**/b", "a/b"));
  EXPECT_TRUE(glob_match("a/**/b", "a/x/y/b"));
  EXPECT_TRUE(glob_match("a/**", "a/x/y"));
  EXPECT_FALSE(glob_match("a/**", "a"));
  EXPECT_TRUE(glob_match("src/**/*.cc", "src/a/b/c.cc"));
  EXPECT_TRUE(glob_match("src/**/*.cc", "src/c.cc"));
  // Not bounded by slashes: an ordinary star.
  EXPECT_FALSE(glob_match("a**b", "a/b"));
  EXPECT_TRUE(glob_match("a**b", "axxb"));
}

// Found by the fuzz smoke: many stars against a long near-miss path took
// exponential time (minutes); every answer must still be right.
TEST(GlobMatch, ManyStarsStayCorrectOnLongNearMisses) {
  std::string long_a(60, 'a');
  EXPECT_FALSE(glob_match("**/**/**/*a*a*a*a*a*a*b", long_a + "/" + long_a));
  EXPECT_TRUE(glob_match("**/**/**/*a*a*a*a*a*a*b", long_a + "/" + long_a + "b"));
  EXPECT_TRUE(glob_match("**/**/x/**/*a*b", "p/q/x/r/s/zzazzb"));
  EXPECT_FALSE(glob_match("**/**/x/**/*a*b", "p/q/x/r/s/zzazz/b"));
  EXPECT_TRUE(glob_match("*a*a*a*b", long_a + "/" + long_a + "b", false));
  EXPECT_FALSE(glob_match("*a*a*a*b", long_a + "/" + long_a + "b", true));
}

TEST(GlobMatch, CharacterClasses) {
  EXPECT_TRUE(glob_match("[abc]", "b"));
  EXPECT_FALSE(glob_match("[!abc]", "b"));
  EXPECT_TRUE(glob_match("[^abc]", "d"));
  EXPECT_TRUE(glob_match("[a-c]x", "bx"));
  EXPECT_TRUE(glob_match("[]]", "]"));
  EXPECT_TRUE(glob_match("[[:digit:]]*", "9lives"));
  EXPECT_FALSE(glob_match("[[:digit:]]*", "lives"));
  EXPECT_TRUE(glob_match("[[:upper:][:digit:]]", "Q"));
  EXPECT_FALSE(glob_match("[[:bogus:]]", "a"));  // invalid class: no match at all
  EXPECT_FALSE(glob_match("[ab", "a"));          // unterminated
  EXPECT_FALSE(glob_match("a[/]b", "a/b"));      // classes never match '/'
  EXPECT_TRUE(glob_match("\\*", "*"));
  EXPECT_FALSE(glob_match("\\*", "x"));
  EXPECT_FALSE(glob_match("abc\\", "abc"));      // trailing backslash matches nothing
}

IgnoreMatch m(std::string_view file, std::string_view path, bool is_dir = false,
              std::string base = "") {
  return IgnoreFile::parse(file, std::move(base)).match(path, is_dir);
}

TEST(Gitignore, CommentsBlanksAndEscapes) {
  EXPECT_EQ(m("# c\n\n", "# c"), IgnoreMatch::kNone);
  EXPECT_EQ(m("\\#c\n", "#c"), IgnoreMatch::kIgnored);
  EXPECT_EQ(m("\\!c\n", "!c"), IgnoreMatch::kIgnored);
  EXPECT_EQ(m("!c\n", "c"), IgnoreMatch::kIncluded);
}

TEST(Gitignore, TrailingSpacesTrimmedUnlessEscaped) {
  EXPECT_EQ(m("foo   \n", "foo"), IgnoreMatch::kIgnored);
  EXPECT_EQ(m("foo\\ \n", "foo "), IgnoreMatch::kIgnored);
  EXPECT_EQ(m("foo\\ \n", "foo"), IgnoreMatch::kNone);
  EXPECT_EQ(m("foo\t\n", "foo"), IgnoreMatch::kNone);  // only spaces are trimmed
}

TEST(Gitignore, CrlfAndBom) {
  EXPECT_EQ(m("\xEF\xBB\xBF" "a\r\nb\r\n", "a"), IgnoreMatch::kIgnored);
  EXPECT_EQ(m("a\r\nb\r", "b"), IgnoreMatch::kIgnored);
}

TEST(Gitignore, BasenamePatternsMatchAtAnyDepth) {
  EXPECT_EQ(m("*.o\n", "a/b/c.o"), IgnoreMatch::kIgnored);
  EXPECT_EQ(m("build\n", "x/build", true), IgnoreMatch::kIgnored);
}

TEST(Gitignore, SlashAnchorsToTheFilesDirectory) {
  EXPECT_EQ(m("/build\n", "build", true), IgnoreMatch::kIgnored);
  EXPECT_EQ(m("/build\n", "x/build", true), IgnoreMatch::kNone);
  EXPECT_EQ(m("doc/*.md\n", "doc/a.md"), IgnoreMatch::kIgnored);
  EXPECT_EQ(m("doc/*.md\n", "x/doc/a.md"), IgnoreMatch::kNone);
  EXPECT_EQ(m("gen/*.cc\n", "sub/gen/a.cc", false, "sub"), IgnoreMatch::kIgnored);
  EXPECT_EQ(m("gen/*.cc\n", "gen/a.cc", false, "sub"), IgnoreMatch::kNone);
}

TEST(Gitignore, DirOnlyPatterns) {
  EXPECT_EQ(m("out/\n", "out", true), IgnoreMatch::kIgnored);
  EXPECT_EQ(m("out/\n", "out", false), IgnoreMatch::kNone);
}

TEST(Gitignore, LastMatchingLineWins) {
  EXPECT_EQ(m("*.log\n!keep.log\n", "keep.log"), IgnoreMatch::kIncluded);
  EXPECT_EQ(m("!keep.log\n*.log\n", "keep.log"), IgnoreMatch::kIgnored);
}

TEST(Gitignore, LiteralPrefixQuirkMatchesGit) {
  // git compares "a" literally, then matches "**/b" as if it led the pattern.
  EXPECT_EQ(m("a**/b\n", "ab"), IgnoreMatch::kIgnored);
  EXPECT_EQ(m("a**/b\n", "a/x/b"), IgnoreMatch::kIgnored);
}

}  // namespace
}  // namespace bastion::index
