#include "index/search_signals.h"

#include <gtest/gtest.h>

#include "index/search.h"
#include "index_fixture.h"

namespace bastion::index {
namespace {

using testing::TempRepo;

// A public class in one module whose behaviour lives in a helper module, and
// a mixin defining a method the public class inherits.
void write_repo(TempRepo& repo) {
  repo.write("pkg/axisgrid.py",
             "from pkg._oldcore import HueMapping\n"
             "from pkg.mixins import RedirectMixin\n"
             "class PairGrid(RedirectMixin):\n"
             "    def map(self, func, **kwargs):\n"
             "        return HueMapping(self)._lookup_single(func)\n");
  repo.write("pkg/_oldcore.py",
             "class HueMapping:\n"
             "    def _lookup_single(self, key):\n"
             "        return self.lookup_table[key]\n"
             "def categorical_order(values):\n"
             "    return sorted(values)\n");
  repo.write("pkg/mixins.py",
             "class RedirectMixin:\n"
             "    def resolve_redirects(self, resp):\n"
             "        return resp\n");
  repo.write("pkg/unrelated.py", "def frobnicate():\n    return 1\n");
}

std::string slot_path(CodeIndex& idx, uint32_t slot) {
  std::string p;
  idx.read([&](const CodeIndex::View& v) { p = std::string(v.path(slot)); });
  return p;
}

uint32_t slot_of(CodeIndex& idx, const std::string& path) {
  uint32_t s = 0;
  idx.read([&](const CodeIndex::View& v) { s = v.find(path).value(); });
  return s;
}

TEST(QueryParseFrames, IPythonFramesCarryFunctionNames) {
  auto q = parse_query(
      "~/envs/lib/site-packages/pkg/_core.py in _lookup_single(self, key)\n"
      "    143  value = self.lookup_table[key]\n"
      "File ~/code/pkg/pkg/_stats/regression.py:41, in PolyFit.__call__(self, data)\n");
  ASSERT_EQ(q.paths.size(), 2u);
  EXPECT_TRUE(q.paths[0].traceback);
  EXPECT_EQ(q.paths[0].function, "_lookup_single");
  EXPECT_EQ(q.paths[1].path, "~/code/pkg/pkg/_stats/regression.py");
  EXPECT_EQ(q.paths[1].line, 41u);
  EXPECT_EQ(q.paths[1].function, "PolyFit.__call__");
  auto huge = parse_query("File \"a/b.py\", line 99999999999999999999999, in f");
  ASSERT_EQ(huge.paths.size(), 1u);  // saturates instead of throwing
}

TEST(SearchSignals, FrameInRenamedModuleResolvesByFunction) {
  TempRepo repo;
  write_repo(repo);
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  // pkg/_core.py is not in the checkout (renamed to _oldcore.py); its frame
  // is the deepest, so the file defining _lookup_single gets full weight.
  auto q = parse_query(
      "~/site-packages/pkg/axisgrid.py in map(self, func)\n"
      "~/site-packages/pkg/_core.py in _lookup_single(self, key)\n");
  SlotScores s;
  idx->read([&](const CodeIndex::View& v) { s = frame_scores(v, q); });
  EXPECT_DOUBLE_EQ(s[slot_of(*idx, "pkg/_oldcore.py")], 1.0);
  EXPECT_LT(s[slot_of(*idx, "pkg/axisgrid.py")], 1.0);
  EXPECT_GT(s[slot_of(*idx, "pkg/axisgrid.py")], 0.0);
}

TEST(SearchSignals, FrameNamingSeveralFilesKeepsTheOneDefiningItsFunction) {
  TempRepo repo;
  repo.write("pkg/utils/ast_walker.py", "class Walker:\n    def walk(self, node):\n        return node\n");
  repo.write("pkg/utils/utils.py", "def get_module(name):\n    return name\n");
  repo.write("pkg/checkers/utils.py", "def walk(node):\n    return node\n");
  repo.write("pkg/reverse/utils.py", "def get_visibility(name):\n    return name\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  auto frames = [&](const std::string& text) {
    SlotScores s;
    idx->read([&](const CodeIndex::View& v) { s = frame_scores(v, parse_query(text)); });
    return s;
  };
  // pkg/utils.py is no longer a file; three utils.py remain, one defines walk.
  auto s = frames("Traceback (most recent call last):\n  File \"/site/pkg/utils.py\", line 3, in walk\n    cb(x)\n");
  EXPECT_DOUBLE_EQ(s[slot_of(*idx, "pkg/checkers/utils.py")], 1.0);
  EXPECT_EQ(s.count(slot_of(*idx, "pkg/utils/utils.py")), 0u);
  EXPECT_EQ(s.count(slot_of(*idx, "pkg/reverse/utils.py")), 0u);
  // None defines the frame's function: it moved; its definer is meant.
  s = frames("Traceback (most recent call last):\n  File \"/site/pkg/utils.py\", line 3, in visit\n    cb(x)\n");
  EXPECT_EQ(s.size(), 3u) << "an unknown function keeps the ambiguous files";
}

TEST(SearchSignals, MethodMentionPrefersItsDefiningModule) {
  TempRepo repo;
  write_repo(repo);
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  SlotScores s;
  idx->read([&](const CodeIndex::View& v) {
    s = method_scores(v, parse_query("`PairGrid.resolve_redirects` drops the body"));
  });
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(slot_path(*idx, s.begin()->first), "pkg/mixins.py");
  idx->read([&](const CodeIndex::View& v) {
    s = method_scores(v, parse_query("HueMapping._lookup_single is wrong"));
  });
  EXPECT_DOUBLE_EQ(s[slot_of(*idx, "pkg/_oldcore.py")], 1.0);
}

TEST(SearchSignals, DefinitionNamesMatchDistinctiveTerms) {
  TempRepo repo;
  write_repo(repo);
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  SlotScores s;
  idx->read([&](const CodeIndex::View& v) {
    std::vector<uint32_t> all;
    v.for_each_file([&](std::string_view, uint32_t slot) { all.push_back(slot); });
    s = definition_term_scores(v, parse_query("the categorical order of hue levels"), all);
  });
  EXPECT_GT(s[slot_of(*idx, "pkg/_oldcore.py")], 0.0);
  EXPECT_EQ(s.count(slot_of(*idx, "pkg/unrelated.py")), 0u);
}

TEST(SearchSignals, LocalPageRankFollowsReferencesOnly) {
  TempRepo repo;
  write_repo(repo);
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  SlotScores r;
  idx->read([&](const CodeIndex::View& v) {
    r = local_pagerank(v, {{v.find("pkg/axisgrid.py").value(), 1.0}}, {});
  });
  EXPECT_GT(r[slot_of(*idx, "pkg/_oldcore.py")], 0.0);
  EXPECT_GT(r[slot_of(*idx, "pkg/mixins.py")], 0.0);
  EXPECT_EQ(r.count(slot_of(*idx, "pkg/unrelated.py")), 0u);
  EXPECT_GT(r[slot_of(*idx, "pkg/axisgrid.py")], r[slot_of(*idx, "pkg/_oldcore.py")]);
}

}  // namespace
}  // namespace bastion::index
