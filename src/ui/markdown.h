// Streaming markdown for the terminal: the answer arrives in chunks, so it is
// rendered one finished line at a time (headings, lists, quotes, emphasis,
// inline code, fenced code blocks with keyword/string/comment colouring).
// Finished lines go to scrollback once and never change; only the unfinished
// tail is redrawn, so there is no reflow flicker.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bastion::ui {

class MarkdownStream {
 public:
  // Adds streamed text; returns the rendered lines it completed.
  std::vector<std::string> feed(std::string_view chunk);
  // The unfinished last line, rendered (for the live region).
  std::string tail() const;
  // Ends the message: returns the rendered tail (if any) and resets state.
  std::vector<std::string> finish();
  bool in_code_block() const { return in_code_; }

  // Renders one complete line given the block state (updated in place).
  std::string render_line(std::string_view line);

 private:
  std::string pending_;
  bool in_code_ = false;
  std::string code_lang_;
};

// Inline markdown of one line: **bold**, *italic*/_italic_, `code`.
std::string render_inline(std::string_view text);
// One line of code in `lang`, with simple colouring.
std::string highlight_code(std::string_view line, std::string_view lang);

}  // namespace bastion::ui
