// Egress (issue #4, item 6): Bastion itself connects only to the configured
// model endpoint. The real binary runs in a network namespace whose only
// interface is loopback, with a logging DNS server on 127.0.0.1:53 and every
// connect()/sendto() traced (tests/security/egress_netns.h). It does a full
// agent task with tools (read, grep, bash, edit) with approvals bypassed,
// `bastion doctor`, `bastion --version` and `bastion usage`. Then:
//   - the DNS server saw no query at all;
//   - every traced socket call with an address went to 127.0.0.1:<fake
//     server port>, to glibc's nscd socket (a local AF_UNIX name-service
//     cache that getpwuid() tries), or to the kernel over netlink
//     (getaddrinfo's AI_ADDRCONFIG query); none of these leaves the machine.
// Two controls in the same world prove the instruments work: `getent hosts`
// must show up in the DNS log, and a Python connect to 10.9.9.9 must show up
// in the trace as a forbidden attempt.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "security/egress_netns.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace bastion::security {
namespace {

bool allowed(const SocketAttempt& a, int fake_port) {
  if (a.family == "AF_INET") return a.address == "127.0.0.1" && a.port == fake_port;
  if (a.family == "AF_UNIX") return a.address == "/var/run/nscd/socket" || a.address == "/run/nscd/socket";
  // getaddrinfo(AI_ADDRCONFIG) asks the kernel which address families are
  // configured (RTM_GETADDR to nl_pid=0): a kernel-local socket.
  if (a.family == "AF_NETLINK") return a.line.find("nl_pid=0,") != std::string::npos;
  return false;
}

std::string describe(const std::vector<SocketAttempt>& attempts) {
  std::string out;
  for (auto& a : attempts) out += "  " + a.line + "\n";
  return out;
}

TEST(ParseStrace, KeepsAddressedCallsOnly) {
  auto calls = parse_strace_socket_calls(
      "7724  connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"10.1.2.3\")}, 16) = -1 "
      "ENETUNREACH (Network is unreachable)\n"
      "7851  connect(3, {sa_family=AF_UNIX, sun_path=\"/var/run/nscd/socket\"}, 110) = -1 ENOENT\n"
      "7852  sendto(4, \"abc\", 3, MSG_NOSIGNAL, NULL, 0) = 3\n"
      "7855  connect(6, {sa_family=AF_UNIX, sun_path=@\"/tmp/.X11-unix/X0\"}, 20) = -1 ECONNREFUSED\n"
      "7853  connect(5, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
      "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28 <unfinished ...>\n"
      "7854  --- SIGCHLD {si_signo=SIGCHLD} ---\n");
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].call, "connect");
  EXPECT_EQ(calls[0].family, "AF_INET");
  EXPECT_EQ(calls[0].address, "10.1.2.3");
  EXPECT_EQ(calls[0].port, 80);
  EXPECT_EQ(calls[0].pid, 7724);
  EXPECT_EQ(calls[1].family, "AF_UNIX");
  EXPECT_EQ(calls[1].address, "/var/run/nscd/socket");
  EXPECT_EQ(calls[2].address, "@/tmp/.X11-unix/X0") << "abstract sockets keep their @";
  EXPECT_EQ(calls[3].family, "AF_INET6");
  EXPECT_EQ(calls[3].address, "::1");
  EXPECT_EQ(calls[3].port, 443);
}

class Egress : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("BASTION_BIN");
    ASSERT_NE(bin, nullptr) << "BASTION_BIN not set";
    bin_ = bin;
    fake_ = bin_.substr(0, bin_.rfind('/')) + "/fake_model_server";
    ASSERT_TRUE(fs::exists(fake_)) << "no fake_model_server beside " << bin_;
    std::string reason = egress_unavailable_reason();
    if (!reason.empty()) GTEST_SKIP() << "egress test needs a private network namespace: " << reason;
    std::string tmpl = "/tmp/bastion-egress-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    ws_ = root_ + "/work";
    home_ = root_ + "/home";
    ASSERT_TRUE(fs::write_file_atomic(ws_ + "/hello.py", "def hello():\n    return 'hi'\n").ok());
    ASSERT_TRUE(fs::write_file_atomic(ws_ + "/README.md", "# demo\n").ok());
    ASSERT_TRUE(fs::make_dirs(home_ + "/.config").ok());
    ProcessSpec git;
    git.argv = {"/usr/bin/git", "init", "-q", ws_};
    git.env = env();
    auto g = run_process(git);
    ASSERT_TRUE(g.ok() && g->exit_code == 0) << (g.ok() ? g->output : g.error().message);
  }
  void TearDown() override {
    if (root_.empty() || std::getenv("BASTION_KEEP_TEST_DIRS")) return;
    std::string cmd = "rm -rf '" + root_ + "'";
    (void)std::system(cmd.c_str());
  }
  std::vector<std::string> env() const {
    return {"HOME=" + home_,
            "XDG_CONFIG_HOME=" + home_ + "/.config",
            "XDG_DATA_HOME=" + home_ + "/.local/share",
            "XDG_STATE_HOME=" + home_ + "/.local/state",
            "XDG_CACHE_HOME=" + home_ + "/.cache",
            "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "LANG=C.UTF-8",
            "TERM=dumb",
            "BASTION_MODEL=m",
            "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
            "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid"};
  }

  std::string bin_, fake_, root_, ws_, home_;
};

constexpr char kScenario[] = R"J({"turns": [
  {"reply": {"tool_calls": [{"name": "read", "arguments": {"path": "hello.py"}}]}},
  {"expect": {"tool_result_contains": "def hello"},
   "reply": {"tool_calls": [{"name": "grep", "arguments": {"pattern": "return"}}]}},
  {"expect": {"tool_result_contains": "hello.py"},
   "reply": {"tool_calls": [{"name": "bash", "arguments": {"command": "ls && git status --short && echo BASH-RAN"}}]}},
  {"expect": {"tool_result_contains": "BASH-RAN"},
   "reply": {"tool_calls": [{"name": "edit", "arguments": {"path": "hello.py", "old_string": "'hi'", "new_string": "'hello'"}}]}},
  {"reply": {"text": "done"}}]})J";

TEST_F(Egress, BastionTalksOnlyToTheConfiguredEndpoint) {
  std::vector<EgressStep> steps = {
      {"version", {bin_, "--version"}},
      {"doctor", {bin_, "doctor"}},
      {"agent", {bin_, "-p", "change hello to say hello", "--dangerously-skip-permissions"}},
      {"usage", {bin_, "usage"}},
      // Controls: the instruments must see these.
      {"dns_control", {"/usr/bin/getent", "hosts", "egress-control.example"}},
      {"connect_control",
       {"/usr/bin/python3", "-c", "import socket\ntry: socket.create_connection(('10.9.9.9', 9), 1)\nexcept OSError: pass"}},
  };
  EgressRun run = run_in_loopback_world(root_, fake_, kScenario, steps, env(), ws_);
  ASSERT_TRUE(run.error.empty()) << run.error;
  ASSERT_GT(run.fake_port, 0);
  ASSERT_EQ(run.steps.size(), steps.size());

  // The controls: the DNS logger and the trace both work.
  ASSERT_EQ(run.dns_queries.size() >= 1, true) << "the DNS logger saw no query from getent";
  for (auto& q : run.dns_queries)
    EXPECT_EQ(q.rfind("egress-control.example ", 0), 0u) << "a DNS query not from the control: " << q;
  bool control_seen = false;
  for (auto& a : run.steps[5].attempts) control_seen |= a.address == "10.9.9.9" && a.port == 9;
  ASSERT_TRUE(control_seen) << "strace did not show the control connect:\n" << describe(run.steps[5].attempts);

  // Bastion's own steps.
  int model_connects = 0;
  for (size_t i = 0; i < 4; ++i) {
    const auto& st = run.steps[i];
    EXPECT_EQ(st.exit_code, 0) << steps[i].name << " failed:\n" << st.output;
    std::vector<SocketAttempt> bad;
    for (auto& a : st.attempts) {
      if (!allowed(a, run.fake_port)) bad.push_back(a);
      if (a.family == "AF_INET" && a.port == run.fake_port) ++model_connects;
    }
    EXPECT_TRUE(bad.empty()) << "`bastion " << steps[i].name << "` tried to reach something other than 127.0.0.1:"
                             << run.fake_port << ":\n" << describe(bad);
  }
  EXPECT_GE(model_connects, 2) << "doctor and the agent run must have reached the fake server";
  EXPECT_NE(run.steps[0].output.find("bastion"), std::string::npos) << run.steps[0].output;

  // The agent really ran every tool: the edit landed and the model saw each result.
  auto edited = fs::read_file(ws_ + "/hello.py");
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(*edited, "def hello():\n    return 'hello'\n") << run.steps[2].output;
  int model_requests = 0;
  for (auto& l : run.server_log) {
    EXPECT_EQ(l.find("expect_failed"), std::string::npos) << l;
    if (l.find("/v1/chat/completions") != std::string::npos) ++model_requests;
  }
  EXPECT_EQ(model_requests, 5) << run.steps[2].output;
}

}  // namespace
}  // namespace bastion::security
