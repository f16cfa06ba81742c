// LazyIndex: the index behind search/repo_map is opened at first use, not at
// start-up, and edits made before then are still seen.
#include "tools/lazy_index.h"

#include "tool_test_util.h"
#include "tools/index_tools.h"
#include "tools/registry.h"

namespace bastion::tools {
namespace {

using testing::ToolTest;

class LazyIndexTest : public ToolTest {
 protected:
  void SetUp() override {
    ToolTest::SetUp();
    ASSERT_TRUE(fs::make_dirs(ws_ + "/.git").ok());
    put("src/parser.py", "def parse_header(line):\n    return line.split(':')\n");
    setenv("XDG_CACHE_HOME", (base_ + "/cache").c_str(), 1);
  }
};

TEST_F(LazyIndexTest, OpensOnFirstSearchNotWhenToolsAreAdded) {
  ToolRegistry registry;
  std::shared_ptr<LazyIndex> index = add_index_tools(registry, ws_);
  EXPECT_FALSE(index->is_open());
  EXPECT_EQ(index->root(), ws_);
  // An edit before any search needs no index work ...
  put("src/lexer.py", "def tokenize_header(text):\n    return text\n");
  index->notify_file_changed(ws_ + "/src/lexer.py");
  EXPECT_FALSE(index->is_open());
  // ... and the first search still sees it.
  ToolResult r = call(*registry.find("search"), {{"query", "tokenize_header"}});
  ASSERT_FALSE(r.is_error) << r.output;
  EXPECT_TRUE(index->is_open());
  EXPECT_EQ(r.output.rfind("src/lexer.py", 0), 0u) << r.output;
}

TEST_F(LazyIndexTest, SearchToolAddsTheDenseSignalWhenGivenOne) {
  put("src/cache.py", "def evict_oldest(entries):\n    return entries[1:]\n");
  std::string asked;
  index::DenseSearch dense = [&](std::string_view q) -> Result<std::vector<std::pair<std::string, double>>> {
    asked = std::string(q);
    return std::vector<std::pair<std::string, double>>{{"src/cache.py", 0.92}};
  };
  ToolRegistry registry;
  add_index_tools(registry, ws_, dense);
  // No word of the query is in cache.py: only the embedding finds it.
  ToolResult r = call(*registry.find("search"), {{"query", "drop stale items when memory is full"}});
  ASSERT_FALSE(r.is_error) << r.output;
  EXPECT_EQ(asked, "drop stale items when memory is full");
  EXPECT_NE(r.output.find("src/cache.py"), std::string::npos) << r.output;
}

TEST_F(LazyIndexTest, AnOpenFailureIsAnErrorResultEveryTime) {
  LazyIndex index(base_ + "/does-not-exist");
  auto first = index.get();
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.error().message.find("does-not-exist"), std::string::npos);
  EXPECT_FALSE(index.get().ok());
  EXPECT_FALSE(index.is_open());
}

}  // namespace
}  // namespace bastion::tools
