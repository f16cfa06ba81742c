#include "e2e/harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace bastion::e2e {
namespace {

namespace stdfs = std::filesystem;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string getenv_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string make_temp_dir(const char* prefix) {
  std::string tmpl = getenv_or("TMPDIR", "/tmp") + "/" + prefix + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) return "";
  std::error_code ec;
  stdfs::path real = stdfs::canonical(buf.data(), ec);
  return ec ? std::string(buf.data()) : real.string();
}

void remove_tree(const std::string& dir) {
  if (dir.empty() || std::getenv("BASTION_KEEP_TEST_DIRS")) return;
  std::error_code ec;
  stdfs::remove_all(dir, ec);
}

bool write_whole(const std::string& path, const std::string& content) {
  std::error_code ec;
  stdfs::create_directories(stdfs::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return static_cast<bool>(out.flush());
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (std::string& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

Env git_env(const Env& base) {
  Env env = base;
  env["GIT_CONFIG_NOSYSTEM"] = "1";
  env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = "Bastion Test";
  env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = "test@example.invalid";
  return env;
}

}  // namespace

std::string bastion_bin() { return getenv_or("BASTION_BIN", ""); }
// Falls back to the fake server built next to $BASTION_BIN.
std::string fake_server_bin() {
  std::string v = getenv_or("FAKE_SERVER_BIN", "");
  if (!v.empty()) return v;
  std::string bin = getenv_or("BASTION_BIN", "");
  auto slash = bin.rfind('/');
  return slash == std::string::npos ? "" : bin.substr(0, slash) + "/fake_model_server";
}
std::string source_dir() { return getenv_or("BASTION_SOURCE_DIR", BASTION_TEST_SOURCE_DIR); }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---------------------------------------------------------------- FakeServer

FakeServer::FakeServer(const Json& scenario) {
  std::string bin = fake_server_bin();
  if (bin.empty()) {
    error_ = "FAKE_SERVER_BIN is not set (run the test through ctest)";
    return;
  }
  dir_ = make_temp_dir("bastion-fake");
  if (dir_.empty()) {
    error_ = std::string("mkdtemp: ") + std::strerror(errno);
    return;
  }
  std::string scenario_path = dir_ + "/scenario.json";
  std::string port_path = dir_ + "/port";
  std::string err_path = dir_ + "/server.err";
  log_path_ = dir_ + "/requests.jsonl";
  if (!write_whole(scenario_path, scenario.dump(2))) {
    error_ = "cannot write " + scenario_path;
    return;
  }
  std::vector<std::string> argv = {bin, "--scenario", scenario_path, "--port-file", port_path,
                                   "--log", log_path_};
  std::vector<char*> cargv = c_strings(argv);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive a crashed test
    int fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(cargv[0], cargv.data());
    std::fprintf(stderr, "exec %s: %s\n", cargv[0], std::strerror(errno));
    ::_exit(127);
  }
  if (pid_ < 0) {
    error_ = std::string("fork: ") + std::strerror(errno);
    return;
  }
  int64_t deadline = now_ms() + 10000;
  while (now_ms() < deadline) {
    std::string text = read_text(port_path);
    if (!text.empty()) {
      port_ = std::atoi(text.c_str());
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "fake server exited during start-up: " + read_text(err_path);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  error_ = "fake server did not write its port file within 10 s";
}

FakeServer::~FakeServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  remove_tree(dir_);
}

std::string FakeServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

std::string FakeServer::anthropic_base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<Json> FakeServer::requests() const {
  std::vector<Json> out;
  std::istringstream in(read_text(log_path_));
  std::string line;
  while (std::getline(in, line)) {
    Json j = Json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.contains("method")) out.push_back(std::move(j));
  }
  return out;
}

std::vector<Json> FakeServer::model_requests() const {
  std::vector<Json> out;
  for (Json& r : requests()) {
    std::string path = r.value("path", "");
    if (path == "/v1/chat/completions" || path == "/v1/messages") out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> FakeServer::expect_failures() const {
  std::vector<std::string> out;
  for (const Json& r : requests())
    if (r.contains("expect_failed")) out.push_back(r["expect_failed"].get<std::string>());
  return out;
}

// ------------------------------------------------------------- TempWorkspace

TempWorkspace::TempWorkspace(bool git_init) {
  root_ = make_temp_dir("bastion-e2e");
  dir_ = root_ + "/work";
  home_ = root_ + "/home";
  std::error_code ec;
  for (const std::string& d : {dir_, home_ + "/.config", home_ + "/.local/share",
                               home_ + "/.cache", home_ + "/.local/state", root_ + "/tmp"})
    stdfs::create_directories(d, ec);
  if (git_init) run_command({"git", "init", "-q", "-b", "main"}, git_env(env()), dir_);
}

TempWorkspace::~TempWorkspace() { remove_tree(root_); }

std::string TempWorkspace::path(const std::string& rel) const { return dir_ + "/" + rel; }
std::string TempWorkspace::config_dir() const { return home_ + "/.config/bastion"; }
std::string TempWorkspace::data_dir() const { return home_ + "/.local/share/bastion"; }

bool TempWorkspace::write(const std::string& rel, const std::string& content) const {
  return write_whole(path(rel), content);
}

bool TempWorkspace::write_abs(const std::string& abs_path, const std::string& content) const {
  return write_whole(abs_path, content);
}

std::string TempWorkspace::read(const std::string& rel) const { return read_text(path(rel)); }

bool TempWorkspace::exists(const std::string& rel) const {
  std::error_code ec;
  return stdfs::exists(path(rel), ec);
}

bool TempWorkspace::git_commit_all(const std::string& message) const {
  Env e = git_env(env());
  return run_command({"git", "add", "-A"}, e, dir_).exit_code == 0 &&
         run_command({"git", "commit", "-q", "-m", message}, e, dir_).exit_code == 0;
}

Env TempWorkspace::env(const Env& extra) const {
  Env e = {{"HOME", home_},
           {"XDG_CONFIG_HOME", home_ + "/.config"},
           {"XDG_DATA_HOME", home_ + "/.local/share"},
           {"XDG_CACHE_HOME", home_ + "/.cache"},
           {"XDG_STATE_HOME", home_ + "/.local/state"},
           {"PATH", getenv_or("PATH", "/usr/local/bin:/usr/bin:/bin")},
           {"LANG", "C.UTF-8"},
           {"TERM", "dumb"},
           {"TMPDIR", root_ + "/tmp"}};
  for (const auto& [k, v] : extra) e[k] = v;
  return e;
}

// ---------------------------------------------------------------- processes

RunResult run_command(const std::vector<std::string>& argv, const Env& env,
                      const std::string& cwd, const std::string& stdin_text, int timeout_ms) {
  RunResult result;
  int64_t start = now_ms();
  int in_pipe[2], out_pipe[2], err_pipe[2], exec_pipe[2];
  if (argv.empty() || ::pipe2(in_pipe, O_CLOEXEC) || ::pipe2(out_pipe, O_CLOEXEC) ||
      ::pipe2(err_pipe, O_CLOEXEC) || ::pipe2(exec_pipe, O_CLOEXEC)) {
    result.err = "cannot create pipes";
    return result;
  }
  std::vector<std::string> args = argv;
  std::vector<std::string> env_list;
  for (const auto& [k, v] : env) env_list.push_back(k + "=" + v);
  std::vector<char*> cargs = c_strings(args), cenv = c_strings(env_list);

  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    int e = 0;
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) e = errno;
    if (!e) {
      ::execvpe(cargs[0], cargs.data(), cenv.data());
      e = errno;
    }
    (void)!::write(exec_pipe[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(exec_pipe[1]);
  if (pid < 0) {
    result.err = std::string("fork: ") + std::strerror(errno);
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    ::close(exec_pipe[0]);
    return result;
  }
  int exec_errno = 0;
  bool exec_failed = ::read(exec_pipe[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
  ::close(exec_pipe[0]);

  int stdin_fd = in_pipe[1];
  size_t stdin_off = 0;
  ::fcntl(stdin_fd, F_SETFL, O_NONBLOCK);
  if (stdin_text.empty()) {
    ::close(stdin_fd);
    stdin_fd = -1;
  }
  int fds[2] = {out_pipe[0], err_pipe[0]};
  std::string* sinks[2] = {&result.out, &result.err};
  int64_t deadline = timeout_ms > 0 ? start + timeout_ms : INT64_MAX;
  bool exited = false;
  int status = 0;
  while (fds[0] >= 0 || fds[1] >= 0 || stdin_fd >= 0) {
    int64_t left = deadline - now_ms();
    if (left <= 0) {
      result.timed_out = !exited;
      break;
    }
    pollfd p[3];
    int n = 0, map[3];
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0) p[n] = {fds[i], POLLIN, 0}, map[n++] = i;
    if (stdin_fd >= 0) p[n] = {stdin_fd, POLLOUT, 0}, map[n++] = 2;
    if (::poll(p, static_cast<nfds_t>(n), static_cast<int>(std::min<int64_t>(left, 100))) < 0 &&
        errno != EINTR)
      break;
    // A grandchild may hold the pipes open after the child exits: read what
    // is there for a short grace period, then stop.
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      deadline = std::min(deadline, now_ms() + 300);
    }
    for (int k = 0; k < n; ++k) {
      if (!p[k].revents) continue;
      if (map[k] == 2) {
        ssize_t w = ::write(stdin_fd, stdin_text.data() + stdin_off, stdin_text.size() - stdin_off);
        if (w > 0) stdin_off += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) stdin_off = stdin_text.size();
        if (stdin_off >= stdin_text.size()) {
          ::close(stdin_fd);
          stdin_fd = -1;
        }
        continue;
      }
      char buf[65536];
      ssize_t r = ::read(fds[map[k]], buf, sizeof buf);
      if (r > 0) {
        sinks[map[k]]->append(buf, static_cast<size_t>(r));
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[map[k]]);
        fds[map[k]] = -1;
      }
    }
  }
  while (!exited && !result.timed_out && ::waitpid(pid, &status, WNOHANG) == 0) {
    if (now_ms() >= deadline) {
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (result.timed_out) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  for (int fd : {fds[0], fds[1], stdin_fd})
    if (fd >= 0) ::close(fd);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  if (exec_failed) {
    result.exit_code = -1;
    result.err = "cannot run " + argv[0] + ": " + std::strerror(exec_errno);
  }
  result.elapsed_ms = now_ms() - start;
  return result;
}

RunResult run_bastion(const std::vector<std::string>& args, const Env& env,
                      const std::string& cwd, const std::string& stdin_text, int timeout_ms) {
  std::string bin = bastion_bin();
  if (bin.empty()) {
    RunResult r;
    r.err = "BASTION_BIN is not set (run the test through ctest)";
    return r;
  }
  std::vector<std::string> argv = {bin};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, env, cwd, stdin_text, timeout_ms);
}

Json RunResult::json() const { return Json::parse(out, nullptr, false); }

std::vector<Json> RunResult::json_lines() const {
  std::vector<Json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    Json j = Json::parse(line, nullptr, false);
    if (!j.is_discarded()) lines.push_back(std::move(j));
  }
  return lines;
}

std::string RunResult::describe() const {
  std::string s = "exit " + std::to_string(exit_code) + (timed_out ? " (timed out)" : "") +
                  " after " + std::to_string(elapsed_ms) + " ms\n--- stdout ---\n" + out +
                  "\n--- stderr ---\n" + err;
  return s;
}

}  // namespace bastion::e2e
