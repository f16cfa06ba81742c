// A parser for POSIX sh / bash command lines, written for the permission
// engine: it finds EVERY simple command a script could run (inside
// pipelines, lists, subshells, groups, if/while/for/case bodies, functions,
// `$(…)`, backticks, `<(…)`, here-doc bodies, and the commands wrapped by
// env/sudo/xargs/timeout/nice/`bash -c '…'`/`find -exec`…), with each word
// quote-removed where it is literal and marked dynamic where it is not.
//
// Why our own parser: approval decisions must see the script exactly as bash
// will. Differentials (CR handling, caps on subcommand counts, `{a,b}` brace
// expansion, `g''it`) are how peers' deny rules were bypassed. Anything this
// parser does not understand is an error, which callers treat as "ask/deny",
// never "allow".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace bastion::policy {

// One shell word after quote removal. `value` holds the literal text with
// quotes and escapes removed; expansions (`$X`, `$(…)`, backticks, `$((…))`)
// stay in their source spelling. `literal_len` is how many leading bytes of
// `value` are known exactly: value.size() for a fully literal word, less when
// the word contains an expansion, an unquoted glob (`*?[`) or a brace
// expansion (`{a,b}`), whose run-time result we cannot know.
struct ShellWord {
  std::string value;
  size_t literal_len = 0;
  bool dynamic = false;  // contains a parameter/command/arithmetic expansion
  bool glob = false;     // contains an unquoted glob or brace expansion
  bool tilde = false;    // starts with an unquoted `~` (home expansion)

  bool is_literal() const { return !dynamic && !glob; }
  std::string_view literal_prefix() const { return std::string_view(value).substr(0, literal_len); }
};

struct ShellRedirect {
  std::string op;     // ">", ">>", "<", "<>", ">|", "&>", "&>>", ">&", "<&", "<<", "<<-", "<<<"
  int fd = -1;        // explicit source fd, -1 when defaulted
  ShellWord target;   // file, fd number, or here-doc delimiter / here-string
  // True when the redirection writes to a file (not /dev/null, not an fd dup).
  bool writes_file() const;
  // True when it reads a file (`<`, `<>`).
  bool reads_file() const;
};

enum class WrapperKind {
  kNone,         // an ordinary command
  kTransparent,  // timeout, nice, nohup, time, command, exec, stdbuf, setsid: as safe as the inner command
  kOpaque,       // sudo, env with a command, xargs, bash -c, eval, find -exec...: never auto-approved
};

struct SimpleCommand {
  std::vector<std::string> assignments;  // `FOO=1` prefixes, source text
  std::vector<ShellWord> words;          // argv; may be empty (assignment-only)
  std::vector<ShellRedirect> redirects;
  // Set on a wrapper (e.g. `sudo rm x`); the wrapped command (`rm x`) follows
  // as its own entry with `wrapped_by` naming the wrapper.
  WrapperKind wrapper = WrapperKind::kNone;
  std::string wrapped_by;
  bool in_function = false;  // defined in a function body (runs only if called)
};

struct ShellScript {
  std::vector<SimpleCommand> commands;
  bool background = false;  // uses `&` somewhere
};

// Parses a script. Errors (kBadInput) name what was not understood: unclosed
// quotes, unbalanced parentheses, unsupported syntax, nesting deeper than 64.
Result<ShellScript> parse_shell(std::string_view script);

// The words of a command as one display string (for messages).
std::string command_text(const SimpleCommand& cmd);

}  // namespace bastion::policy
