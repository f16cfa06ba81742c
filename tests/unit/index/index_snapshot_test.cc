// The snapshot persistence format: queries answered from a snapshot equal a
// full load from the database; edits after a snapshot are overlaid from the
// rows written since; corrupt, truncated, old-version or foreign snapshots
// are rebuilt, never trusted; kill -9 while writing leaves a usable index.
#include "index/index_snapshot.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "index/search.h"
#include "index_fixture.h"
#include "util/fs.h"

namespace bastion::index {
namespace {

using testing::TempRepo;
using testing::ranked_paths;
const auto write_repo = testing::write_session_repo;

size_t defs_named(CodeIndex& idx, const std::string& name) {
  size_t n = 0;
  idx.read([&](const CodeIndex::View& v) { n = v.definers(name).size(); });
  return n;
}

std::string snap_of(TempRepo& repo) { return snapshot_path_for(repo.db()); }

void flip_byte(const std::string& path, long offset) {
  FILE* f = std::fopen(path.c_str(), "r+b");
  ASSERT_NE(f, nullptr);
  std::fseek(f, offset, SEEK_SET);
  int c = std::fgetc(f);
  std::fseek(f, offset, SEEK_SET);
  std::fputc(c ^ 0x5a, f);
  std::fclose(f);
}

const std::vector<std::string> kQueries = {
    "authorization header redirects", "to_native_string returns bytes",
    "Session.rebuild_auth", "paint grid width", "prepare request"};

TEST(Snapshot, RefreshWritesOneAndReopeningUsesItWithIdenticalResults) {
  TempRepo repo;
  write_repo(repo);
  std::vector<std::vector<std::string>> first;
  {
    auto idx = repo.open();
    ASSERT_TRUE(idx->refresh().ok());
    EXPECT_TRUE(idx->has_snapshot());
    for (auto& q : kQueries) first.push_back(ranked_paths(*idx, q));
  }
  ASSERT_TRUE(fs::exists(snap_of(repo)));
  auto idx = repo.open();
  EXPECT_TRUE(idx->has_snapshot());
  EXPECT_EQ(defs_named(*idx, "Session"), 1u);
  auto s = idx->refresh();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->analyzed, 0u);
  for (size_t i = 0; i < kQueries.size(); ++i) EXPECT_EQ(ranked_paths(*idx, kQueries[i]), first[i]);
  EXPECT_EQ(first[1].front(), "pkg/utils.py");

  // Same answers from a full load of the rows (no snapshot).
  std::filesystem::remove(snap_of(repo));
  auto full = repo.open();
  EXPECT_FALSE(full->has_snapshot());
  for (size_t i = 0; i < kQueries.size(); ++i) EXPECT_EQ(ranked_paths(*full, kQueries[i]), first[i]);
}

TEST(Snapshot, EditsAfterTheSnapshotAreOverlaidFromTheDatabase) {
  TempRepo repo;
  write_repo(repo);
  {
    auto idx = repo.open();
    ASSERT_TRUE(idx->refresh().ok());
  }
  auto before = fs::read_file(snap_of(repo));
  {
    auto idx = repo.open();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    repo.write("pkg/utils.py", "def to_text(s):\n    return str(s)\n");
    repo.remove("src/grid.cc");
    repo.write("pkg/new_mod.py", "def fresh_helper():\n    pass\n");
    auto s = idx->refresh();
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->analyzed, 2u);
    EXPECT_EQ(s->removed, 1u);
  }
  // A small change does not rewrite the snapshot...
  EXPECT_EQ(fs::read_file(snap_of(repo)).value(), before.value());
  // ...yet a new process sees it, from the rows written after it.
  auto idx = repo.open();
  EXPECT_TRUE(idx->has_snapshot());
  EXPECT_EQ(defs_named(*idx, "to_native_string"), 0u);
  EXPECT_EQ(defs_named(*idx, "to_text"), 1u);
  EXPECT_EQ(defs_named(*idx, "fresh_helper"), 1u);
  EXPECT_EQ(defs_named(*idx, "paint_grid"), 0u);
  auto s = idx->refresh();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->analyzed, 0u);
  EXPECT_EQ(s->removed, 0u);
  EXPECT_EQ(ranked_paths(*idx, "paint grid width"), std::vector<std::string>{});
  // Compaction folds the overlay in and gives the same answers.
  std::vector<std::string> q = ranked_paths(*idx, "fresh helper");
  ASSERT_TRUE(idx->write_snapshot().ok());
  EXPECT_EQ(ranked_paths(*idx, "fresh helper"), q);
  auto again = repo.open();
  EXPECT_EQ(defs_named(*again, "fresh_helper"), 1u);
  EXPECT_EQ(defs_named(*again, "paint_grid"), 0u);
}

// Each damaged snapshot must be rejected, the rows used instead, and a good
// snapshot written by the next refresh.
void expect_rebuilt(TempRepo& repo) {
  auto idx = repo.open();
  ASSERT_NE(idx, nullptr);
  EXPECT_FALSE(idx->has_snapshot());
  EXPECT_EQ(defs_named(*idx, "Session"), 1u);
  EXPECT_EQ(ranked_paths(*idx, "to_native_string returns bytes").front(), "pkg/utils.py");
  EXPECT_TRUE(idx->has_snapshot());
  EXPECT_TRUE(Snapshot::open(snap_of(repo)).ok());
}

class DamagedSnapshot : public ::testing::Test {
 protected:
  void SetUp() override {
    write_repo(repo);
    auto idx = repo.open();
    ASSERT_TRUE(idx->refresh().ok());
    ASSERT_TRUE(Snapshot::open(snap_of(repo)).ok());
  }
  TempRepo repo;
};

TEST_F(DamagedSnapshot, CorruptBodyIsRebuilt) {
  flip_byte(snap_of(repo), static_cast<long>(std::filesystem::file_size(snap_of(repo)) / 2));
  EXPECT_FALSE(Snapshot::open(snap_of(repo)).ok());
  expect_rebuilt(repo);
}

TEST_F(DamagedSnapshot, OtherVersionIsRebuilt) {
  flip_byte(snap_of(repo), 8);  // the version field
  auto s = Snapshot::open(snap_of(repo));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("version"), std::string::npos);
  expect_rebuilt(repo);
}

TEST_F(DamagedSnapshot, TruncatedIsRebuilt) {
  std::filesystem::resize_file(snap_of(repo), std::filesystem::file_size(snap_of(repo)) - 9);
  EXPECT_FALSE(Snapshot::open(snap_of(repo)).ok());
  expect_rebuilt(repo);
  std::filesystem::resize_file(snap_of(repo), 3);
  expect_rebuilt(repo);
}

TEST_F(DamagedSnapshot, SnapshotOfALostDatabaseIsNotTrusted) {
  // The database goes (cache cleaned) but the snapshot stays: the new
  // database has another id, so the old snapshot must not be used.
  std::filesystem::remove(repo.db());
  std::filesystem::remove(repo.db() + "-wal");
  std::filesystem::remove(repo.db() + "-shm");
  repo.write("pkg/utils.py", "def to_text(s):\n    return str(s)\n");
  auto idx = repo.open();
  EXPECT_FALSE(idx->has_snapshot());
  ASSERT_TRUE(idx->refresh().ok());
  EXPECT_EQ(defs_named(*idx, "to_native_string"), 0u);
  EXPECT_EQ(defs_named(*idx, "to_text"), 1u);
}

TEST(Snapshot, WriterOutputDoesNotDependOnInsertionOrder) {
  TempRepo repo;
  auto write = [&](bool reversed, const std::string& name) {
    SnapshotWriter w;
    std::vector<std::string> terms;
    for (int i = 0; i < 3000; ++i) terms.push_back("t" + std::to_string(i * 7919 % 3001));
    if (reversed) std::reverse(terms.begin(), terms.end());
    for (int f = 0; f < 3; ++f) {
      SnapshotWriter::FileInfo info;
      std::string path = "f" + std::to_string(f) + ".py";
      info.path = path;
      uint32_t slot = w.add_file(info);
      for (const std::string& t : terms) w.add_posting(t, slot, 1 + f);
      w.add_definer(reversed ? "zeta" : "alpha", slot);
      w.add_definer(reversed ? "alpha" : "zeta", slot);
    }
    std::string path = repo.root() + "/" + name;
    EXPECT_TRUE(w.write(path, 1, 2).ok());
    return fs::read_file(path).value();
  };
  std::string a = write(false, "a.snap"), b = write(true, "b.snap");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  auto snap = Snapshot::open(repo.root() + "/a.snap");
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap.value()->postings("t42").size(), 3u);
  EXPECT_EQ(snap.value()->postings("t42")[2].tf, 3u);
  EXPECT_EQ(snap.value()->definers("zeta").size(), 3u);
  EXPECT_TRUE(snap.value()->postings("t3001").empty());
}

TEST(Snapshot, KillDuringWritesLeavesAUsableIndex) {
  TempRepo repo;
  write_repo(repo);
  for (int i = 0; i < 300; ++i)
    repo.write("gen/m" + std::to_string(i) + ".py",
               "def func_" + std::to_string(i) + "(x):\n    return helper_" +
                   std::to_string(i % 7) + "(x)\n");
  {
    auto idx = repo.open();
    ASSERT_TRUE(idx->refresh().ok());
  }
  for (int round = 0; round < 6; ++round) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Child: keep editing, refreshing and rewriting the snapshot.
      auto idx = repo.open();
      for (int i = 0;; ++i) {
        repo.write("pkg/utils.py", "def to_native_string(s):\n    return str(s)  # " +
                                       std::to_string(i) + "\n");
        (void)idx->refresh();
        (void)idx->write_snapshot();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + 37 * round));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    auto idx = repo.open();
    ASSERT_NE(idx, nullptr) << "round " << round;
    auto s = idx->refresh();
    ASSERT_TRUE(s.ok()) << "round " << round;
    EXPECT_EQ(s->files, 304u);
    EXPECT_EQ(defs_named(*idx, "to_native_string"), 1u);
    EXPECT_EQ(defs_named(*idx, "func_123"), 1u);
    EXPECT_EQ(ranked_paths(*idx, "to_native_string returns bytes").front(), "pkg/utils.py");
  }
}

}  // namespace
}  // namespace bastion::index
