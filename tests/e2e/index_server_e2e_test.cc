// `bastion index --serve` end to end: a server started as a child process on a
// temp git repository answers `bastion search` with exactly the in-process
// output, sees edits made since its last answer, survives malformed requests,
// refuses to run twice, and a SIGKILLed server's stale socket neither breaks
// the CLI (it falls back in-process) nor blocks a new server. With
// --idle-exit, or when its repository is removed, it stops by itself.
// (Servers that `bastion search` starts: index_autostart_e2e_test.cc.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "search_project.h"

namespace bastion::e2e {
namespace {

// `bastion index --serve -v` in the background, stdout and stderr to a log.
class ServerProcess {
 public:
  ServerProcess(const TempWorkspace& ws, const std::string& log,
                const std::vector<std::string>& extra_args = {})
      : log_(log) {
    Env env = ws.env();
    std::vector<std::string> strings;
    for (auto& [k, v] : env) strings.push_back(k + "=" + v);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
      if (::chdir(ws.dir().c_str()) != 0) ::_exit(127);
      std::vector<char*> envp, argv;
      for (auto& s : strings) envp.push_back(s.data());
      envp.push_back(nullptr);
      std::string bin = bastion_bin();
      std::vector<std::string> args = {bin, "index", "--serve", "-v"};
      args.insert(args.end(), extra_args.begin(), extra_args.end());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execve(bin.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
  }
  ~ServerProcess() { stop(SIGKILL); }

  // Waits for the "serving ROOT on SOCKET" line; "" when the server exited
  // or did not get there within `timeout_ms`.
  std::string wait_ready(int timeout_ms = 60000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string log = read_text(log_);
      size_t at = log.find(" on ", log.find("bastion index: serving "));
      if (log.find("bastion index: serving ") != std::string::npos && at != std::string::npos) {
        size_t end = log.find('\n', at);
        if (end != std::string::npos) return log.substr(at + 4, end - at - 4);
      }
      int status;
      if (pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "";
  }
  // Sends `sig` and reaps the server; returns its exit code (128+signal).
  int stop(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // Waits up to `timeout_ms` for the server to exit by itself and returns
  // its exit code; -1 when it is still running (then it is left running).
  int wait_exit(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  // How many searches the server has logged answering.
  size_t answered() const {
    std::string log = read_text(log_);
    size_t n = 0;
    for (size_t at = 0; (at = log.find("bastion index: search \"", at)) != std::string::npos; ++at)
      ++n;
    return n;
  }
  std::string log() const { return read_text(log_); }

 private:
  std::string log_;
  pid_t pid_ = -1;
};

// Sends raw bytes to a Unix socket, half-closes, and returns all it answers.
std::string exchange_raw(const std::string& path, const std::string& bytes) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "<connect failed>";
  }
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

class IndexServerE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(write_search_project(ws_));
  }
  RunResult search(const std::vector<std::string>& args, const Env& extra = {},
                   const std::string& stdin_text = "") {
    std::vector<std::string> full = {"search"};
    full.insert(full.end(), args.begin(), args.end());
    return run_bastion(full, ws_.env(extra), ws_.dir(), stdin_text);
  }
  std::string log_path(const char* name) const { return ws_.root() + "/" + name; }

  TempWorkspace ws_{true};
};

const Env kInProcess = {{"BASTION_INDEX_SERVER", "0"}};

TEST_F(IndexServerE2E, AnswersExactlyWhatInProcessSearchPrints) {
  ServerProcess server(ws_, log_path("server.log"));
  std::string sock = server.wait_ready();
  ASSERT_FALSE(sock.empty()) << server.log();
  struct stat st;
  ASSERT_EQ(::stat(sock.c_str(), &st), 0) << sock;
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  std::vector<std::vector<std::string>> cases = {
      {"--files", "-k", "5", "parse config file error"},
      {"parse config file error"},
      {"--explain", "-k", "3", "widget render"},
      {"--files", "-C", "src", "fetch url"},
  };
  size_t served = 0;
  for (auto& args : cases) {
    RunResult direct = search(args, kInProcess);
    RunResult via = search(args);
    ASSERT_EQ(direct.exit_code, 0) << direct.describe();
    EXPECT_EQ(via.exit_code, direct.exit_code) << via.describe();
    EXPECT_EQ(via.out, direct.out) << args.back();
    EXPECT_EQ(via.err, direct.err) << args.back();
    EXPECT_EQ(server.answered(), ++served) << server.log();
  }
  EXPECT_EQ(search({"--files", "-k", "5", "parse config file error"})
                .out.rfind("src/config_parser.py\n", 0),
            0u);
  ++served;

  // The query from stdin travels with the request.
  RunResult piped = search({"--files", "-"}, {}, "Widget render\n");
  EXPECT_EQ(piped.out, search({"--files", "-"}, kInProcess, "Widget render\n").out);
  EXPECT_EQ(piped.out.rfind("src/widgets.py\n", 0), 0u) << piped.describe();
  EXPECT_EQ(server.answered(), ++served) << server.log();

  // --no-server and BASTION_INDEX_SERVER=0 never ask it.
  search({"--no-server", "--files", "fetch"});
  search({"--files", "fetch"}, kInProcess);
  EXPECT_EQ(server.answered(), served);

  // SIGTERM: exit 0 and the socket is removed.
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
  EXPECT_NE(::access(sock.c_str(), F_OK), 0) << "socket left behind";
}

TEST_F(IndexServerE2E, SeesEditsMadeSinceItsLastAnswer) {
  ServerProcess server(ws_, log_path("server.log"));
  ASSERT_FALSE(server.wait_ready().empty()) << server.log();
  const std::vector<std::string> q = {"--files", "-k", "5", "frobnicate the gizmo"};
  RunResult before = search(q);
  ASSERT_EQ(before.exit_code, 0) << before.describe();
  EXPECT_EQ(before.out.find("src/widgets.py"), std::string::npos) << before.out;

  // In place (same inode, like an editor that overwrites) and then by a new file.
  ASSERT_TRUE(ws_.write("src/widgets.py",
                        "def frobnicate_gizmo(gizmo):\n    \"\"\"Frobnicate the gizmo.\"\"\"\n"
                        "    return frobnicate(gizmo)\n"));
  RunResult after = search(q);
  EXPECT_EQ(after.out.rfind("src/widgets.py\n", 0), 0u) << after.describe();
  EXPECT_EQ(after.out, search(q, kInProcess).out);

  ASSERT_TRUE(
      ws_.write("src/gizmo.py", "def frobnicate(gizmo):\n    return gizmo  # frobnicate gizmo\n"));
  ASSERT_TRUE(ws_.write("src/widgets.py", "class Widget:\n    pass\n"));
  RunResult created = search(q);
  EXPECT_EQ(created.out.rfind("src/gizmo.py\n", 0), 0u) << created.describe();
  EXPECT_EQ(created.out.find("src/widgets.py"), std::string::npos) << created.out;
  EXPECT_EQ(created.out, search(q, kInProcess).out);
  EXPECT_EQ(server.answered(), 3u) << server.log();
}

TEST_F(IndexServerE2E, StaleSocketFallsBackAndIsReplaced) {
  const std::vector<std::string> q = {"--files", "-k", "5", "parse config file error"};
  std::string expected = search(q, kInProcess).out;
  ASSERT_FALSE(expected.empty());
  std::string sock;
  {
    ServerProcess server(ws_, log_path("first.log"));
    sock = server.wait_ready();
    ASSERT_FALSE(sock.empty()) << server.log();
    EXPECT_EQ(search(q).out, expected);
    ASSERT_EQ(server.answered(), 1u);
    EXPECT_EQ(server.stop(SIGKILL), 128 + SIGKILL);
  }
  ASSERT_EQ(::access(sock.c_str(), F_OK), 0) << "SIGKILL leaves the socket file";
  RunResult fallback = search(q);
  EXPECT_EQ(fallback.exit_code, 0) << fallback.describe();
  EXPECT_EQ(fallback.out, expected);
  EXPECT_EQ(fallback.err, "");

  ServerProcess again(ws_, log_path("second.log"));
  ASSERT_EQ(again.wait_ready(), sock) << again.log();
  EXPECT_EQ(search(q).out, expected);
  EXPECT_EQ(again.answered(), 1u) << again.log();
}

TEST_F(IndexServerE2E, AServerDyingMidAnswerMeansAnInProcessSearch) {
  const std::vector<std::string> q = {"--files", "-k", "5", "parse config file error"};
  std::string expected = search(q, kInProcess).out;
  ServerProcess server(ws_, log_path("server.log"));
  std::string sock = server.wait_ready();
  ASSERT_FALSE(sock.empty()) << server.log();
  server.stop(SIGKILL);
  // A stand-in takes the socket, reads the request and dies half-way through its reply.
  ::unlink(sock.c_str());
  int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  std::string request;
  std::thread dying([&] {
    int c = ::accept(listener, nullptr, nullptr);
    char buf[4096];
    ssize_t n = ::recv(c, buf, sizeof buf, 0);
    if (n > 0) request.assign(buf, static_cast<size_t>(n));
    std::string partial("BXR1\x40\x00\x00\x00\x04\x00", 10);
    (void)::send(c, partial.data(), partial.size(), MSG_NOSIGNAL);
    ::close(c);
  });
  RunResult r = search(q);
  dying.join();
  ::close(listener);
  EXPECT_EQ(request.rfind("BXQ1", 0), 0u) << "the client asked the socket first";
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, expected);
  EXPECT_EQ(r.err, "");
}

TEST_F(IndexServerE2E, MalformedRequestsGetAnErrorReplyAndServingGoesOn) {
  ServerProcess server(ws_, log_path("server.log"));
  std::string sock = server.wait_ready();
  ASSERT_FALSE(sock.empty()) << server.log();

  std::string garbage = exchange_raw(sock, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(garbage.rfind("BXR1", 0), 0u) << garbage;
  EXPECT_NE(garbage.find("bad request: malformed frame"), std::string::npos) << garbage;

  std::string huge("BXQ1\xff\xff\xff\x7f", 8);
  EXPECT_NE(exchange_raw(sock, huge).find("exceeds the limit"), std::string::npos);
  std::string cut("BXQ1\x10\x00\x00\x00\x02\x00", 10);  // promises 16 bytes, sends 2
  EXPECT_NE(exchange_raw(sock, cut).find("closed mid-frame"), std::string::npos);
  std::string lying("BXQ1\x08\x00\x00\x00\x01\x00\x00\x00\xff\xff\xff\xff",
                    16);  // field larger than frame
  EXPECT_NE(exchange_raw(sock, lying).find("cut short"), std::string::npos);
  EXPECT_NE(exchange_raw(sock, "").find("bad request"), std::string::npos);

  RunResult ok = search({"--files", "-k", "5", "parse config file error"});
  EXPECT_EQ(ok.out, search({"--files", "-k", "5", "parse config file error"}, kInProcess).out);
  EXPECT_EQ(server.answered(), 1u) << server.log();
}

TEST_F(IndexServerE2E, ASecondServerForTheSameRepositoryRefuses) {
  ServerProcess server(ws_, log_path("server.log"));
  std::string sock = server.wait_ready();
  ASSERT_FALSE(sock.empty()) << server.log();
  RunResult second = run_bastion({"index", "--serve", "src"}, ws_.env(), ws_.dir(), "", 20000);
  EXPECT_EQ(second.exit_code, 1) << second.describe();
  EXPECT_NE(second.err.find("an index server for " + ws_.dir()), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("is already running (socket " + sock + ")"), std::string::npos)
      << second.err;
  // The first one is untouched.
  search({"--files", "widget"});
  EXPECT_EQ(server.answered(), 1u) << server.log();
}

TEST_F(IndexServerE2E, IdleExitStopsTheServerAndRemovesItsSocket) {
  ServerProcess server(ws_, log_path("server.log"), {"--idle-exit", "1"});
  std::string sock = server.wait_ready();
  ASSERT_FALSE(sock.empty()) << server.log();
  // A request is answered (and restarts the idle clock)...
  RunResult served = search({"--files", "-k", "5", "parse config file error"});
  EXPECT_EQ(served.out.rfind("src/config_parser.py\n", 0), 0u) << served.describe();
  EXPECT_EQ(server.answered(), 1u) << server.log();
  // ...then a second without one and it leaves, as on SIGTERM.
  EXPECT_EQ(server.wait_exit(15000), 0) << server.log();
  EXPECT_NE(::access(sock.c_str(), F_OK), 0) << "socket left behind";
  EXPECT_NE(server.log().find("bastion index: stopped serving " + ws_.dir() + " (idle for 1 s)\n"),
            std::string::npos)
      << server.log();
}

TEST_F(IndexServerE2E, IdleExitNeedsANumber) {
  RunResult r = run_bastion({"index", "--serve", "--idle-exit", "soon"}, ws_.env(), ws_.dir());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("--idle-exit needs a number of seconds"), std::string::npos) << r.err;
}

TEST_F(IndexServerE2E, ARemovedRepositoryStopsTheServer) {
  ServerProcess server(ws_, log_path("server.log"));
  std::string sock = server.wait_ready();
  ASSERT_FALSE(sock.empty()) << server.log();
  std::error_code ec;
  std::filesystem::remove_all(ws_.dir(), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(server.wait_exit(20000), 0) << server.log();  // it looks every 5 s
  EXPECT_NE(::access(sock.c_str(), F_OK), 0) << "socket left behind";
  EXPECT_NE(server.log().find("(the repository root is gone)"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace bastion::e2e
