// Words: quoting, escapes, expansions, and here-doc bodies. Every command
// substitution found anywhere in a word (`$(…)`, backticks, `<(…)`, inside
// `${…}` or `$((…))`) is parsed as a nested script so its commands are seen.
#include <cstdint>

#include "policy/shell_parser_internal.h"

namespace bastion::policy::detail {
namespace {

void cut_literal(ShellWord* w, bool* literal_open) {
  if (*literal_open) {
    w->literal_len = w->value.size();
    *literal_open = false;
  }
}

void append_utf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | ((cp >> 18) & 0x07)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool Parser::read_word(ShellWord* w, bool* quoted) {
  bool literal_open = true;
  size_t brace_pos = std::string::npos;
  bool brace_sep = false;
  const size_t start = i_;
  if (peek() == '~') w->tilde = true;
  while (!at_end()) {
    char c = peek();
    if ((c == '<' || c == '>') && peek(1) == '(' && i_ == start) {
      ++i_;  // process substitution <(…) / >(…)
      cut_literal(w, &literal_open);
      w->dynamic = true;
      size_t from = i_ - 1;
      if (!read_command_subst()) return false;
      w->value.append(s_.substr(from, i_ - from));
      continue;
    }
    if (is_meta(c)) break;
    switch (c) {
      case '\\':
        if (peek(1) == '\n') {
          i_ += 2;
        } else if (i_ + 1 >= s_.size()) {
          w->value.push_back('\\');
          ++i_;
        } else {
          w->value.push_back(peek(1));
          i_ += 2;
        }
        break;
      case '\'': {
        size_t end = s_.find('\'', i_ + 1);
        if (end == std::string_view::npos) return fail("unclosed single quote");
        w->value.append(s_.substr(i_ + 1, end - i_ - 1));
        i_ = end + 1;
        *quoted = true;
        break;
      }
      case '"':
        *quoted = true;
        if (!read_double_quoted(w, &literal_open)) return false;
        break;
      case '$':
        if (peek(1) == '\'') {
          *quoted = true;
          if (!read_ansi_c(w)) return false;
        } else if (peek(1) == '"') {
          ++i_;  // $"…" is a translated string: same as "…"
          *quoted = true;
          if (!read_double_quoted(w, &literal_open)) return false;
        } else if (!read_dollar(w, &literal_open)) {
          return false;
        }
        break;
      case '`': {
        cut_literal(w, &literal_open);
        w->dynamic = true;
        size_t from = i_;
        if (!read_backtick()) return false;
        w->value.append(s_.substr(from, i_ - from));
        break;
      }
      case '*':
      case '?':
      case '[':
        cut_literal(w, &literal_open);
        w->glob = true;
        w->value.push_back(c);
        ++i_;
        break;
      case '{':
        if (brace_pos == std::string::npos) brace_pos = w->value.size();
        w->value.push_back(c);
        ++i_;
        break;
      case ',':
        if (brace_pos != std::string::npos) brace_sep = true;
        w->value.push_back(c);
        ++i_;
        break;
      case '.':
        if (brace_pos != std::string::npos && peek(1) == '.') brace_sep = true;
        w->value.push_back(c);
        ++i_;
        break;
      case '}':
        if (brace_pos != std::string::npos && brace_sep) {  // {a,b} / {1..3} expands to several words
          w->glob = true;
          if (literal_open || w->literal_len > brace_pos) {
            w->literal_len = brace_pos;
            literal_open = false;
          }
        }
        w->value.push_back(c);
        ++i_;
        break;
      default:
        w->value.push_back(c);
        ++i_;
    }
  }
  if (i_ == start) return fail("expected a word");
  if (literal_open) w->literal_len = w->value.size();
  return true;
}

bool Parser::read_double_quoted(ShellWord* w, bool* literal_open) {
  ++i_;  // opening quote
  while (true) {
    if (at_end()) return fail("unclosed double quote");
    char c = peek();
    if (c == '"') {
      ++i_;
      return true;
    }
    if (c == '\\') {
      char n = peek(1);
      if (n == '\n') {
        i_ += 2;
      } else if (n == '$' || n == '`' || n == '"' || n == '\\') {
        w->value.push_back(n);
        i_ += 2;
      } else {
        w->value.push_back('\\');
        ++i_;
      }
    } else if (c == '$') {
      if (!read_dollar(w, literal_open)) return false;
    } else if (c == '`') {
      cut_literal(w, literal_open);
      w->dynamic = true;
      size_t from = i_;
      if (!read_backtick()) return false;
      w->value.append(s_.substr(from, i_ - from));
    } else {
      w->value.push_back(c);
      ++i_;
    }
  }
}

bool Parser::read_ansi_c(ShellWord* w) {
  i_ += 2;  // $'
  while (true) {
    if (at_end()) return fail("unclosed $'...' string");
    char c = s_[i_++];
    if (c == '\'') return true;
    if (c != '\\') {
      w->value.push_back(c);
      continue;
    }
    if (at_end()) return fail("unclosed $'...' string");
    char e = s_[i_++];
    switch (e) {
      case 'n': w->value.push_back('\n'); break;
      case 't': w->value.push_back('\t'); break;
      case 'r': w->value.push_back('\r'); break;
      case 'a': w->value.push_back('\a'); break;
      case 'b': w->value.push_back('\b'); break;
      case 'f': w->value.push_back('\f'); break;
      case 'v': w->value.push_back('\v'); break;
      case 'e': case 'E': w->value.push_back('\x1b'); break;
      case 'c':
        if (!at_end()) w->value.push_back(static_cast<char>(s_[i_++] & 0x1f));
        break;
      case 'x': case 'u': case 'U': {
        size_t max = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t v = 0;
        size_t n = 0;
        while (n < max && !at_end() && hex_value(peek()) >= 0) v = v * 16 + hex_value(s_[i_++]), ++n;
        if (n == 0) {
          w->value.push_back('\\');
          w->value.push_back(e);
        } else if (e == 'x') {
          w->value.push_back(static_cast<char>(v));
        } else {
          append_utf8(&w->value, v > 0x10FFFF ? 0xFFFD : v);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          uint32_t v = e - '0';
          for (int k = 0; k < 2 && peek() >= '0' && peek() <= '7'; ++k) v = v * 8 + (s_[i_++] - '0');
          w->value.push_back(static_cast<char>(v & 0xff));
        } else if (e == '\\' || e == '\'' || e == '"' || e == '?') {
          w->value.push_back(e);
        } else {
          w->value.push_back('\\');
          w->value.push_back(e);
        }
    }
  }
}

bool Parser::read_dollar(ShellWord* w, bool* literal_open) {
  size_t from = i_;
  char n = peek(1);
  if (n == '(' && peek(2) == '(') {
    i_ += 3;
    if (!read_arith()) return false;
  } else if (n == '(') {
    ++i_;
    if (!read_command_subst()) return false;
  } else if (n == '{') {
    i_ += 2;
    if (!read_param_expansion()) return false;
  } else if (std::isalpha(static_cast<unsigned char>(n)) || n == '_') {
    ++i_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_')) ++i_;
  } else if (n != '\0' && std::string_view("@*#?-$!0123456789").find(n) != std::string_view::npos) {
    i_ += 2;
  } else {
    w->value.push_back('$');  // a lone '$' is literal
    ++i_;
    return true;
  }
  cut_literal(w, literal_open);
  w->dynamic = true;
  w->value.append(s_.substr(from, i_ - from));
  return true;
}

bool Parser::read_command_subst() {
  ++i_;  // '('
  if (!enter()) return false;
  bool ok = parse_list({}, ')');
  if (ok && peek() != ')') ok = fail("expected ')' closing command substitution");
  if (ok) ++i_;
  leave();
  return ok;
}

bool Parser::read_backtick() {
  ++i_;
  std::string body;
  while (true) {
    if (at_end()) return fail("unclosed backtick");
    char c = s_[i_++];
    if (c == '`') break;
    if (c == '\\' && !at_end() && (peek() == '`' || peek() == '\\' || peek() == '$')) {
      body.push_back(s_[i_++]);
    } else {
      body.push_back(c);
    }
  }
  if (depth_ + 1 > kMaxDepth) return fail("nesting deeper than " + std::to_string(kMaxDepth));
  Parser inner(body, depth_ + 1, out_);
  inner.in_function_ = in_function_;
  if (!inner.parse_program()) return fail("in backticks: " + inner.error());
  return true;
}

bool Parser::read_param_expansion() {
  if (!enter()) return false;
  bool literal_open = false;
  ShellWord scratch;
  bool ok = true;
  while (ok) {
    if (at_end()) {
      ok = fail("unclosed ${");
      break;
    }
    char c = peek();
    if (c == '}') {
      ++i_;
      break;
    }
    if (c == '\\') {
      i_ += 2;
    } else if (c == '\'') {
      size_t end = s_.find('\'', i_ + 1);
      if (end == std::string_view::npos) ok = fail("unclosed single quote");
      else i_ = end + 1;
    } else if (c == '"') {
      ok = read_double_quoted(&scratch, &literal_open);
    } else if (c == '$') {
      ok = peek(1) == '\'' ? read_ansi_c(&scratch) : read_dollar(&scratch, &literal_open);
    } else if (c == '`') {
      ok = read_backtick();
    } else {
      ++i_;
    }
  }
  leave();
  return ok;
}

bool Parser::read_arith() {
  if (!enter()) return false;
  bool literal_open = false;
  ShellWord scratch;
  int parens = 0;
  bool ok = true;
  while (ok) {
    if (at_end()) {
      ok = fail("unclosed arithmetic expression");
      break;
    }
    char c = peek();
    if (c == ')' && parens == 0) {
      if (peek(1) != ')') {
        ok = fail("expected '))'");
        break;
      }
      i_ += 2;
      break;
    }
    if (c == '(') ++parens, ++i_;
    else if (c == ')') --parens, ++i_;
    else if (c == '$') ok = read_dollar(&scratch, &literal_open);
    else if (c == '`') ok = read_backtick();
    else if (c == '"') ok = read_double_quoted(&scratch, &literal_open);
    else if (c == '\\') i_ += 2;
    else ++i_;
  }
  leave();
  return ok;
}

bool Parser::read_heredoc_bodies() {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& h : pending) {
    std::string body;
    bool found = false;
    while (!at_end()) {
      size_t eol = s_.find('\n', i_);
      size_t end = eol == std::string_view::npos ? s_.size() : eol;
      std::string_view line = s_.substr(i_, end - i_);
      i_ = eol == std::string_view::npos ? s_.size() : eol + 1;
      if (h.strip_tabs)
        while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
      if (line == h.delim) {
        found = true;
        break;
      }
      body.append(line);
      body.push_back('\n');
    }
    (void)found;  // bash accepts a here-doc ended by end of input (with a warning)
    if (h.expand) {
      if (depth_ + 1 > kMaxDepth) return fail("nesting deeper than " + std::to_string(kMaxDepth));
      Parser inner(body, depth_ + 1, out_);
      inner.in_function_ = in_function_;
      if (!inner.scan_expanding_text()) return fail("in here-document: " + inner.error());
    }
  }
  return true;
}

bool Parser::scan_expanding_text() {
  bool literal_open = false;
  ShellWord scratch;
  while (!at_end()) {
    char c = peek();
    if (c == '\\') {
      i_ += 2;
    } else if (c == '$') {
      if (!read_dollar(&scratch, &literal_open)) return false;
    } else if (c == '`') {
      if (!read_backtick()) return false;
    } else {
      ++i_;
    }
  }
  return true;
}

}  // namespace bastion::policy::detail
