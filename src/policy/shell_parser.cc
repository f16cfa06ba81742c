// Structure of the shell grammar: lists, and-or lists, pipelines, compound
// commands and simple commands. Words live in shell_words.cc.
#include "policy/shell_parser.h"

#include <algorithm>

#include "policy/shell_parser_internal.h"

namespace bastion::policy {

bool ShellRedirect::writes_file() const {
  if (op == "<" || op == "<<" || op == "<<-" || op == "<<<" || op == "<&") return false;
  if (op == ">&" && target.is_literal() &&
      (target.value == "-" ||
       std::all_of(target.value.begin(), target.value.end(), [](char c) { return c >= '0' && c <= '9'; })))
    return false;  // fd duplication or close
  if (target.is_literal() && target.value == "/dev/null") return false;
  return true;  // >, >>, >|, <>, &>, &>>, >& FILE
}

bool ShellRedirect::reads_file() const { return op == "<" || op == "<>"; }

std::string command_text(const SimpleCommand& cmd) {
  std::string out;
  for (auto& a : cmd.assignments) out += a + " ";
  for (auto& w : cmd.words) out += w.value + " ";
  if (!out.empty()) out.pop_back();
  return out;
}

Result<ShellScript> parse_shell(std::string_view script) {
  ShellScript out;
  detail::Parser p(script, 0, &out);
  if (!p.parse_program()) return make_error(ErrorKind::kBadInput, "cannot parse shell command: " + p.error());
  std::string err;
  if (!detail::expand_wrappers(&out, 0, &err))
    return make_error(ErrorKind::kBadInput, "cannot parse shell command: " + err);
  return out;
}

namespace detail {

bool is_meta(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' ||
         c == ')' || c == '<' || c == '>';
}

bool Parser::fail(const std::string& msg) {
  if (err_.empty()) err_ = msg + " (at offset " + std::to_string(i_) + ")";
  return false;
}

bool Parser::enter() {
  if (++depth_ > kMaxDepth) return fail("nesting deeper than " + std::to_string(kMaxDepth));
  return true;
}

void Parser::skip_blanks() {
  while (!at_end()) {
    char c = peek();
    if (c == ' ' || c == '\t') {
      ++i_;
    } else if (c == '\\' && peek(1) == '\n') {
      i_ += 2;
    } else if (c == '#') {
      while (!at_end() && peek() != '\n') ++i_;
    } else {
      break;
    }
  }
}

bool Parser::consume_newline() {
  ++i_;  // the '\n'
  return read_heredoc_bodies();
}

bool Parser::skip_linebreaks() {
  while (true) {
    skip_blanks();
    if (peek() != '\n') return true;
    if (!consume_newline()) return false;
  }
}

// The next token if it is a plain unquoted word (reserved-word candidate).
std::string Parser::peek_reserved() const {
  size_t j = i_;
  if (starts("[[") || starts("]]")) j += 2;
  else if (peek() == '{' || peek() == '}' || peek() == '!') j += 1;
  else
    while (j < s_.size() && ((s_[j] >= 'a' && s_[j] <= 'z'))) ++j;
  if (j == i_) return "";
  if (j < s_.size() && !is_meta(s_[j])) return "";
  return std::string(s_.substr(i_, j - i_));
}

bool Parser::expect_reserved(std::string_view kw) {
  if (!skip_linebreaks()) return false;
  if (peek_reserved() != kw) return fail("expected '" + std::string(kw) + "'");
  i_ += kw.size();
  return true;
}

bool Parser::parse_program() {
  if (!parse_list({}, '\0')) return false;
  skip_blanks();
  if (!at_end()) return fail(std::string("unexpected '") + peek() + "'");
  return read_heredoc_bodies();
}

bool Parser::parse_list(const std::vector<std::string_view>& stops, char stop_char) {
  while (true) {
    if (!skip_linebreaks()) return false;
    if (at_end()) return true;
    if (stop_char != '\0' && peek() == stop_char) return true;
    if (starts(";;") || starts(";&")) return true;  // case item end; the case parser checks
    std::string w = peek_reserved();
    if (!w.empty() && std::find(stops.begin(), stops.end(), w) != stops.end()) return true;
    size_t before = i_;
    if (!parse_and_or()) return false;
    skip_blanks();
    if (peek() == ';' && peek(1) != ';' && peek(1) != '&') {
      ++i_;
    } else if (peek() == '&' && peek(1) != '&' && peek(1) != '>') {
      ++i_;
      out_->background = true;
    } else if (peek() == '\n') {
      // next iteration consumes it
    } else if (i_ == before) {
      return fail(std::string("unexpected '") + peek() + "'");
    } else {
      return true;
    }
  }
}

bool Parser::parse_and_or() {
  if (!parse_pipeline()) return false;
  while (true) {
    skip_blanks();
    if (!(starts("&&") || starts("||"))) return true;
    i_ += 2;
    if (!skip_linebreaks() || !parse_pipeline()) return false;
  }
}

bool Parser::parse_pipeline() {
  skip_blanks();
  if (peek_reserved() == "!") {
    ++i_;
    skip_blanks();
  }
  if (peek_reserved() == "time") {
    i_ += 4;
    skip_blanks();
    if (starts("-p") && (i_ + 2 >= s_.size() || is_meta(s_[i_ + 2]))) i_ += 2;
    skip_blanks();
    if (at_end() || peek() == ';' || peek() == '\n' || peek() == '&' || peek() == ')') return true;
  }
  if (!parse_command()) return false;
  while (true) {
    skip_blanks();
    if (peek() != '|' || peek(1) == '|') return true;
    i_ += peek(1) == '&' ? 2 : 1;
    if (!skip_linebreaks() || !parse_command()) return false;
  }
}

bool Parser::parse_command() {
  skip_blanks();
  if (!enter()) return false;
  bool ok = true;
  std::string w = peek_reserved();
  if (starts("((")) {
    i_ += 2;
    ok = read_arith() && parse_trailing_redirects();
  } else if (peek() == '(') {
    ++i_;
    ok = parse_list({}, ')');
    if (ok && peek() != ')') ok = fail("expected ')'");
    if (ok) {
      ++i_;
      ok = parse_trailing_redirects();
    }
  } else if (w == "{") {
    ++i_;
    ok = parse_list({"}"}, '\0') && expect_reserved("}") && parse_trailing_redirects();
  } else if (w == "if") {
    ok = parse_if() && parse_trailing_redirects();
  } else if (w == "while" || w == "until") {
    ok = parse_loop() && parse_trailing_redirects();
  } else if (w == "for" || w == "select") {
    ok = parse_for() && parse_trailing_redirects();
  } else if (w == "case") {
    ok = parse_case() && parse_trailing_redirects();
  } else if (w == "function") {
    ok = parse_function_keyword();
  } else if (w == "[[") {
    ok = parse_double_bracket() && parse_trailing_redirects();
  } else if (w == "coproc") {
    ok = fail("coproc is not supported");
  } else if (w == "then" || w == "fi" || w == "do" || w == "done" || w == "esac" || w == "elif" ||
             w == "else" || w == "}" || w == "in" || w == "]]") {
    ok = fail("unexpected '" + w + "'");
  } else {
    ok = parse_simple_command();
  }
  leave();
  return ok;
}

bool Parser::parse_if() {
  i_ += 2;
  if (!parse_list({"then"}, '\0') || !expect_reserved("then")) return false;
  if (!parse_list({"elif", "else", "fi"}, '\0')) return false;
  while (true) {
    std::string w = peek_reserved();
    if (w == "elif") {
      i_ += 4;
      if (!parse_list({"then"}, '\0') || !expect_reserved("then") ||
          !parse_list({"elif", "else", "fi"}, '\0'))
        return false;
    } else if (w == "else") {
      i_ += 4;
      if (!parse_list({"fi"}, '\0')) return false;
    } else {
      return expect_reserved("fi");
    }
  }
}

bool Parser::parse_loop() {
  i_ += 5;  // while / until
  return parse_list({"do"}, '\0') && expect_reserved("do") && parse_list({"done"}, '\0') &&
         expect_reserved("done");
}

bool Parser::parse_for() {
  i_ += peek_reserved() == "for" ? 3 : 6;
  skip_blanks();
  if (starts("((")) {
    i_ += 2;
    if (!read_arith()) return false;
  } else {
    ShellWord name;
    bool quoted = false;
    if (at_end() || is_meta(peek()) || !read_word(&name, &quoted)) return fail("expected a loop variable");
    if (!skip_linebreaks()) return false;
    if (peek_reserved() == "in") {
      i_ += 2;
      while (true) {
        skip_blanks();
        if (at_end() || peek() == ';' || peek() == '\n') break;
        if (is_meta(peek())) return fail("unexpected character in for list");
        ShellWord w;
        if (!read_word(&w, &quoted)) return false;
      }
    }
  }
  skip_blanks();
  if (peek() == ';') ++i_;
  if (!skip_linebreaks()) return false;
  if (peek_reserved() == "{") {
    ++i_;
    return parse_list({"}"}, '\0') && expect_reserved("}");
  }
  return expect_reserved("do") && parse_list({"done"}, '\0') && expect_reserved("done");
}

bool Parser::parse_case() {
  i_ += 4;
  skip_blanks();
  ShellWord subject;
  bool quoted = false;
  if (at_end() || is_meta(peek()) || !read_word(&subject, &quoted)) return fail("expected a case word");
  if (!expect_reserved("in")) return false;
  while (true) {
    if (!skip_linebreaks()) return false;
    if (peek_reserved() == "esac") {
      i_ += 4;
      return true;
    }
    if (at_end()) return fail("expected 'esac'");
    if (peek() == '(') ++i_;
    while (true) {  // pattern ( '|' pattern )* ')'
      skip_blanks();
      if (at_end() || is_meta(peek())) return fail("expected a case pattern");
      ShellWord pat;
      if (!read_word(&pat, &quoted)) return false;
      skip_blanks();
      if (peek() == '|') {
        ++i_;
        continue;
      }
      if (peek() != ')') return fail("expected ')' after case pattern");
      ++i_;
      break;
    }
    if (!parse_list({"esac"}, '\0')) return false;
    skip_blanks();
    if (starts(";;&")) i_ += 3;
    else if (starts(";;") || starts(";&")) i_ += 2;
    else if (peek_reserved() != "esac") return fail("expected ';;' or 'esac'");
  }
}

bool Parser::parse_function_body() {
  if (!skip_linebreaks()) return false;
  bool saved = in_function_;
  in_function_ = true;
  bool ok = parse_command();
  in_function_ = saved;
  return ok;
}

bool Parser::parse_function_keyword() {
  i_ += 8;
  skip_blanks();
  ShellWord name;
  bool quoted = false;
  if (at_end() || is_meta(peek()) || !read_word(&name, &quoted)) return fail("expected a function name");
  skip_blanks();
  if (peek() == '(') {
    ++i_;
    skip_blanks();
    if (peek() != ')') return fail("expected ')' in function definition");
    ++i_;
  }
  return parse_function_body();
}

bool Parser::parse_double_bracket() {
  i_ += 2;
  bool quoted = false;
  int parens = 0;
  while (true) {
    if (!skip_linebreaks()) return false;
    if (at_end()) return fail("expected ']]'");
    if (peek_reserved() == "]]" && parens == 0) {
      i_ += 2;
      return true;
    }
    if (starts("&&") || starts("||")) {
      i_ += 2;
    } else if (peek() == '(') {
      ++parens, ++i_;
    } else if (peek() == ')') {
      --parens, ++i_;
    } else if (peek() == '<' || peek() == '>') {
      ++i_;
    } else if (is_meta(peek())) {
      return fail(std::string("unexpected '") + peek() + "' inside [[ ]]");
    } else {
      ShellWord w;
      if (!read_word(&w, &quoted)) return false;
      if (w.value == "=~") {  // the regex may hold ( ) and | unquoted
        skip_blanks();
        int depth = 0;
        while (!at_end()) {
          char c = peek();
          if (c == '(' || c == '|') {
            depth += c == '(';
            ++i_;
          } else if (c == ')') {
            if (depth == 0) break;
            --depth, ++i_;
          } else if (is_meta(c)) {
            break;
          } else {
            ShellWord part;
            if (!read_word(&part, &quoted)) return false;
          }
        }
      }
    }
  }
}

bool Parser::redirect_ahead() const {
  size_t j = i_;
  while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9') ++j;
  if (j < s_.size() && (s_[j] == '<' || s_[j] == '>')) return !(j + 1 < s_.size() && s_[j + 1] == '(');
  return j == i_ && s_.substr(i_, 2) == "&>";
}

bool Parser::parse_redirect(int fd, std::vector<ShellRedirect>* out) {
  static const char* kOps[] = {"&>>", "<<<", "<<-", "&>", ">>", "<<", "<>", ">|", ">&", "<&", ">", "<"};
  ShellRedirect r;
  r.fd = fd;
  for (const char* op : kOps)
    if (starts(op)) {
      r.op = op;
      break;
    }
  if (r.op.empty()) return fail("expected a redirection");
  i_ += r.op.size();
  skip_blanks();
  if (at_end() || is_meta(peek())) return fail("missing target for redirection '" + r.op + "'");
  bool quoted = false;
  if (!read_word(&r.target, &quoted)) return false;
  if (r.op == "<<" || r.op == "<<-") pending_.push_back({r.target.value, r.op == "<<-", !quoted});
  out->push_back(std::move(r));
  return true;
}

bool Parser::parse_trailing_redirects() {
  SimpleCommand cmd;
  cmd.in_function = in_function_;
  while (true) {
    skip_blanks();
    if (!redirect_ahead()) break;
    int fd = -1;
    if (peek() >= '0' && peek() <= '9') {
      fd = 0;
      while (peek() >= '0' && peek() <= '9' && fd < 100000) fd = fd * 10 + (s_[i_++] - '0');
    }
    if (!parse_redirect(fd, &cmd.redirects)) return false;
  }
  if (!cmd.redirects.empty()) out_->commands.push_back(std::move(cmd));
  return true;
}

bool Parser::assignment_ahead() const {
  size_t j = i_;
  if (j >= s_.size() || !(std::isalpha(static_cast<unsigned char>(s_[j])) || s_[j] == '_')) return false;
  while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '_')) ++j;
  if (j < s_.size() && s_[j] == '[') {
    while (j < s_.size() && s_[j] != ']') ++j;
    ++j;
  }
  if (j < s_.size() && s_[j] == '+') ++j;
  return j < s_.size() && s_[j] == '=';
}

bool Parser::parse_assignment(std::vector<std::string>* out) {
  size_t start = i_;
  while (peek() != '=') ++i_;
  ++i_;
  bool quoted = false;
  if (peek() == '(') {  // array: a=(x y $(z))
    ++i_;
    while (true) {
      if (!skip_linebreaks()) return false;
      if (at_end()) return fail("unclosed array assignment");
      if (peek() == ')') {
        ++i_;
        break;
      }
      if (is_meta(peek())) return fail("unexpected character in array assignment");
      ShellWord w;
      if (!read_word(&w, &quoted)) return false;
    }
  } else if (!at_end() && !is_meta(peek())) {
    ShellWord value;
    if (!read_word(&value, &quoted)) return false;
  }
  out->push_back(std::string(s_.substr(start, i_ - start)));
  return true;
}

bool Parser::parse_simple_command() {
  SimpleCommand cmd;
  cmd.in_function = in_function_;
  while (true) {
    skip_blanks();
    if (at_end()) break;
    char c = peek();
    if (redirect_ahead()) {
      int fd = -1;
      if (c >= '0' && c <= '9') {
        fd = 0;
        while (peek() >= '0' && peek() <= '9' && fd < 100000) fd = fd * 10 + (s_[i_++] - '0');
      }
      if (!parse_redirect(fd, &cmd.redirects)) return false;
      continue;
    }
    if ((c == '<' || c == '>') && peek(1) == '(') {
      ShellWord w;
      bool quoted = false;
      if (!read_word(&w, &quoted)) return false;
      cmd.words.push_back(std::move(w));
      continue;
    }
    if (c == '(') {
      if (cmd.words.size() == 1 && cmd.assignments.empty() && cmd.redirects.empty() &&
          cmd.words[0].is_literal()) {
        ++i_;  // name() body
        skip_blanks();
        if (peek() != ')') return fail("expected ')' in function definition");
        ++i_;
        return parse_function_body();
      }
      return fail("unexpected '('");
    }
    if (is_meta(c)) break;
    if (cmd.words.empty() && assignment_ahead()) {
      if (!parse_assignment(&cmd.assignments)) return false;
      continue;
    }
    ShellWord w;
    bool quoted = false;
    if (!read_word(&w, &quoted)) return false;
    cmd.words.push_back(std::move(w));
  }
  if (cmd.words.empty() && cmd.assignments.empty() && cmd.redirects.empty())
    return fail(at_end() ? "expected a command" : std::string("unexpected '") + peek() + "'");
  out_->commands.push_back(std::move(cmd));
  return true;
}

}  // namespace detail
}  // namespace bastion::policy
