#include "tools/unified_diff.h"

#include <gtest/gtest.h>

namespace bastion::tools {
namespace {

TEST(UnifiedDiff, EqualTextsGiveEmptyDiff) { EXPECT_EQ(unified_diff("a\n", "a\n", "f"), ""); }

TEST(UnifiedDiff, SeparateHunksWithContext) {
  std::string a, b;
  for (int i = 1; i <= 20; ++i) {
    a += std::to_string(i) + "\n";
    b += (i == 2 ? std::string("two") : i == 18 ? std::string("eighteen") : std::to_string(i)) + "\n";
  }
  DiffStats st;
  std::string d = unified_diff(a, b, "f", &st);
  EXPECT_EQ(d,
            "--- a/f\n+++ b/f\n"
            "@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"
            "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n");
  EXPECT_EQ(st.added, 2u);
  EXPECT_EQ(st.removed, 2u);
}

TEST(UnifiedDiff, CreationAndMissingFinalNewline) {
  EXPECT_EQ(unified_diff("", "x\ny", "n"), "--- a/n\n+++ b/n\n@@ -0,0 +1,2 @@\n+x\n+y\n\\ No newline at end of file\n");
}

TEST(UnifiedDiff, InsertionInTheMiddleIsMinimal) {
  std::string d = unified_diff("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nd\nX\ne\nf\ng\nh\n", "f");
  EXPECT_EQ(d, "--- a/f\n+++ b/f\n@@ -2,6 +2,7 @@\n b\n c\n d\n+X\n e\n f\n g\n");
}

}  // namespace
}  // namespace bastion::tools
