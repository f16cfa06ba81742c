// Internal to the shell parser: the recursive-descent Parser class, split
// across shell_parser.cc (lists, pipelines, compound and simple commands)
// and shell_words.cc (words, quoting, expansions, here-docs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/shell_parser.h"

namespace bastion::policy::detail {

inline constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view src, int depth, ShellScript* out) : s_(src), depth_(depth), out_(out) {}

  // Parses the whole input as a program.
  bool parse_program();
  // Parses here-doc body text with expansions (an unquoted delimiter).
  bool scan_expanding_text();
  const std::string& error() const { return err_; }

 private:
  struct PendingHeredoc {
    std::string delim;
    bool strip_tabs = false;
    bool expand = true;
  };

  // --- shell_parser.cc ---
  bool fail(const std::string& msg);
  bool enter();
  void leave() { --depth_; }
  bool at_end() const { return i_ >= s_.size(); }
  char peek(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  bool starts(std::string_view t) const { return s_.substr(i_, t.size()) == t; }
  void skip_blanks();
  bool skip_linebreaks();
  bool consume_newline();
  std::string peek_reserved() const;
  bool expect_reserved(std::string_view kw);
  bool parse_list(const std::vector<std::string_view>& stops, char stop_char);
  bool parse_and_or();
  bool parse_pipeline();
  bool parse_command();
  bool parse_simple_command();
  bool parse_trailing_redirects();
  bool parse_redirect(int fd, std::vector<ShellRedirect>* out);
  bool redirect_ahead() const;
  bool parse_if();
  bool parse_loop();
  bool parse_for();
  bool parse_case();
  bool parse_function_keyword();
  bool parse_function_body();
  bool parse_double_bracket();
  bool assignment_ahead() const;
  bool parse_assignment(std::vector<std::string>* out);

  // --- shell_words.cc ---
  bool read_word(ShellWord* w, bool* quoted);
  bool read_double_quoted(ShellWord* w, bool* literal_open);
  bool read_dollar(ShellWord* w, bool* literal_open);
  bool read_ansi_c(ShellWord* w);
  bool read_command_subst();  // at "$(" or "<(" / ">(": parses to the ')'
  bool read_backtick();
  bool read_param_expansion();  // after "${"
  bool read_arith();            // after "((" / "$((": up to the "))"
  bool read_heredoc_bodies();

  std::string_view s_;
  size_t i_ = 0;
  int depth_ = 0;
  ShellScript* out_;
  std::vector<PendingHeredoc> pending_;
  bool in_function_ = false;
  std::string err_;
};

bool is_meta(char c);

// Adds the commands wrapped by wrappers (sudo, env, xargs, timeout, bash -c,
// eval, find -exec, ...) after each wrapper. shell_wrappers.cc.
bool expand_wrappers(ShellScript* script, int depth, std::string* err);

}  // namespace bastion::policy::detail
