// The input box's editing model: a multi-line UTF-8 buffer with a cursor,
// history navigation (Up/Down at the first/last line) and a history file
// shared across sessions (JSON strings, one per line, so multi-line entries
// survive). Rendering wraps the buffer to the terminal width and reports
// where the cursor lands.
#pragma once

#include <string>
#include <vector>

namespace bastion::ui {

class LineEditor {
 public:
  const std::string& text() const { return text_; }
  size_t cursor() const { return cursor_; }
  void set_text(std::string text);
  void clear() { set_text(""); }

  void insert(const std::string& s);
  void backspace();
  void del();
  void left();
  void right();
  void home();  // start of the current line
  void end();   // end of the current line
  void kill_to_start();
  void kill_to_end();
  void delete_word();
  // Up/Down: move between lines; at the top/bottom line, walk history.
  void up();
  void down();

  // History: entries oldest first.
  void load_history(const std::string& path);
  void add_history(const std::string& entry);  // appends to the file too
  const std::vector<std::string>& history() const { return history_; }
  // Newest entry containing `query` strictly older than index `before`
  // (history().size() = start from the newest); -1 when none.
  int search_history(const std::string& query, int before) const;

  struct Rendered {
    std::vector<std::string> rows;
    int cursor_row = 0;
    int cursor_col = 0;
  };
  // Wraps "prompt + text" to `width` columns; continuation lines get
  // `indent` (same width as prompt).
  Rendered render(const std::string& prompt, int width) const;

 private:
  size_t line_start(size_t pos) const;
  size_t line_end(size_t pos) const;

  std::string text_;
  size_t cursor_ = 0;
  std::vector<std::string> history_;
  int history_pos_ = -1;  // -1 = editing a new entry
  std::string draft_;
  std::string history_path_;
};

}  // namespace bastion::ui
