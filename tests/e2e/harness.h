// Helpers for end-to-end tests: a scripted fake model server per test
// (FakeServer), a throwaway project directory with an isolated HOME and XDG
// directories (TempWorkspace), and a way to run build/bin/bastion and capture
// its exit code, stdout and stderr separately (run_bastion). Tests never touch
// the real user's files and all traffic stays on 127.0.0.1.
//
// Binaries come from the environment CTest sets: $BASTION_BIN and
// $FAKE_SERVER_BIN. The scenario format is in tests/fake_server/README.md.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bastion::e2e {

using Json = nlohmann::json;
using Env = std::map<std::string, std::string>;

// Starts $FAKE_SERVER_BIN with a scenario and stops it (SIGTERM) on
// destruction. On start-up failure ok() is false and error() says why:
//   FakeServer srv(Json::parse(R"({"turns":[{"reply":{"text":"hi"}}]})"));
//   ASSERT_TRUE(srv.ok()) << srv.error();
class FakeServer {
 public:
  explicit FakeServer(const Json& scenario);
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string base_url() const;            // http://127.0.0.1:PORT/v1 (OpenAI)
  std::string anthropic_base_url() const;  // http://127.0.0.1:PORT (Anthropic, no /v1)

  // Every request received so far, one parsed log line each: method, path,
  // headers (lower-cased names), body (parsed JSON), turn (or null), and
  // expect_failed / scenario_exhausted when they happened.
  std::vector<Json> requests() const;
  // Only the requests that consumed (or tried to consume) a scenario turn.
  std::vector<Json> model_requests() const;
  // The expect_failed messages logged so far (empty when all held).
  std::vector<std::string> expect_failures() const;
  const std::string& log_path() const { return log_path_; }

 private:
  std::string dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string error_;
};

// A temp directory holding a project dir and an isolated home:
//   root/work   the project (cwd for runs), optionally a git repo
//   root/home   HOME, with XDG_CONFIG_HOME=home/.config, XDG_DATA_HOME=
//               home/.local/share, XDG_CACHE_HOME=home/.cache,
//               XDG_STATE_HOME=home/.local/state
// Removed recursively on destruction (unless BASTION_KEEP_TEST_DIRS is set).
class TempWorkspace {
 public:
  explicit TempWorkspace(bool git_init = false);
  ~TempWorkspace();
  TempWorkspace(const TempWorkspace&) = delete;
  TempWorkspace& operator=(const TempWorkspace&) = delete;

  const std::string& root() const { return root_; }
  const std::string& dir() const { return dir_; }    // the project directory
  const std::string& home() const { return home_; }
  std::string path(const std::string& rel) const;    // dir()/rel
  std::string config_dir() const;                    // XDG_CONFIG_HOME/bastion
  std::string data_dir() const;                      // XDG_DATA_HOME/bastion

  // Writes dir()/rel (creating parents). Returns false on failure.
  bool write(const std::string& rel, const std::string& content) const;
  // Writes an absolute path (e.g. under home()), creating parents.
  bool write_abs(const std::string& abs_path, const std::string& content) const;
  // Contents of dir()/rel, or "" when missing.
  std::string read(const std::string& rel) const;
  bool exists(const std::string& rel) const;
  // Runs `git add -A && git commit` in dir() (git_init must have been true).
  bool git_commit_all(const std::string& message = "initial") const;

  // The isolated environment for a child: HOME, XDG_*, PATH, LANG, TERM=dumb,
  // TMPDIR, plus `extra` (which wins). Nothing else from the parent leaks in,
  // so BASTION_* settings of the developer's shell never reach the test.
  Env env(const Env& extra = {}) const;

 private:
  std::string root_, dir_, home_;
};

struct RunResult {
  int exit_code = -1;      // exit status, or 128+signal
  bool timed_out = false;
  std::string out;         // stdout
  std::string err;         // stderr
  int64_t elapsed_ms = 0;

  // stdout parsed as one JSON document (discarded value when it isn't).
  Json json() const;
  // stdout parsed as JSON lines; lines that aren't JSON are skipped.
  std::vector<Json> json_lines() const;
  // A summary for assertion messages: exit code, stdout and stderr.
  std::string describe() const;
};

// Runs argv with exactly `env` (no inheritance), in `cwd`, feeding
// `stdin_text` then closing stdin. The process group is killed after
// `timeout_ms`. exit_code is -1 when the program could not be started.
RunResult run_command(const std::vector<std::string>& argv, const Env& env,
                      const std::string& cwd, const std::string& stdin_text = "",
                      int timeout_ms = 30000);

// run_command with $BASTION_BIN as argv[0].
RunResult run_bastion(const std::vector<std::string>& args, const Env& env,
                      const std::string& cwd, const std::string& stdin_text = "",
                      int timeout_ms = 30000);

// $BASTION_BIN / $FAKE_SERVER_BIN / $BASTION_SOURCE_DIR ("" when unset).
std::string bastion_bin();
std::string fake_server_bin();
std::string source_dir();

// Reads a whole file, "" when missing.
std::string read_text(const std::string& path);

}  // namespace bastion::e2e
