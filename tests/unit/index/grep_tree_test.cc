// grep_tree (grep while walking) must give exactly what grep_files gives on
// list_files' output: same files, counts, lines and order, on a tree with
// ignored directories, tracked-but-ignored files, binaries and a subdirectory
// root.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "grep_fixture.h"
#include "index/grep.h"
#include "index/walker.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace bastion::index {
namespace {

class GrepTreeTest : public GrepFixture {
 protected:
  void git(std::vector<std::string> args) {
    ProcessSpec spec;
    spec.argv = {"git", "-C", root_};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    auto r = run_process(spec);
    ASSERT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->output : r.error().message);
  }
  void expect_same(const std::string& dir, GrepOptions opt) {
    auto walked = grep_files(dir, list_files(dir), opt);
    auto streamed = grep_tree(dir, opt);
    ASSERT_TRUE(walked.ok() && streamed.ok());
    EXPECT_EQ(dump(*streamed), dump(*walked)) << opt.pattern;
    EXPECT_FALSE(walked->files.empty()) << "the pattern should match something: " << opt.pattern;
  }
};

TEST_F(GrepTreeTest, SameResultsAsGrepOverTheListing) {
  git({"init", "-q"});
  put(".gitignore", "build/\n*.log\n");
  for (int d = 0; d < 12; ++d)
    for (int f = 0; f < 9; ++f)
      put("src/d" + std::to_string(d) + "/sub/f" + std::to_string(f) + ".c",
          "int value_" + std::to_string(d * 10 + f) + " = " + std::to_string(f) + ";\n" +
              (f % 3 == 0 ? "// TODO fix " + std::to_string(d) + "\n" : "") + "int other;\n");
  put("build/gen.c", "// TODO generated\n");
  put("build/tracked.c", "// TODO tracked though ignored\n");
  put("run.log", "TODO in a log\n");
  put("top.c", "// todo lower\n// TODO upper\n");
  put("blob.bin", std::string("TODO\0TODO", 9));
  git({"add", "-f", "build/tracked.c", "top.c"});

  GrepOptions files_only;
  files_only.pattern = "TODO";
  files_only.files_only = true;
  expect_same(root_, files_only);
  GrepOptions content;
  content.pattern = "^int value_[0-9]+ = [36];$";
  expect_same(root_, content);
  GrepOptions counted;
  counted.pattern = "todo";
  counted.ignore_case = true;
  counted.count_only = true;
  counted.glob = "*.c";
  expect_same(root_, counted);
  expect_same(root_ + "/src/d3", content);

  auto tracked = grep_tree(root_, files_only);
  ASSERT_TRUE(tracked.ok());
  std::vector<std::string> paths;
  for (const auto& f : tracked->files) paths.push_back(f.path);
  EXPECT_NE(std::find(paths.begin(), paths.end(), "build/tracked.c"), paths.end());
  EXPECT_EQ(std::find(paths.begin(), paths.end(), "build/gen.c"), paths.end());
  EXPECT_EQ(std::find(paths.begin(), paths.end(), "blob.bin"), paths.end());
}

TEST_F(GrepTreeTest, BadPatternIsAnErrorValue) {
  GrepOptions opt;
  opt.pattern = "(unclosed";
  auto r = grep_tree(root_, opt);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("invalid regex"), std::string::npos);
}

}  // namespace
}  // namespace bastion::index
