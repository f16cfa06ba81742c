#include "index/code_index.h"

#include <gtest/gtest.h>

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
