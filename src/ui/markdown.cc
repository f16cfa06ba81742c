#include "ui/markdown.h"

#include <cctype>
#include <set>

#include "ui/style.h"

namespace bastion::ui {
namespace {

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

const std::set<std::string, std::less<>>& keywords() {
  static const std::set<std::string, std::less<>> k = {
      "if", "else", "for", "while", "return", "def", "class", "import", "from", "fn", "let", "const",
      "var", "function", "struct", "enum", "int", "void", "auto", "namespace", "include", "public",
      "private", "static", "true", "false", "None", "nullptr", "null", "self", "this", "new", "try",
      "catch", "except", "raise", "throw", "in", "and", "or", "not", "pub", "use", "impl", "match",
      "package", "func", "type", "interface", "async", "await", "yield", "with", "as", "elif", "do",
      "break", "continue", "switch", "case", "default", "echo", "then", "fi", "done", "export"};
  return k;
}

std::string hash_comment_langs = "python py sh bash shell zsh ruby rb yaml yml toml perl r make cmake";

}  // namespace

std::string render_inline(std::string_view t) {
  std::string out;
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == '`') {
      size_t end = t.find('`', i + 1);
      if (end != std::string_view::npos) {
        out += paint(Color::kCyan, t.substr(i + 1, end - i - 1));
        i = end + 1;
        continue;
      }
    }
    if (c == '*' && i + 1 < t.size() && t[i + 1] == '*') {
      size_t end = t.find("**", i + 2);
      if (end != std::string_view::npos && end > i + 2) {
        out += paint(Color::kBold, render_inline(t.substr(i + 2, end - i - 2)));
        i = end + 2;
        continue;
      }
    }
    if ((c == '*' || c == '_') && i + 1 < t.size() && t[i + 1] != ' ' && (i == 0 || !is_word(t[i - 1]))) {
      size_t end = t.find(c, i + 1);
      if (end != std::string_view::npos && end > i + 1 && t[end - 1] != ' ' &&
          (end + 1 >= t.size() || !is_word(t[end + 1]))) {
        out += paint(Color::kItalic, t.substr(i + 1, end - i - 1));
        i = end + 1;
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

std::string highlight_code(std::string_view line, std::string_view lang) {
  if (!color_enabled()) return std::string(line);
  bool hash_comments = !lang.empty() && hash_comment_langs.find(std::string(lang)) != std::string::npos;
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if ((c == '/' && i + 1 < line.size() && line[i + 1] == '/') || (c == '#' && hash_comments)) {
      out += paint(Color::kGray, line.substr(i));
      break;
    }
    if (c == '"' || c == '\'') {
      size_t j = i + 1;
      while (j < line.size() && line[j] != c) j += (line[j] == '\\') ? 2 : 1;
      j = std::min(j + 1, line.size());
      out += paint(Color::kGreen, line.substr(i, j - i));
      i = j;
      continue;
    }
    if (is_word(c)) {
      size_t j = i;
      while (j < line.size() && is_word(line[j])) ++j;
      std::string_view w = line.substr(i, j - i);
      if (keywords().count(w)) out += paint(Color::kMagenta, w);
      else if (std::isdigit(static_cast<unsigned char>(c))) out += paint(Color::kYellow, w);
      else out += w;
      i = j;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

std::string MarkdownStream::render_line(std::string_view line) {
  std::string_view trimmed = line;
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
  if (trimmed.substr(0, 3) == "```" || trimmed.substr(0, 3) == "~~~") {
    if (in_code_) {
      in_code_ = false;
      code_lang_.clear();
      return paint(Color::kGray, "  └─");
    }
    in_code_ = true;
    code_lang_ = std::string(trimmed.substr(3));
    while (!code_lang_.empty() && code_lang_.back() == ' ') code_lang_.pop_back();
    return paint(Color::kGray, "  ┌─ " + code_lang_);
  }
  if (in_code_) return paint(Color::kGray, "  │ ") + highlight_code(line, code_lang_);
  if (!trimmed.empty() && trimmed[0] == '#') {
    size_t level = trimmed.find_first_not_of('#');
    if (level != std::string_view::npos && level <= 6 && trimmed[level] == ' ') {
      std::string text(trimmed.substr(level + 1));
      return paint(Color::kBold, level == 1 ? paint(Color::kBlue, text) : text);
    }
  }
  size_t indent = line.size() - trimmed.size();
  if (trimmed.size() >= 2 && (trimmed[0] == '-' || trimmed[0] == '*' || trimmed[0] == '+') && trimmed[1] == ' ')
    return std::string(indent, ' ') + "• " + render_inline(trimmed.substr(2));
  if (!trimmed.empty() && trimmed[0] == '>')
    return paint(Color::kGray, "│ ") + paint(Color::kItalic, render_inline(trimmed.substr(trimmed.size() > 1 && trimmed[1] == ' ' ? 2 : 1)));
  if (trimmed == "---" || trimmed == "***") return paint(Color::kGray, "────────");
  return std::string(line.substr(0, indent)) + render_inline(trimmed);
}

std::vector<std::string> MarkdownStream::feed(std::string_view chunk) {
  pending_.append(chunk);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line(pending_.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(render_line(line));
  }
  pending_.erase(0, start);
  return lines;
}

std::string MarkdownStream::tail() const {
  if (pending_.empty()) return "";
  MarkdownStream copy = *this;  // rendering may flip block state; keep ours
  return copy.render_line(pending_);
}

std::vector<std::string> MarkdownStream::finish() {
  std::vector<std::string> lines;
  if (!pending_.empty()) lines.push_back(render_line(pending_));
  pending_.clear();
  in_code_ = false;
  code_lang_.clear();
  return lines;
}

}  // namespace bastion::ui
