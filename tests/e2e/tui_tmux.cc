#include "e2e/tui_tmux.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace bastion::e2e {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string TmuxSession::tmux(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"tmux", "-S", socket_};
  argv.insert(argv.end(), args.begin(), args.end());
  Env env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", "/tmp"}, {"TERM", "xterm-256color"}};
  return run_command(argv, env, "/", "", 10000).out;
}

TmuxSession::TmuxSession(const std::string& root, const std::vector<std::string>& argv, const Env& env,
                         const std::string& cwd, int width, int height) {
  socket_ = root + "/tmux.sock";
  std::string script = root + "/run_in_tmux.sh";
  {
    std::ofstream f(script);
    f << "#!/bin/sh\ncd " << shell_quote(cwd) << " || exit 1\nexec env -i";
    for (auto& [k, v] : env)
      if (k != "TERM") f << " " << shell_quote(k + "=" + v);
    f << " TERM=xterm-256color";
    for (auto& a : argv) f << " " << shell_quote(a);
    f << "\n";
  }
  ::chmod(script.c_str(), 0755);
  std::vector<std::string> args = {"-f", "/dev/null", "new-session", "-d", "-x", std::to_string(width), "-y",
                                   std::to_string(height), script};
  std::vector<std::string> full = {"tmux", "-S", socket_};
  full.insert(full.end(), args.begin(), args.end());
  Env tenv = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", "/tmp"}, {"TERM", "xterm-256color"}};
  RunResult r = run_command(full, tenv, "/", "", 10000);
  if (r.exit_code != 0) {
    error_ = "tmux new-session failed: " + r.describe();
    return;
  }
  tmux({"set-option", "-g", "remain-on-exit", "on"});
  tmux({"set-option", "-g", "history-limit", "50000"});
}

TmuxSession::~TmuxSession() { tmux({"kill-server"}); }

void TmuxSession::type(const std::string& text) { tmux({"send-keys", "-l", text}); }
void TmuxSession::key(const std::string& name) { tmux({"send-keys", name}); }
void TmuxSession::resize(int width, int height) {
  tmux({"resize-window", "-x", std::to_string(width), "-y", std::to_string(height)});
}

std::string TmuxSession::capture(bool with_history) {
  if (with_history) return tmux({"capture-pane", "-p", "-J", "-S", "-5000"});
  return tmux({"capture-pane", "-p", "-J"});
}

std::string TmuxSession::capture_escapes() {
  return tmux({"capture-pane", "-p", "-e", "-J", "-S", "-5000"});
}

bool TmuxSession::wait_for(const std::string& needle, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (capture().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool TmuxSession::wait_exit(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (tmux({"display-message", "-p", "#{pane_dead}"}).find('1') != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int TmuxSession::exit_status() {
  std::string out = tmux({"display-message", "-p", "#{pane_dead}:#{pane_dead_status}"});
  if (out.rfind("1:", 0) != 0) return -1;
  return std::atoi(out.c_str() + 2);
}

bool TmuxSession::wait_gone(const std::string& needle, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (capture(false).find(needle) == std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int TmuxSession::pid() { return std::atoi(tmux({"display-message", "-p", "#{pane_pid}"}).c_str()); }

}  // namespace bastion::e2e
