// PathResolver: query file mentions resolved by their longest run of
// trailing path components, including odd spellings from stack traces.
#include "index/path_resolver.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "index_fixture.h"

namespace bastion::index {
namespace {

using testing::TempRepo;

TEST(PathComponents, SkipsEmptyDotAndTilde) {
  EXPECT_EQ(path_components("~/env/./lib//x.py"), (std::vector<std::string_view>{"env", "lib", "x.py"}));
  EXPECT_TRUE(path_components("").empty());
  EXPECT_TRUE(path_components("/").empty());
  EXPECT_TRUE(path_components("./~/.").empty());
  EXPECT_EQ(path_components("a/b/"), (std::vector<std::string_view>{"a", "b"}));
}

TEST(PathResolver, LongestTrailingRunWins) {
  TempRepo repo;
  repo.write("seaborn/_core.py", "x = 1\n");
  repo.write("seaborn/_core/__init__.py", "x = 1\n");
  repo.write("seaborn/_core/plot.py", "x = 1\n");
  repo.write("other/seaborn/plot.py", "x = 1\n");
  repo.write("pkg/__init__.py", "x = 1\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  idx->read([&](const CodeIndex::View& v) {
    const std::vector<std::string> mentions = {
        "~/miniforge3/envs/py3.9/lib/python3.8/site-packages/seaborn/_core.py",
        "seaborn/_core/plot.py", "plot.py", "seaborn/_core/__init__.py", "missing.py", "", "/", "./"};
    PathResolver r(v, mentions);
    auto paths = [&](const std::string& m, int want_matched) {
      int matched = -1;
      auto slots = r.resolve(m, &matched);
      EXPECT_EQ(matched, want_matched) << m;
      std::vector<std::string> out;
      for (uint32_t s : slots) out.emplace_back(v.path(s));
      std::sort(out.begin(), out.end());
      return out;
    };
    EXPECT_EQ(paths(mentions[0], 2), std::vector<std::string>{"seaborn/_core.py"});
    EXPECT_EQ(paths("seaborn/_core/plot.py", 3), std::vector<std::string>{"seaborn/_core/plot.py"});
    EXPECT_EQ(paths("plot.py", 1), (std::vector<std::string>{"other/seaborn/plot.py", "seaborn/_core/plot.py"}));
    EXPECT_EQ(paths("seaborn/_core/__init__.py", 3), std::vector<std::string>{"seaborn/_core/__init__.py"});
    EXPECT_TRUE(paths("missing.py", 0).empty());
    EXPECT_TRUE(paths("", 0).empty());
    EXPECT_TRUE(paths("/", 0).empty());
    EXPECT_TRUE(paths("never/asked.py", 0).empty()) << "names not given at construction resolve to nothing";
  });
}

}  // namespace
}  // namespace bastion::index
