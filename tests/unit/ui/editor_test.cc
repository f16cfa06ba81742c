// LineEditor: multi-line editing, wrapping with the cursor position, and
// history navigation/search persisted across sessions.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "ui/line_editor.h"
#include "ui/style.h"

namespace bastion::ui {
namespace {

TEST(LineEditor, EditsUtf8AndMultipleLines) {
  LineEditor e;
  e.insert("héllo");
  e.backspace();
  EXPECT_EQ(e.text(), "héll");
  e.left();
  e.left();
  e.backspace();  // removes the é as one character
  EXPECT_EQ(e.text(), "hll");
  e.end();
  e.insert("\nsecond");
  e.up();
  e.home();
  e.insert(">");
  EXPECT_EQ(e.text(), ">hll\nsecond");
}

TEST(LineEditor, RenderWrapsAndPlacesCursor) {
  LineEditor e;
  e.insert("abcdefghij");
  auto r = e.render("> ", 6);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0], "> abcd");
  EXPECT_EQ(r.rows[1], "efghij");
  EXPECT_EQ(r.cursor_row, 2);
  EXPECT_EQ(r.cursor_col, 0);
  e.set_text("x\ny");
  r = e.render("> ", 20);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[1], "  y");
  EXPECT_EQ(r.cursor_row, 1);
  EXPECT_EQ(r.cursor_col, 3);
}

TEST(LineEditor, HistoryPersistsAndSearches) {
  std::string dir = std::filesystem::temp_directory_path() / ("ui_hist_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = dir + "/history.jsonl";
  {
    LineEditor e;
    e.load_history(path);
    e.add_history("first");
    e.add_history("multi\nline");
    e.add_history("third");
  }
  LineEditor e;
  e.load_history(path);
  ASSERT_EQ(e.history().size(), 3u);
  EXPECT_EQ(e.history()[1], "multi\nline");
  e.insert("draft");
  e.up();
  EXPECT_EQ(e.text(), "third");
  e.up();
  EXPECT_EQ(e.text(), "multi\nline");
  e.down();
  e.down();
  EXPECT_EQ(e.text(), "draft");
  EXPECT_EQ(e.search_history("i", 3), 2);
  EXPECT_EQ(e.search_history("i", 2), 1);
  EXPECT_EQ(e.search_history("zzz", 3), -1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bastion::ui
