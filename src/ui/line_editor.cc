#include "ui/line_editor.h"

#include "ui/style.h"
#include "util/fs.h"
#include "util/json.h"

namespace bastion::ui {
namespace {

bool is_cont(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

void LineEditor::set_text(std::string text) {
  text_ = std::move(text);
  cursor_ = text_.size();
}

void LineEditor::insert(const std::string& s) {
  text_.insert(cursor_, s);
  cursor_ += s.size();
}

void LineEditor::backspace() {
  if (cursor_ == 0) return;
  size_t p = cursor_ - 1;
  while (p > 0 && is_cont(text_[p])) --p;
  text_.erase(p, cursor_ - p);
  cursor_ = p;
}

void LineEditor::del() {
  if (cursor_ >= text_.size()) return;
  size_t p = cursor_ + 1;
  while (p < text_.size() && is_cont(text_[p])) ++p;
  text_.erase(cursor_, p - cursor_);
}

void LineEditor::left() {
  if (cursor_ == 0) return;
  --cursor_;
  while (cursor_ > 0 && is_cont(text_[cursor_])) --cursor_;
}

void LineEditor::right() {
  if (cursor_ >= text_.size()) return;
  ++cursor_;
  while (cursor_ < text_.size() && is_cont(text_[cursor_])) ++cursor_;
}

size_t LineEditor::line_start(size_t pos) const {
  size_t nl = pos == 0 ? std::string::npos : text_.rfind('\n', pos - 1);
  return nl == std::string::npos ? 0 : nl + 1;
}

size_t LineEditor::line_end(size_t pos) const {
  size_t nl = text_.find('\n', pos);
  return nl == std::string::npos ? text_.size() : nl;
}

void LineEditor::home() { cursor_ = line_start(cursor_); }
void LineEditor::end() { cursor_ = line_end(cursor_); }
void LineEditor::kill_to_start() {
  size_t s = line_start(cursor_);
  text_.erase(s, cursor_ - s);
  cursor_ = s;
}
void LineEditor::kill_to_end() { text_.erase(cursor_, line_end(cursor_) - cursor_); }

void LineEditor::delete_word() {
  size_t p = cursor_;
  while (p > 0 && text_[p - 1] == ' ') --p;
  while (p > 0 && text_[p - 1] != ' ' && text_[p - 1] != '\n') --p;
  text_.erase(p, cursor_ - p);
  cursor_ = p;
}

void LineEditor::up() {
  size_t s = line_start(cursor_);
  if (s > 0) {
    size_t col = cursor_ - s;
    size_t prev = line_start(s - 1);
    cursor_ = std::min(prev + col, s - 1);
    return;
  }
  if (history_.empty()) return;
  if (history_pos_ < 0) {
    draft_ = text_;
    history_pos_ = static_cast<int>(history_.size());
  }
  if (history_pos_ == 0) return;
  --history_pos_;
  set_text(history_[history_pos_]);
}

void LineEditor::down() {
  size_t e = line_end(cursor_);
  if (e < text_.size()) {
    size_t col = cursor_ - line_start(cursor_);
    size_t next = e + 1;
    cursor_ = std::min(next + col, line_end(next));
    return;
  }
  if (history_pos_ < 0) return;
  ++history_pos_;
  if (history_pos_ >= static_cast<int>(history_.size())) {
    history_pos_ = -1;
    set_text(draft_);
  } else {
    set_text(history_[history_pos_]);
  }
}

void LineEditor::load_history(const std::string& path) {
  history_path_ = path;
  auto content = fs::read_file(path);
  if (!content.ok()) return;
  size_t start = 0;
  const std::string& c = *content;
  while (start < c.size()) {
    size_t nl = c.find('\n', start);
    if (nl == std::string::npos) nl = c.size();
    Json j = Json::parse(c.substr(start, nl - start), nullptr, false);
    if (j.is_string()) history_.push_back(j.get<std::string>());
    start = nl + 1;
  }
  if (history_.size() > 1000) history_.erase(history_.begin(), history_.end() - 1000);
}

void LineEditor::add_history(const std::string& entry) {
  history_pos_ = -1;
  if (entry.empty() || (!history_.empty() && history_.back() == entry)) return;
  history_.push_back(entry);
  if (!history_path_.empty()) (void)fs::append_file(history_path_, Json(entry).dump() + "\n");
}

int LineEditor::search_history(const std::string& query, int before) const {
  for (int i = std::min(before, static_cast<int>(history_.size())) - 1; i >= 0; --i)
    if (history_[i].find(query) != std::string::npos) return i;
  return -1;
}

LineEditor::Rendered LineEditor::render(const std::string& prompt, int width) const {
  Rendered r;
  if (width < 4) width = 4;
  int pw = display_width(prompt);
  std::string indent(static_cast<size_t>(pw), ' ');
  std::string row = prompt;
  int col = pw;
  bool cursor_set = false;
  auto newline = [&](bool hard) {
    r.rows.push_back(row);
    row = hard ? indent : "";
    col = hard ? pw : 0;
  };
  for (size_t i = 0; i <= text_.size();) {
    if (i == cursor_ && !cursor_set) {
      if (col >= width) newline(false);
      r.cursor_row = static_cast<int>(r.rows.size());
      r.cursor_col = col;
      cursor_set = true;
    }
    if (i == text_.size()) break;
    if (text_[i] == '\n') {
      newline(true);
      ++i;
      continue;
    }
    size_t len = 1;
    while (i + len < text_.size() && is_cont(text_[i + len])) ++len;
    std::string ch = text_.substr(i, len);
    int w = display_width(ch);
    if (col + w > width) newline(false);
    row += ch;
    col += w;
    i += len;
  }
  r.rows.push_back(row);
  return r;
}

}  // namespace bastion::ui
