// Checkpoints: the shadow git store snapshots and restores the work tree
// (including files created or deleted outside the edit tools) without
// touching the project's own .git.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ui/checkpoints.h"
#include "util/fs.h"

namespace bastion::ui {
namespace {

namespace stdfs = std::filesystem;

void write(const stdfs::path& p, const std::string& s) {
  stdfs::create_directories(p.parent_path());
  std::ofstream(p) << s;
}

TEST(Checkpoints, RestoresChangedCreatedAndDeletedFiles) {
  stdfs::path root = stdfs::temp_directory_path() / ("ui_cp_" + std::to_string(::getpid()));
  stdfs::remove_all(root);
  stdfs::path ws = root / "ws";
  write(ws / "a.txt", "one\n");
  write(ws / "sub/b.txt", "bee\n");
  write(ws / ".git/HEAD", "user's repo marker\n");
  Checkpoints cps(ws.string(), (root / "store").string());
  auto cp = cps.snapshot("first prompt", 3);
  ASSERT_TRUE(cp.ok()) << cp.error().message;
  EXPECT_EQ(cp->history_size, 3u);
  write(ws / "a.txt", "changed\n");
  write(ws / "new.txt", "created by a command\n");
  stdfs::remove(ws / "sub/b.txt");
  auto d = cps.diff_since(*cp);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_NE(d->find("+changed"), std::string::npos);
  ASSERT_TRUE(cps.restore_code(*cp).ok());
  EXPECT_EQ(*fs::read_file((ws / "a.txt").string()), "one\n");
  EXPECT_EQ(*fs::read_file((ws / "sub/b.txt").string()), "bee\n");
  EXPECT_FALSE(stdfs::exists(ws / "new.txt"));
  EXPECT_EQ(*fs::read_file((ws / ".git/HEAD").string()), "user's repo marker\n");
  EXPECT_TRUE(stdfs::exists(cps.git_dir() + "/HEAD"));
  stdfs::remove_all(root);
}

}  // namespace
}  // namespace bastion::ui
