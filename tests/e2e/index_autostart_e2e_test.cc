// `bastion search` starting an index server by itself (cli/index_autostart.h):
// on a temp git repository whose file count reaches the threshold (lowered
// with BASTION_INDEX_AUTOSERVE_FILES), a search that answered in-process
// leaves a detached `bastion index --serve --idle-exit 600` behind, and the
// next search is answered by it; BASTION_INDEX_SERVER=0, --no-server, a
// repository under the threshold or a server holding the index's lock start
// nothing. The started server logs to BASTION_INDEX_SERVER_LOG, which the
// search creates before it forks, so "was one started?" has a deterministic
// answer the moment the search returns. Every server a test caused is found
// by its argv (the test's unique repository path) and killed.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "search_project.h"

namespace bastion::e2e {
namespace {

const std::vector<std::string> kQuery = {"--files", "-k", "5", "parse config file error"};
const Env kInProcess = {{"BASTION_INDEX_SERVER", "0"}};

bool wait_until(const std::function<bool()>& done, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The NUL-separated arguments of a live (not zombie) process; empty when gone.
std::vector<std::string> live_argv(pid_t pid) {
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z') return {};
  std::string raw = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> argv;
  for (size_t at = 0; at < raw.size();) {
    size_t end = raw.find('\0', at);
    if (end == std::string::npos) end = raw.size();
    argv.push_back(raw.substr(at, end - at));
    at = end + 1;
  }
  return argv;
}

class IndexServerAutostartE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(write_search_project(ws_));
    expected_ = search(kQuery, kInProcess).out;
    ASSERT_EQ(expected_.rfind("src/config_parser.py\n", 0), 0u) << expected_;
  }
  void TearDown() override {
    for (pid_t pid : servers()) ::kill(pid, SIGKILL);
    EXPECT_TRUE(wait_until([this] { return servers().empty(); }, 10000));
  }

  RunResult search(const std::vector<std::string>& args, const Env& extra = {}) {
    std::vector<std::string> full = {"search"};
    full.insert(full.end(), args.begin(), args.end());
    return run_bastion(full, ws_.env(extra), ws_.dir());
  }
  std::string log_path() const { return ws_.root() + "/autoserver.log"; }
  std::string log() const { return read_text(log_path()); }
  bool log_exists() const { return ::access(log_path().c_str(), F_OK) == 0; }
  // The environment of a search allowed to start a server from `files` files.
  Env autoserve(const std::string& files = "1") const {
    return {{"BASTION_INDEX_AUTOSERVE_FILES", files}, {"BASTION_INDEX_SERVER_LOG", log_path()}};
  }
  std::string started_line() const {
    return "bastion search: started an index server for " + ws_.dir() +
           " (it exits after 10 idle minutes; BASTION_INDEX_SERVER=0 turns this off)\n";
  }
  // Live `bastion index --serve` processes for this test's repository.
  std::vector<pid_t> servers() const {
    std::vector<pid_t> found;
    DIR* proc = ::opendir("/proc");
    if (!proc) return found;
    while (dirent* e = ::readdir(proc)) {
      pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
      if (pid <= 0) continue;
      auto argv = live_argv(pid);
      bool serve = false, ours = false;
      for (auto& a : argv) {
        serve = serve || a == "--serve";
        ours = ours || a == ws_.dir();
      }
      if (serve && ours) found.push_back(pid);
    }
    ::closedir(proc);
    return found;
  }
  // The socket path once the started server logs "serving ROOT on SOCKET".
  std::string wait_serving(int timeout_ms = 30000) const {
    std::string prefix = "bastion index: serving " + ws_.dir() + " on ";
    std::string sock;
    wait_until(
        [&] {
          std::string text = log();
          size_t at = text.find(prefix);
          size_t end = at == std::string::npos ? at : text.find('\n', at);
          if (end == std::string::npos) return false;
          sock = text.substr(at + prefix.size(), end - at - prefix.size());
          return true;
        },
        timeout_ms);
    return sock;
  }
  size_t answered() const {
    std::string text = log();
    size_t n = 0;
    for (size_t at = 0; (at = text.find("bastion index: search \"", at)) != std::string::npos; ++at)
      ++n;
    return n;
  }

  TempWorkspace ws_{true};
  std::string expected_;
};

TEST_F(IndexServerAutostartE2E, ABigRepositoryGetsAServerThatAnswersTheNextSearch) {
  RunResult first = search(kQuery, autoserve());
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_EQ(first.out, expected_);
  EXPECT_EQ(first.err, started_line());
  EXPECT_LT(first.elapsed_ms, 10000) << "the search waited for its server";

  std::string sock = wait_serving();
  ASSERT_FALSE(sock.empty()) << log();
  auto pids = servers();
  ASSERT_EQ(pids.size(), 1u);
  auto argv = live_argv(pids[0]);
  ASSERT_FALSE(argv.empty());
  EXPECT_EQ(std::vector<std::string>(argv.begin() + 1, argv.end()),
            (std::vector<std::string>{"index", "--serve", "--idle-exit", "600", "-v", ws_.dir()}));
  // Detached: in the session its intermediate parent made (not a leader, so
  // it can never get a terminal back).
  EXPECT_NE(::getsid(pids[0]), ::getsid(0));
  EXPECT_NE(::getsid(pids[0]), pids[0]);

  // Answered by the server (it logs the request), with the same bytes, and
  // nothing else is started.
  EXPECT_EQ(answered(), 0u) << log();
  RunResult second = search(kQuery, autoserve());
  EXPECT_EQ(second.exit_code, 0) << second.describe();
  EXPECT_EQ(second.out, expected_);
  EXPECT_EQ(second.err, "");
  EXPECT_EQ(answered(), 1u) << log();
  EXPECT_EQ(servers(), pids);
}

TEST_F(IndexServerAutostartE2E, AServerHoldingTheLockMeansNoneIsStarted) {
  ASSERT_EQ(search(kQuery, autoserve()).err, started_line());
  std::string sock = wait_serving();
  ASSERT_FALSE(sock.empty()) << log();
  for (pid_t pid : servers()) ::kill(pid, SIGKILL);
  ASSERT_TRUE(wait_until([this] { return servers().empty(); }, 10000));
  ::unlink(log_path().c_str());

  // What a server does while it loads the index, before its socket exists.
  int lock = ::open((sock + ".lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(lock, 0);
  // (The killed server's threads may still be letting go of it.)
  ASSERT_TRUE(wait_until([lock] { return ::flock(lock, LOCK_EX | LOCK_NB) == 0; }, 10000));
  RunResult starting = search(kQuery, autoserve());
  EXPECT_EQ(starting.out, expected_);
  EXPECT_EQ(starting.err, "");
  EXPECT_FALSE(log_exists());
  ::close(lock);

  RunResult released = search(kQuery, autoserve());
  EXPECT_EQ(released.out, expected_);
  EXPECT_EQ(released.err, started_line());
  EXPECT_FALSE(wait_serving().empty()) << log();
}

TEST_F(IndexServerAutostartE2E, BastionIndexServerOffOrNoServerStartsNothing) {
  for (const char* off : {"0", "off"}) {
    Env env = autoserve();
    env["BASTION_INDEX_SERVER"] = off;
    RunResult r = search(kQuery, env);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, expected_);
    EXPECT_EQ(r.err, "") << off;
  }
  std::vector<std::string> no_server = {"--no-server"};
  no_server.insert(no_server.end(), kQuery.begin(), kQuery.end());
  RunResult flagged = search(no_server, autoserve());
  EXPECT_EQ(flagged.out, expected_);
  EXPECT_EQ(flagged.err, "");
  EXPECT_FALSE(log_exists());
  EXPECT_TRUE(servers().empty());

  // The same search without them starts one: the checks above could see it.
  EXPECT_EQ(search(kQuery, autoserve()).err, started_line());
  EXPECT_TRUE(log_exists());
  EXPECT_FALSE(wait_serving().empty()) << log();
}

TEST_F(IndexServerAutostartE2E, ARepositoryUnderTheThresholdGetsNoServer) {
  // The default (20,000 files), a malformed override (the default again) and
  // one file more than the repository's four.
  Env by_default = {{"BASTION_INDEX_SERVER_LOG", log_path()}};
  for (const Env& env : {by_default, autoserve("lots"), autoserve("5")}) {
    RunResult r = search(kQuery, env);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, expected_);
    EXPECT_EQ(r.err, "");
  }
  EXPECT_FALSE(log_exists());
  EXPECT_TRUE(servers().empty());

  // Exactly at the threshold: started.
  EXPECT_EQ(search(kQuery, autoserve("4")).err, started_line());
  EXPECT_FALSE(wait_serving().empty()) << log();
}

}  // namespace
}  // namespace bastion::e2e
