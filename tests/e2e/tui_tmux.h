// Drives the real bastion binary inside a private tmux server (its own
// socket under the test's temp dir) for terminal UI tests: start it with an
// exact environment, type keys, and wait for text to appear on the screen or
// in the scrollback (capture-pane).
#pragma once

#include <string>
#include <vector>

#include "e2e/harness.h"

namespace bastion::e2e {

class TmuxSession {
 public:
  // Runs `argv` in `cwd` with exactly `env` in a width x height window.
  TmuxSession(const std::string& root, const std::vector<std::string>& argv, const Env& env,
              const std::string& cwd, int width = 100, int height = 30);
  ~TmuxSession();
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // send-keys: literal text (-l), or key names ("Enter", "Escape", "BTab", "C-c").
  void type(const std::string& text);
  void key(const std::string& name);
  void resize(int width, int height);
  // The visible screen plus up to 5000 lines of scrollback, joined lines.
  std::string capture(bool with_history = true);
  // capture() with the SGR colour escapes kept (capture-pane -e).
  std::string capture_escapes();
  // Polls capture() until it contains `needle`; false after timeout.
  bool wait_for(const std::string& needle, int timeout_ms = 15000);
  // Polls until the program exited (the pane is dead).
  bool wait_exit(int timeout_ms = 10000);
  // The exit status of the dead pane's program (-1 while it runs).
  int exit_status();
  // Polls until `needle` is no longer on the visible screen; false after timeout.
  bool wait_gone(const std::string& needle, int timeout_ms = 15000);
  // The program's pid (for CPU measurements).
  int pid();

 private:
  std::string tmux(const std::vector<std::string>& args);
  std::string socket_;
  std::string error_;
};

}  // namespace bastion::e2e
