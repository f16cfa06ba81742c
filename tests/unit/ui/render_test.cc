// Pure string checks of the UI's rendering pieces: widths, markdown
// streaming, key decoding, tool result views and diffs.
#include <gtest/gtest.h>

#include "ui/keys.h"
#include "ui/markdown.h"
#include "ui/style.h"
#include "ui/tool_view.h"

namespace bastion::ui {
namespace {

class ColorOn : public ::testing::Test {
 protected:
  void SetUp() override { set_color_enabled(true); }
  void TearDown() override { set_color_enabled(true); }
};

TEST_F(ColorOn, DisplayWidthCountsWideCharsAndSkipsEscapes) {
  EXPECT_EQ(display_width("abc"), 3);
  EXPECT_EQ(display_width("中文"), 4);
  EXPECT_EQ(display_width("\x1b[31mred\x1b[0m"), 3);
  EXPECT_EQ(display_width("e\xcc\x81"), 1);  // e + combining acute
}

TEST_F(ColorOn, FitWidthCutsAtColumnsAndResets) {
  EXPECT_EQ(fit_width("hello world", 5), "hello");
  EXPECT_EQ(fit_width("中文字", 5), "中文");
  std::string cut = fit_width("\x1b[1mbold text\x1b[0m", 4);
  EXPECT_EQ(strip_ansi(cut), "bold");
  EXPECT_NE(cut.find("\x1b[0m"), std::string::npos);
}

TEST_F(ColorOn, NoColorMakesPaintPlain) {
  set_color_enabled(false);
  EXPECT_EQ(paint(Color::kRed, "x"), "x");
  MarkdownStream md;
  EXPECT_EQ(md.render_line("# Title"), "Title");
  EXPECT_EQ(md.render_line("**b** and `c`"), "b and c");
}

TEST_F(ColorOn, MarkdownStreamsOnlyFinishedLines) {
  MarkdownStream md;
  EXPECT_TRUE(md.feed("# Head").empty());
  EXPECT_EQ(strip_ansi(md.tail()), "Head");
  auto lines = md.feed("ing\n- item *one*\npartial");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(strip_ansi(lines[0]), "Heading");
  EXPECT_NE(lines[0].find("\x1b[1m"), std::string::npos);
  EXPECT_EQ(strip_ansi(lines[1]), "• item one");
  EXPECT_NE(lines[1].find("\x1b[3m"), std::string::npos);
  EXPECT_EQ(strip_ansi(md.tail()), "partial");
  auto rest = md.finish();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(strip_ansi(rest[0]), "partial");
}

TEST_F(ColorOn, CodeBlocksAreFramedAndColoured) {
  MarkdownStream md;
  auto lines = md.feed("```python\ndef f(): return \"s\"  # c\n```\nafter `x`\n");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(strip_ansi(lines[0]), "  ┌─ python");
  EXPECT_EQ(strip_ansi(lines[1]), "  │ def f(): return \"s\"  # c");
  EXPECT_NE(lines[1].find("\x1b[35mdef"), std::string::npos);   // keyword
  EXPECT_NE(lines[1].find("\x1b[32m\"s\""), std::string::npos);  // string
  EXPECT_NE(lines[1].find("\x1b[90m# c"), std::string::npos);    // comment
  EXPECT_EQ(strip_ansi(lines[2]), "  └─");
  EXPECT_NE(lines[3].find("\x1b[36mx"), std::string::npos);  // inline code outside the block
  EXPECT_FALSE(md.in_code_block());
}

TEST_F(ColorOn, UnderscoresInsideWordsAreNotItalic) {
  EXPECT_EQ(render_inline("snake_case_name"), "snake_case_name");
}

TEST(Keys, DecodesControlArrowsAndText) {
  std::string carry;
  auto keys = decode_keys("h\xc3\xa9\x1b[A\x1b[Z\r\x03\x12\x1b[3~", &carry);
  ASSERT_EQ(keys.size(), 7u);
  EXPECT_EQ(keys[0].type, KeyType::kText);
  EXPECT_EQ(keys[0].text, "h\xc3\xa9");
  EXPECT_EQ(keys[1].type, KeyType::kUp);
  EXPECT_EQ(keys[2].type, KeyType::kShiftTab);
  EXPECT_EQ(keys[3].type, KeyType::kEnter);
  EXPECT_EQ(keys[4].type, KeyType::kCtrlC);
  EXPECT_EQ(keys[5].type, KeyType::kCtrlR);
  EXPECT_EQ(keys[6].type, KeyType::kDelete);
}

TEST(Keys, LoneEscIsEscAndSplitUtf8IsCarried) {
  std::string carry;
  auto keys = decode_keys("\x1b", &carry);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].type, KeyType::kEsc);
  keys = decode_keys("a\xe4\xb8", &carry);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(carry, "\xe4\xb8");
  keys = decode_keys("\xad", &carry);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].text, "中");
  keys = decode_keys("\x1b\r", &carry);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].type, KeyType::kNewline);
}

TEST_F(ColorOn, ToolLineShowsTarget) {
  EXPECT_EQ(strip_ansi(tool_call_line("bash", R"({"command":"ls -la"})")), "● bash(ls -la)");
  EXPECT_EQ(strip_ansi(tool_call_line("edit", R"({"path":"a.txt","old_string":"x"})")), "● edit(a.txt)");
}

TEST_F(ColorOn, LongOutputIsElidedWithFullTextKept) {
  tools::ToolResult r;
  for (int i = 0; i < 100; ++i) r.output += "line " + std::to_string(i) + "\n";
  auto v = render_tool_result(r);
  EXPECT_TRUE(v.elided);
  EXPECT_EQ(v.full_text, r.output);
  ASSERT_EQ(v.lines.size(), 5u);
  EXPECT_EQ(strip_ansi(v.lines[0]), "  ⎿ line 0");
  EXPECT_NE(strip_ansi(v.lines[4]).find("+96 lines (ctrl-o to expand)"), std::string::npos);
}

TEST_F(ColorOn, DiffsAreColouredByLineKind) {
  tools::ToolResult r;
  r.output = "edited a.txt";
  r.meta["diff"] = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-old\n+new\n";
  auto v = render_tool_result(r);
  ASSERT_EQ(v.lines.size(), 4u);
  EXPECT_EQ(v.lines[1], "    \x1b[36m@@ -1 +1 @@\x1b[0m");
  EXPECT_EQ(v.lines[2], "    \x1b[31m-old\x1b[0m");
  EXPECT_EQ(v.lines[3], "    \x1b[32m+new\x1b[0m");
  bool elided = false;
  auto few = color_diff(r.meta["diff"].get<std::string>(), 1, &elided);
  EXPECT_TRUE(elided);
  EXPECT_EQ(few.size(), 2u);
}

}  // namespace
}  // namespace bastion::ui
