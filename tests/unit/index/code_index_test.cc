#include "index/code_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "index_fixture.h"

namespace bastion::index {
namespace {

using testing::TempRepo;

size_t defs_named(CodeIndex& idx, const std::string& name) {
  size_t n = 0;
  idx.read([&](const CodeIndex::View& v) {
    n = v.definers(name).size();
  });
  return n;
}

TEST(CodeIndex, BuildsPersistsAndRefreshesIncrementally) {
  TempRepo repo;
  repo.write("a.py", "def alpha():\n    return beta()\n");
  repo.write("b.py", "def beta():\n    return 1\n");
  repo.write("notes.txt", "plain text\n");
  {
    auto idx = repo.open();
    ASSERT_TRUE(idx);
    auto s = idx->refresh();
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->files, 3u);
    EXPECT_EQ(s->analyzed, 3u);
    EXPECT_EQ(defs_named(*idx, "beta"), 1u);
  }
  // Reopened: everything comes from the database, nothing is re-parsed.
  auto idx = repo.open();
  ASSERT_TRUE(idx);
  EXPECT_EQ(defs_named(*idx, "alpha"), 1u);
  auto s = idx->refresh();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->analyzed, 0u);

  // One edit: only that file is re-analysed.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  repo.write("b.py", "def gamma():\n    return 2\n");
  s = idx->refresh();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->analyzed, 1u);
  EXPECT_EQ(defs_named(*idx, "beta"), 0u);
  EXPECT_EQ(defs_named(*idx, "gamma"), 1u);

  // Same bytes rewritten (new mtime): hash says unchanged, not re-parsed.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  repo.write("b.py", "def gamma():\n    return 2\n");
  s = idx->refresh();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->analyzed, 0u);
  EXPECT_EQ(s->touched, 1u);

  repo.remove("a.py");
  s = idx->refresh();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->removed, 1u);
  EXPECT_EQ(defs_named(*idx, "alpha"), 0u);
}

// Files holding `term` (postings are by slot; answered as paths).
std::vector<std::string> files_with(CodeIndex& idx, const std::string& term) {
  std::vector<std::string> out;
  idx.read([&](const CodeIndex::View& v) {
    for (const Posting& p : v.postings(term)) out.emplace_back(v.path(p.slot));
  });
  std::sort(out.begin(), out.end());
  return out;
}

TEST(CodeIndex, IdenticalCopiesAreParsedOnceButIndexedUnderTheirOwnPaths) {
  TempRepo repo;
  const std::string body = "def alpha():\n    return beta_value\n";
  repo.write("v1/lib/alpha.py", body);
  repo.write("v2/site/alpha_copy.py", body);
  repo.write("v3/alpha.txt", body);  // same bytes, no grammar: analysed on its own
  auto idx = repo.open();
  ASSERT_TRUE(idx);
  auto s = idx->refresh();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->analyzed, 3u);
  EXPECT_EQ(s->reused, 1u);
  EXPECT_EQ(defs_named(*idx, "alpha"), 2u);
  EXPECT_EQ(files_with(*idx, "beta"),
            (std::vector<std::string>{"v1/lib/alpha.py", "v2/site/alpha_copy.py", "v3/alpha.txt"}));
  // Path words are each copy's own, never the twin's.
  EXPECT_EQ(files_with(*idx, "F:copy"), std::vector<std::string>{"v2/site/alpha_copy.py"});
  EXPECT_EQ(files_with(*idx, "P:lib"), std::vector<std::string>{"v1/lib/alpha.py"});
  EXPECT_EQ(files_with(*idx, "P:site"), std::vector<std::string>{"v2/site/alpha_copy.py"});
}

TEST(CodeIndex, GeneratedFilesAreSearchableButNotParsed) {
  TempRepo repo;
  // Minified: one 6 KB line. Huge: 600 KB of ordinary lines.
  std::string minified = "function minifiedEntry(){return 1}";
  while (minified.size() < 6000) minified += ";var zz=function(){return zebra_word}";
  std::string huge = "def huge_entry():\n    return 1\n";
  while (huge.size() < 600 * 1024) huge += "# padding line with giraffe words\n";
  repo.write("dist/app.min.js", minified + "\n");
  repo.write("gen/tables.py", huge);
  repo.write("src/real.py", "def real_entry():\n    return 1\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx);
  ASSERT_TRUE(idx->refresh().ok());
  EXPECT_EQ(defs_named(*idx, "real_entry"), 1u);
  EXPECT_EQ(defs_named(*idx, "minifiedEntry"), 0u);
  EXPECT_EQ(defs_named(*idx, "huge_entry"), 0u);
  EXPECT_EQ(files_with(*idx, "zebra"), std::vector<std::string>{"dist/app.min.js"});
  EXPECT_EQ(files_with(*idx, "giraffe"), std::vector<std::string>{"gen/tables.py"});
  EXPECT_EQ(files_with(*idx, "F:table"), std::vector<std::string>{"gen/tables.py"});
}

TEST(CodeIndex, BulkChangeGoesStraightToANewSnapshot) {
  TempRepo repo;
  for (int i = 0; i < 100; ++i)
    repo.write("m" + std::to_string(i) + ".py", "def old_" + std::to_string(i) + "():\n    pass\n");
  {
    auto idx = repo.open();
    ASSERT_TRUE(idx && idx->refresh().ok());
    EXPECT_TRUE(idx->has_snapshot());
  }
  // 80 of 100 files change (a branch switch): more than the in-memory
  // limit, so they go to the snapshot directly.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (int i = 0; i < 80; ++i)
    repo.write("m" + std::to_string(i) + ".py", "def new_" + std::to_string(i) + "():\n    pass\n");
  repo.remove("m99.py");
  auto idx = repo.open();
  ASSERT_TRUE(idx);
  auto s = idx->refresh();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->analyzed, 80u);
  EXPECT_EQ(s->removed, 1u);
  EXPECT_TRUE(idx->has_snapshot());
  auto check = [&](CodeIndex& ix) {
    EXPECT_EQ(defs_named(ix, "old_5"), 0u);
    EXPECT_EQ(defs_named(ix, "new_5"), 1u);
    EXPECT_EQ(defs_named(ix, "old_90"), 1u);
    EXPECT_EQ(defs_named(ix, "old_99"), 0u);
    EXPECT_EQ(files_with(ix, "F:m5"), std::vector<std::string>{"m5.py"});
    size_t live = 0;
    ix.read([&](const CodeIndex::View& v) { live = v.live_count(); });
    EXPECT_EQ(live, 99u);
  };
  check(*idx);
  // Reopened from that snapshot: same answers, nothing to re-analyse.
  idx.reset();
  idx = repo.open();
  ASSERT_TRUE(idx);
  EXPECT_TRUE(idx->has_snapshot());
  check(*idx);
  s = idx->refresh();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->analyzed, 0u);
}

TEST(IsGenerated, HugeOrMinifiedOnly) {
  std::string normal;
  while (normal.size() < 100 * 1024) normal += "    value = compute(value, other_value)\n";
  EXPECT_FALSE(is_generated(normal));
  EXPECT_FALSE(is_generated(std::string(3000, 'x')));  // short: never "minified"
  EXPECT_TRUE(is_generated(std::string(5000, 'x')));
  std::string huge;
  while (huge.size() <= 512 * 1024) huge += normal;
  EXPECT_TRUE(is_generated(huge));
}

TEST(CodeIndex, NotifyFileChangedReindexesAtOnce) {
  TempRepo repo;
  repo.write("m.py", "def old_name():\n    pass\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  repo.write("m.py", "def new_name():\n    pass\n");
  idx->notify_file_changed(repo.root() + "/m.py");
  EXPECT_EQ(defs_named(*idx, "new_name"), 1u);
  EXPECT_EQ(defs_named(*idx, "old_name"), 0u);
  // Outside the root: ignored, no crash.
  idx->notify_file_changed("/etc/passwd");
  repo.remove("m.py");
  idx->notify_file_changed("m.py");
  EXPECT_EQ(defs_named(*idx, "new_name"), 0u);
}

TEST(CodeIndex, CorruptDatabaseRowsAreReindexed) {
  TempRepo repo;
  repo.write("x.py", "def xx():\n    pass\n");
  {
    auto idx = repo.open();
    ASSERT_TRUE(idx->refresh().ok());
  }
  {
    auto store = IndexStore::open(repo.db());
    ASSERT_TRUE(store.ok());
    FileEntry bogus;
    bogus.path = "x.py";
    bogus.mtime_ns = 1;
    ASSERT_TRUE(store.value()->apply({&bogus}, {}).ok());
  }
  auto idx = repo.open();
  auto s = idx->refresh();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->analyzed, 1u);
  EXPECT_EQ(defs_named(*idx, "xx"), 1u);
}

}  // namespace
}  // namespace bastion::index
