#include "index/walker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "util/fs.h"

namespace bastion::index {
namespace {

using Files = std::vector<std::string>;

class WalkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion-walker-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // Keep the user's global excludes out of the picture.
    old_home_ = std::getenv("HOME") ? std::getenv("HOME") : "";
    setenv("HOME", dir_.c_str(), 1);
    setenv("XDG_CONFIG_HOME", (dir_ + "/.xdg").c_str(), 1);
    root_ = dir_ + "/repo";
    mkrepo(root_);
  }
  void TearDown() override {
    setenv("HOME", old_home_.c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");
    std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  void mkrepo(const std::string& d) {
    ASSERT_TRUE(fs::make_dirs(d + "/.git/objects").ok());
    ASSERT_TRUE(fs::make_dirs(d + "/.git/refs").ok());
    put(d + "/.git/HEAD", "ref: refs/heads/main\n");
  }
  void put(const std::string& path, const std::string& content = "x\n") {
    ASSERT_TRUE(fs::write_file_atomic(path, content).ok());
  }
  void file(const std::string& rel, const std::string& content = "x\n") { put(root_ + "/" + rel, content); }

  std::string dir_, root_, old_home_;
};

TEST_F(WalkerTest, NeverListsGitDirectoriesAndSortsBytewise) {
  file("b.txt");
  file("B.txt");
  file("a/z.txt");
  file("a-b");
  file("sub/.git", "a file named .git is skipped too\n");
  EXPECT_EQ(list_files(root_), (Files{"B.txt", "a-b", "a/z.txt", "b.txt"}));
}

TEST_F(WalkerTest, ExcludedDirectoryCannotBeReincluded) {
  file(".gitignore", "build/\n!build/keep.txt\nlogs/*\n!logs/keep.log\n");
  file("build/keep.txt");
  file("logs/a.log");
  file("logs/keep.log");
  EXPECT_EQ(list_files(root_), (Files{".gitignore", "logs/keep.log"}));
}

TEST_F(WalkerTest, DeeperIgnoreFileOverridesShallower) {
  file(".gitignore", "*.gen\n");
  file("src/.gitignore", "!*.gen\n");
  file("a.gen");
  file("src/b.gen");
  EXPECT_EQ(list_files(root_), (Files{".gitignore", "src/.gitignore", "src/b.gen"}));
}

TEST_F(WalkerTest, InfoExcludeAndGlobalExcludes) {
  file(".git/info/exclude", "secret*\n");
  put(dir_ + "/.xdg/git/ignore", "*.swp\n");
  file("secret.txt");
  file("x.swp");
  file("ok.txt");
  EXPECT_EQ(list_files(root_), (Files{"ok.txt"}));
  // core.excludesFile in ~/.gitconfig replaces the XDG default.
  put(dir_ + "/.gitconfig", "[core]\n  excludesfile = ~/ign # comment\n");
  put(dir_ + "/ign", "ok.txt\n");
  EXPECT_EQ(list_files(root_), (Files{"x.swp"}));
}

TEST_F(WalkerTest, IgnoreAndBastionignoreFiles) {
  file(".ignore", "*.tmp\n");
  file(".bastionignore", "vendor/\n");
  file(".gitignore", "!a.tmp\n");
  file("a.tmp");
  file("b.tmp");
  file("vendor/lib.c");
  // .ignore outranks .gitignore in the same directory.
  EXPECT_EQ(list_files(root_), (Files{".bastionignore", ".gitignore", ".ignore"}));
}

TEST_F(WalkerTest, NestedRepositoryIsOneDirectoryEntry) {
  mkrepo(root_ + "/third_party/lib");
  file("third_party/lib/x.c");
  file("main.c");
  EXPECT_EQ(list_files(root_), (Files{"main.c", "third_party/lib/"}));
}

TEST_F(WalkerTest, SymlinkedGitignoreIsNotFollowed) {
  put(dir_ + "/outside-ignore", "*\n");
  ASSERT_EQ(symlink((dir_ + "/outside-ignore").c_str(), (root_ + "/.gitignore").c_str()), 0);
  file("a.c");
  EXPECT_EQ(list_files(root_), (Files{".gitignore", "a.c"}));
}

TEST_F(WalkerTest, SizeAndBinaryLimits) {
  file("small.txt", "hi\n");
  file("big.txt", std::string(5000, 'x'));
  file("bin.dat", std::string("ab\0cd", 5));
  WalkOptions o;
  o.max_file_bytes = 1000;
  EXPECT_EQ(list_files(root_, o), (Files{"bin.dat", "small.txt"}));
  o.max_file_bytes = 0;
  o.skip_binary = true;
  EXPECT_EQ(list_files(root_, o), (Files{"big.txt", "small.txt"}));
}

TEST_F(WalkerTest, WithoutIgnoresListsEverythingButGit) {
  file(".gitignore", "*\n");
  file("a/b.c");
  WalkOptions o;
  o.respect_ignores = false;
  EXPECT_EQ(list_files(root_, o), (Files{".gitignore", "a/b.c"}));
}

TEST_F(WalkerTest, PlainDirectoryOutsideGitStillHonoursGitignore) {
  std::string plain = dir_ + "/plain";
  put(plain + "/.gitignore", "*.o\n");
  put(plain + "/a.o");
  put(plain + "/a.c");
  EXPECT_EQ(list_files(plain), (Files{".gitignore", "a.c"}));
}

TEST_F(WalkerTest, ParallelWalkMatchesSerial) {
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 5; ++j) file("d" + std::to_string(i) + "/s" + std::to_string(j) + "/f.c");
  WalkOptions one, many;
  one.threads = 1;
  many.threads = 4;
  auto a = list_files(root_, one);
  EXPECT_EQ(a.size(), 200u);
  EXPECT_EQ(a, list_files(root_, many));
}

// Without tracked files each batch is dropped once passed on (grep's way):
// the batches must still carry every listed file exactly once.
TEST_F(WalkerTest, BatchesWithoutKeepingTheListing) {
  file(".gitignore", "*.log\nbuild/\n");
  for (int d = 0; d < 6; ++d)
    for (int f = 0; f < 5; ++f) file("d" + std::to_string(d) + "/s/f" + std::to_string(f) + ".c");
  file("skip.log");
  file("build/out.c");
  mkrepo(root_ + "/nested");
  file("nested/inner.c");
  Files expected = list_files(root_);
  ASSERT_EQ(expected.size(), 6u * 5 + 2);  // + .gitignore and "nested/"
  for (int threads = 1; threads <= 3; ++threads) {
    WalkOptions opts;
    opts.threads = threads;
    opts.keep_listing = false;
    std::mutex mu;
    Files streamed;
    opts.on_files = [&](const FileBatch& b) {
      std::lock_guard<std::mutex> lock(mu);
      streamed.insert(streamed.end(), b.paths->begin(), b.paths->end());
    };
    EXPECT_TRUE(list_files(root_, opts).empty());
    std::sort(streamed.begin(), streamed.end());
    EXPECT_EQ(streamed, expected) << threads << " threads";
  }
}

TEST_F(WalkerTest, MissingRootIsEmpty) { EXPECT_TRUE(list_files(dir_ + "/nope").empty()); }

}  // namespace
}  // namespace bastion::index
