// The first-turn repo map is added only when it pays off: an index already
// on disk and a prompt naming something that index defines.
#include "tools/first_turn_map.h"

#include "tool_test_util.h"

namespace bastion::tools {
namespace {

using testing::ToolTest;

class FirstTurnMapTest : public ToolTest {
 protected:
  void SetUp() override {
    ToolTest::SetUp();
    ASSERT_TRUE(fs::make_dirs(ws_ + "/.git").ok());
    put("src/http/headers.py",
        "class HeaderParser:\n    def parse_header(self, line):\n        return line.split(':')\n");
    put("src/app.py", "from http.headers import HeaderParser\n\ndef main():\n    HeaderParser().parse_header('a: b')\n");
    opt_.db_path = base_ + "/index.db";
  }
  void build_index() {
    LazyIndex warm(ws_, opt_.db_path);
    auto idx = warm.get();
    ASSERT_TRUE(idx.ok()) << idx.error().message;
    ASSERT_TRUE((*idx)->refresh().ok());
  }
  FirstTurnMapOptions opt_;
};

TEST_F(FirstTurnMapTest, NoIndexOnDiskMeansNoMapAndNoIndexWork) {
  LazyIndex index(ws_, opt_.db_path);
  auto map = first_turn_map(index, "fix `parse_header` for empty lines", opt_);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(*map, "");
  EXPECT_FALSE(index.is_open());
}

TEST_F(FirstTurnMapTest, WarmIndexAndNamedIdentifierGiveAFocusedMap) {
  build_index();
  LazyIndex index(ws_, opt_.db_path);
  auto map = first_turn_map(index, "fix `parse_header` for empty lines", opt_);
  ASSERT_TRUE(map.ok()) << map.error().message;
  EXPECT_NE(map->find("src/http/headers.py"), std::string::npos) << *map;
  EXPECT_NE(map->find("parse_header"), std::string::npos) << *map;
  EXPECT_LE(map->size(), opt_.max_tokens * 4);
}

TEST_F(FirstTurnMapTest, PromptNamingNothingTheIndexKnowsGetsNoMap) {
  build_index();
  LazyIndex index(ws_, opt_.db_path);
  auto prose = first_turn_map(index, "please make the tests faster", opt_);
  ASSERT_TRUE(prose.ok());
  EXPECT_EQ(*prose, "");
  auto unknown = first_turn_map(index, "rename `frobnicate_widget` everywhere", opt_);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(*unknown, "");
  opt_.max_tokens = 0;
  auto disabled = first_turn_map(index, "fix `parse_header`", opt_);
  ASSERT_TRUE(disabled.ok());
  EXPECT_EQ(*disabled, "");
}

}  // namespace
}  // namespace bastion::tools
