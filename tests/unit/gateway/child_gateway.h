// Runs `bastion gateway serve` in a child process for multi-process tests.
// The child is this very test binary re-executed with BASTION_GW_CHILD_CONFIG
// set (see child_main.cc), so the tests need no other binary to be built.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "util/http_client.h"

namespace bastion::gateway::testing {

inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class ChildGateway {
 public:
  ChildGateway(const std::string& config_path, int port, const std::string& log_path) : port_(port) {
    pid_ = fork();
    if (pid_ == 0) {
      // A test that dies (timeout, crash) must not leave its gateway running.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      setenv("BASTION_GW_CHILD_CONFIG", config_path.c_str(), 1);
      FILE* f = freopen(log_path.c_str(), "a", stderr);
      (void)f;
      execl("/proc/self/exe", "gateway_child", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~ChildGateway() { stop(); }
  // Waits until /healthz answers; false after `ms`.
  bool wait_ready(int ms = 20000) {
    for (int waited = 0; waited < ms; waited += 50) {
      auto r = http::get(base() + "/healthz", {}, 1000);
      if (r.ok() && r->status == 200) return true;
      int st;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  // SIGTERM (graceful drain) and wait; returns the exit status.
  int stop(int sig = SIGTERM) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

 private:
  int port_;
  pid_t pid_ = -1;
};

}  // namespace bastion::gateway::testing
