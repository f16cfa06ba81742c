#include "util/fs.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

using namespace bastion;

namespace {
std::string make_temp_dir() {
  return fs::resolve_real(bastion::testing::temp_dir_removed_at_exit("bastion-fs"), "/");
}
}  // namespace

TEST(FsTest, AtomicWriteReplacesContentAndKeepsMode) {
  std::string dir = make_temp_dir();
  std::string path = dir + "/sub/a.txt";
  ASSERT_TRUE(fs::write_file_atomic(path, "one").ok());
  ::chmod(path.c_str(), 0755);
  ASSERT_TRUE(fs::write_file_atomic(path, "two").ok());
  EXPECT_EQ(*fs::read_file(path), "two");
  struct stat sb;
  ::stat(path.c_str(), &sb);
  EXPECT_EQ(sb.st_mode & 0777, 0755u);
}

TEST(FsTest, ReadMissingFileIsNotFound) {
  auto r = fs::read_file("/nonexistent/bastion/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
}

TEST(FsTest, ResolveRealFollowsSymlinksBeforeDotDot) {
  std::string dir = make_temp_dir();
  ASSERT_TRUE(fs::make_dirs(dir + "/a/b").ok());
  ASSERT_TRUE(fs::make_dirs(dir + "/secret").ok());
  ::symlink((dir + "/a/b").c_str(), (dir + "/link").c_str());
  // link/.. is a/, not dir/ (kernel semantics).
  EXPECT_EQ(fs::resolve_real("link/../x", dir), dir + "/a/x");
  ::symlink((dir + "/secret").c_str(), (dir + "/a/s").c_str());
  EXPECT_EQ(fs::resolve_real("a/s/new.txt", dir), dir + "/secret/new.txt");
  EXPECT_TRUE(fs::is_within(dir + "/a/x", dir));
  EXPECT_FALSE(fs::is_within(dir + "x/a", dir));
}
