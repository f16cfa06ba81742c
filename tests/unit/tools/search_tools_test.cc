#include <sys/time.h>
#include <unistd.h>

#include "tools/core_tools.h"
#include "tool_test_util.h"

namespace bastion::tools {
namespace {

using testing::ToolTest;

class SearchToolsTest : public ToolTest {
 protected:
  void SetUp() override {
    ToolTest::SetUp();
    ASSERT_TRUE(fs::make_dirs(ws_ + "/.git/objects").ok());
    ASSERT_TRUE(fs::make_dirs(ws_ + "/.git/refs").ok());
    put(".git/HEAD", "ref: refs/heads/main\n");
    put(".gitignore", "build/\n");
    put("src/main.cc", "int main() {\n  return run();\n}\n");
    put("src/util/run.cc", "int run() { return 0; }\n// TODO: Run faster\n");
    put("src/util/run.h", "int run();\n");
    put("build/gen.cc", "int run() { return 1; }\n");
    put("README.md", "Run it.\n");
    put("data.bin", std::string("run\0run", 7));
    set_mtime("src/main.cc", 3000);
    set_mtime("src/util/run.cc", 2000);
    set_mtime("src/util/run.h", 1000);
  }
  void set_mtime(const std::string& rel, long secs) {
    timeval tv[2] = {{secs, 0}, {secs, 0}};
    ASSERT_EQ(utimes((ws_ + "/" + rel).c_str(), tv), 0);
  }
  std::unique_ptr<Tool> glob = make_glob_tool();
  std::unique_ptr<Tool> grep = make_grep_tool();
};

TEST_F(SearchToolsTest, GlobIsGitignoreAwareAndNewestFirst) {
  auto r = call(*glob, {{"pattern", "src/**/*.cc"}});
  ASSERT_FALSE(r.is_error) << r.output;
  EXPECT_EQ(r.output, "src/main.cc\nsrc/util/run.cc\n");
  // No '/': match names at any depth; build/ is ignored.
  EXPECT_EQ(call(*glob, {{"pattern", "*.cc"}}).output, "src/main.cc\nsrc/util/run.cc\n");
  EXPECT_EQ(call(*glob, {{"pattern", "run.*"}, {"path", "src/util"}}).output,
            "src/util/run.cc\nsrc/util/run.h\n");
  EXPECT_EQ(call(*glob, {{"pattern", "*.rs"}}).output, "No files match *.rs");
  EXPECT_TRUE(call(*glob, {{"pattern", "*"}, {"path", ".."}}).is_error);
}

TEST_F(SearchToolsTest, GlobCapsResults) {
  for (int i = 0; i < 130; ++i) put("many/f" + std::to_string(i) + ".txt", "x");
  auto r = call(*glob, {{"pattern", "many/*.txt"}});
  EXPECT_NE(r.output.find("[100 of 130 files shown"), std::string::npos);
}

TEST_F(SearchToolsTest, GrepListsFilesByDefaultSkippingIgnoredAndBinary) {
  auto r = call(*grep, {{"pattern", "run\\("}});
  ASSERT_FALSE(r.is_error) << r.output;
  EXPECT_EQ(r.output, "src/main.cc\nsrc/util/run.cc\nsrc/util/run.h\n");
}

TEST_F(SearchToolsTest, GrepContentCountCaseAndGlob) {
  EXPECT_EQ(call(*grep, {{"pattern", "run"}, {"output_mode", "content"}, {"glob", "*.cc"}}).output,
            "src/main.cc:2:  return run();\nsrc/util/run.cc:1:int run() { return 0; }\n");
  EXPECT_EQ(call(*grep, {{"pattern", "run"}, {"-i", true}, {"output_mode", "count"}}).output,
            "README.md:1\nsrc/main.cc:1\nsrc/util/run.cc:2\nsrc/util/run.h:1\n");
  EXPECT_EQ(call(*grep, {{"pattern", "^int"}, {"path", "src/util/run.h"}, {"output_mode", "content"}})
                .output,
            "src/util/run.h:1:int run();\n");
}

TEST_F(SearchToolsTest, GrepErrorsAndNoMatch) {
  auto bad = call(*grep, {{"pattern", "(unclosed"}});
  EXPECT_TRUE(bad.is_error);
  EXPECT_NE(bad.output.find("invalid regex"), std::string::npos);
  EXPECT_EQ(call(*grep, {{"pattern", "nothing_here_xyz"}}).output, "No matches for nothing_here_xyz");
  EXPECT_TRUE(call(*grep, {{"pattern", "x"}, {"output_mode", "lines"}}).is_error);
  EXPECT_TRUE(call(*grep, {{"pattern", "x"}, {"path", "/etc"}}).is_error);
}

TEST_F(SearchToolsTest, GrepMatchesNeverSpanLines) {
  put("two.txt", "alpha\nbeta\n");
  EXPECT_EQ(call(*grep, {{"pattern", "alpha\\s+beta"}}).output, "No matches for alpha\\s+beta");
  EXPECT_EQ(call(*grep, {{"pattern", "a\\s*$"}, {"path", "two.txt"}, {"output_mode", "content"}}).output,
            "two.txt:1:alpha\ntwo.txt:2:beta\n");
}

TEST_F(SearchToolsTest, GrepCapsContentOutput) {
  std::string big;
  for (int i = 0; i < 1000; ++i) big += "match line " + std::to_string(i) + "\n";
  put("big.txt", big);
  auto r = call(*grep, {{"pattern", "match"}, {"output_mode", "content"}});
  EXPECT_NE(r.output.find("[output capped"), std::string::npos);
  EXPECT_LT(r.output.size(), 34 * 1024u);
}

}  // namespace
}  // namespace bastion::tools
