// TreeWatcher and the watched CodeIndex: a refresh looks only at the files
// inotify reported, falls back to a full walk whenever the set of files may
// have changed, and never returns stale results.
#include "index/tree_watcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "index/index_open.h"
#include "index/search.h"
#include "index_fixture.h"
#include "util/fs.h"

namespace bastion::index {
namespace {

class WatchedTree : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion_watch_test_XXXXXX";
    root_ = fs::resolve_real(mkdtemp(tmpl), "/");
    write("src/app.py", "def start_engine():\n    return 1\n");
    write("src/util/helpers.py", "def parse_flags():\n    return []\n");
    write(".gitignore", "build/\n");
    write("build/out.py", "def generated_thing():\n    pass\n");
  }
  void TearDown() override {
    std::filesystem::remove_all(root_);
    std::filesystem::remove(root_ + ".db");
    std::filesystem::remove(root_ + ".db.snap");
  }
  void write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(root_ + "/" + rel).parent_path());
    std::ofstream(root_ + "/" + rel, std::ios::trunc) << text;
  }
  void append(const std::string& rel, const std::string& text) {
    std::ofstream(root_ + "/" + rel, std::ios::app) << text;
  }
  std::unique_ptr<CodeIndex> open_watched() {
    auto r = open_repo_index(root_, root_ + ".db", /*watch=*/true);
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::move(r.value()) : nullptr;
  }
  static std::vector<std::string> top_files(CodeIndex& index, const std::string& query) {
    return testing::ranked_paths(index, query, 3);
  }
  std::string root_;
};

TEST_F(WatchedTree, BeforeAnyWatchEveryLookIsStructural) {
  TreeWatcher w(root_, "", "");
  EXPECT_TRUE(w.drain().structural);
}

TEST_F(WatchedTree, ContentChangeIsReportedByPathAndCreationIsStructural) {
  TreeWatcher w(root_, "", "");
  ASSERT_TRUE(w.usable());
  EXPECT_EQ(w.watch_dirs({"", "src", "src/util"}), 3u);
  EXPECT_EQ(w.watch_dirs({"src"}), 0u) << "a directory is watched once";
  TreeWatcher::Changes none = w.drain();
  EXPECT_FALSE(none.structural);
  EXPECT_TRUE(none.modified.empty());

  append("src/util/helpers.py", "# more\n");
  append("src/util/helpers.py", "# and more\n");
  TreeWatcher::Changes c = w.drain();
  EXPECT_FALSE(c.structural);
  EXPECT_EQ(c.modified, std::vector<std::string>{"src/util/helpers.py"}) << "reported once";

  write("src/new_module.py", "x = 1\n");
  EXPECT_TRUE(w.drain().structural);
  std::filesystem::rename(root_ + "/src/app.py", root_ + "/src/main.py");
  EXPECT_TRUE(w.drain().structural);
  std::filesystem::remove(root_ + "/src/main.py");
  EXPECT_TRUE(w.drain().structural);
  append(".gitignore", "*.log\n");
  EXPECT_TRUE(w.drain().structural) << "an ignore file changes which files are listed";
  EXPECT_FALSE(w.drain().structural) << "events are consumed";
}

TEST_F(WatchedTree, UnwatchedDirectoriesAreSilentAndGitIndexIsStructural) {
  std::filesystem::create_directories(root_ + "/.git/info");
  TreeWatcher w(root_, root_ + "/.git", root_ + "/.git/info");
  w.watch_dirs({"", "src"});
  append("build/out.py", "# regenerated\n");
  EXPECT_FALSE(w.drain().structural);
  write(".git/index.lock", "x");
  std::filesystem::rename(root_ + "/.git/index.lock", root_ + "/.git/index");
  EXPECT_TRUE(w.drain().structural) << "git add/rm change which files are tracked";
}

TEST_F(WatchedTree, RefreshLooksOnlyAtChangedFilesOnceWatchesVouch) {
  auto index = open_watched();
  ASSERT_TRUE(index);
  auto first = index->refresh();
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->walked);
  EXPECT_EQ(first->analyzed, 3u) << "app.py, helpers.py, .gitignore; build/ is ignored";
  auto second = index->refresh();
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->walked) << "the walk after new watches closes the race window";
  auto quiet = index->refresh();
  ASSERT_TRUE(quiet.ok());
  EXPECT_FALSE(quiet->walked);
  EXPECT_EQ(quiet->files, 0u);

  append("src/util/helpers.py", "def reticulate_splines():\n    pass\n");
  auto edited = index->refresh();
  ASSERT_TRUE(edited.ok());
  EXPECT_FALSE(edited->walked);
  EXPECT_EQ(edited->analyzed, 1u);
  EXPECT_EQ(top_files(*index, "reticulate_splines").at(0), "src/util/helpers.py");

  append("build/out.py", "def reticulate_splines_generated():\n    pass\n");
  auto ignored = index->refresh();
  ASSERT_TRUE(ignored.ok());
  EXPECT_FALSE(ignored->walked);
  EXPECT_EQ(ignored->analyzed, 0u);
}

TEST_F(WatchedTree, CreatedDeletedAndNewlyUnignoredFilesAreNeverMissed) {
  auto index = open_watched();
  ASSERT_TRUE(index);
  ASSERT_TRUE(index->refresh().ok());
  ASSERT_TRUE(index->refresh().ok());

  write("src/deep/nested/feature.py", "def frobnicate_widget():\n    pass\n");
  auto created = index->refresh();
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->walked);
  EXPECT_EQ(top_files(*index, "frobnicate_widget").at(0), "src/deep/nested/feature.py");
  // The new directories are watched now: an edit inside them is seen
  // without a walk once the follow-up walk has run.
  ASSERT_TRUE(index->refresh().ok());
  append("src/deep/nested/feature.py", "def defrobnicate():\n    pass\n");
  auto edited = index->refresh();
  ASSERT_TRUE(edited.ok());
  EXPECT_FALSE(edited->walked);
  EXPECT_EQ(edited->analyzed, 1u);

  std::filesystem::remove(root_ + "/src/app.py");
  auto removed = index->refresh();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->removed, 1u);
  for (auto& p : top_files(*index, "start_engine")) EXPECT_NE(p, "src/app.py");

  write(".gitignore", "");
  auto unignored = index->refresh();
  ASSERT_TRUE(unignored.ok());
  EXPECT_TRUE(unignored->walked);
  EXPECT_EQ(top_files(*index, "generated_thing").at(0), "build/out.py");
}

TEST_F(WatchedTree, WithoutWatchEveryRefreshWalks) {
  auto r = open_repo_index(root_, root_ + ".db");
  ASSERT_TRUE(r.ok());
  for (int i = 0; i < 3; ++i) {
    auto s = r.value()->refresh();
    ASSERT_TRUE(s.ok());
    EXPECT_TRUE(s->walked);
  }
}

}  // namespace
}  // namespace bastion::index
