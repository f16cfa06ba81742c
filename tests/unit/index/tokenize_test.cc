#include "index/tokenize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace bastion::index {
namespace {

TEST(Tokenize, SplitsCamelAndSnakeCase) {
  EXPECT_EQ(split_identifier("getHTTPResponse_code"),
            (std::vector<std::string>{"get", "http", "response", "code"}));
  EXPECT_EQ(split_identifier("PairGrid"), (std::vector<std::string>{"pair", "grid"}));
  EXPECT_EQ(split_identifier("utf8_decode"), (std::vector<std::string>{"utf8", "decode"}));
}

TEST(Tokenize, StemsPluralsAndVerbForms) {
  EXPECT_EQ(stem("sessions"), "session");
  EXPECT_EQ(stem("dependencies"), "dependency");
  EXPECT_EQ(stem("running"), "run");
  EXPECT_EQ(stem("class"), "class");
  EXPECT_EQ(stem("status"), "status");
}

TEST(Tokenize, TermsKeepCompoundAndPartsAndDropStopwords) {
  std::vector<std::string> t;
  append_terms("The rebuild_auth method of HTTPAdapter", t);
  auto has = [&](const char* x) { return std::find(t.begin(), t.end(), x) != t.end(); };
  EXPECT_TRUE(has("rebuildauth"));
  EXPECT_TRUE(has("rebuild"));
  EXPECT_TRUE(has("auth"));
  EXPECT_TRUE(has("adapter"));
  EXPECT_TRUE(has("method"));
  EXPECT_FALSE(has("the"));
  EXPECT_FALSE(has("of"));
}

TEST(Tokenize, CountTermsCountsWhatAppendTermsLists) {
  const char* text =
      "class HTTPAdapter:\n  def get_HTTPResponse_code(self, sessions, running_tests):\n"
      "    # Retries the studies; passed classes, is_2d, getX, _x9y, ABCdef\n"
      "    return self.HTTPAdapter.sessions + running_tests + 42 + x2";
  std::vector<std::string> listed;
  append_terms(text, listed);
  std::map<std::string, uint32_t> expected;
  for (auto& t : listed) ++expected[t];
  TermCounts counts;
  EXPECT_EQ(count_terms(text, counts), listed.size());
  std::map<std::string, uint32_t> got(counts.begin(), counts.end());
  EXPECT_EQ(got, expected);
  EXPECT_EQ(counts["httpadapter"], 2u);
  EXPECT_EQ(counts["session"], 2u);
  EXPECT_EQ(counts["study"], 1u);
  EXPECT_EQ(counts["run"], 2u);
}

TEST(Tokenize, PathTermsSplitDirectoriesAndNames) {
  auto t = path_terms("src/flask/blueprints.py");
  EXPECT_NE(std::find(t.begin(), t.end(), "blueprint"), t.end());
  EXPECT_NE(std::find(t.begin(), t.end(), "flask"), t.end());
}

TEST(Tokenize, StopwordsMatchWholeLowerCaseWordsOnly) {
  for (const char* w : {"the", "a", "self", "traceback", "expected", "because", "kwargs", "bug"})
    EXPECT_TRUE(is_stopword(w)) << w;
  for (const char* w : {"", "th", "thee", "The", "SELF", "selfs", "tracebacks", "z", "bugs", "_the",
                        "\xc3\xa9t\xc3\xa9", "kwarg"})
    EXPECT_FALSE(is_stopword(w)) << w;
}

TEST(Tokenize, NonAsciiBytesSeparateWords) {
  // UTF-8 letters are not word characters in any locale: "naïve_mode" is
  // the words "na" and "ve_mode" (compound plus parts).
  std::vector<std::string> t;
  append_terms("na\xc3\xafve_mode caf\xc3\xa9Latte \xff\xfeGrid", t);
  EXPECT_EQ(t, (std::vector<std::string>{"na", "vemode", "ve", "mode", "caf", "latte", "grid"}));
}

}  // namespace
}  // namespace bastion::index
