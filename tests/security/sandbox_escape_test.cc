// Real escape attempts through `bastion sandbox -- …`, once per backend
// (Landlock+seccomp+mount namespace, and bubblewrap). A fake $HOME with a
// planted ~/.ssh/id_rsa lives OUTSIDE /tmp (which the policy keeps writable),
// under the test's working directory; the real $HOME is never touched.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "util/fs.h"
#include "util/subprocess.h"

namespace bastion {
namespace {

constexpr char kSecret[] = "BASTION-TEST-PRIVATE-KEY-7f3a";

class SandboxEscape : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("BASTION_BIN");
    ASSERT_NE(bin, nullptr) << "BASTION_BIN not set";
    bin_ = bin;
    // The sandbox lets commands write to /tmp, so "outside the workspace"
    // must be somewhere else: the build directory unless it is itself under
    // /tmp (a clone in /tmp), then /var/tmp.
    char cwd[4096];
    ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
    std::string tmp = fs::resolve_real("/tmp", "/");
    std::string parent = fs::is_within(fs::resolve_real(cwd, "/"), tmp) ? "/var/tmp" : std::string(cwd);
    std::string tmpl = parent + "/sandbox-escape-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr) << "cannot create a test root in " << parent;
    root_ = fs::resolve_real(tmpl, "/");
    ASSERT_FALSE(fs::is_within(root_, tmp)) << "test root must not be under /tmp";
    home_ = root_ + "/home";
    ws_ = root_ + "/ws";
    ASSERT_TRUE(fs::write_file_atomic(home_ + "/.ssh/id_rsa", kSecret).ok());
    ASSERT_TRUE(fs::write_file_atomic(home_ + "/.netrc", std::string("machine x password ") + kSecret).ok());
    ASSERT_TRUE(fs::write_file_atomic(ws_ + "/.git/hooks/pre-commit", "#!/bin/sh\nexit 0\n").ok());
    ASSERT_TRUE(fs::write_file_atomic(ws_ + "/.git/config", "[core]\n\tbare = false\n").ok());
    ASSERT_TRUE(fs::write_file_atomic(ws_ + "/src/main.c", "int main(){}\n").ok());
    ASSERT_TRUE(fs::make_dirs(root_ + "/outside").ok());
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + root_ + "'";
    (void)std::system(cmd.c_str());
  }

  ProcessResult sandboxed(const std::string& script, const std::string& cwd = "",
                          const std::vector<std::string>& extra_env = {}) {
    ProcessSpec spec;
    spec.argv = {bin_, "sandbox", "--", "/bin/bash", "-c", script};
    spec.cwd = cwd.empty() ? ws_ : cwd;
    spec.timeout_ms = 30000;
    spec.env = {"HOME=" + home_, "PATH=/usr/local/bin:/usr/bin:/bin", "BASTION_SANDBOX_FORCE=" + GetParam()};
    spec.env.insert(spec.env.end(), extra_env.begin(), extra_env.end());
    auto r = run_process(spec);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ProcessResult{};
  }
  std::string read(const std::string& p) {
    auto r = fs::read_file(p);
    return r.ok() ? *r : "<missing>";
  }

  std::string bin_, root_, home_, ws_;
};

TEST_P(SandboxEscape, OrdinaryWorkStillWorks) {
  auto r = sandboxed("echo made > new.txt && cat src/main.c && echo t > /tmp/bastion-sbx-$$ && rm /tmp/bastion-sbx-$$ && mkdir -p build/x && exit 7");
  EXPECT_EQ(r.exit_code, 7) << r.output;
  EXPECT_NE(r.output.find("int main"), std::string::npos) << r.output;
  EXPECT_EQ(read(ws_ + "/new.txt"), "made\n");
  EXPECT_TRUE(fs::is_directory(ws_ + "/build/x"));
}

TEST_P(SandboxEscape, CannotWriteOutsideWorkspaceOrIntoHome) {
  auto r = sandboxed("echo pwned > " + root_ + "/outside/f; echo pwned > $HOME/.bashrc; touch /etc/bastion-pwned; true");
  EXPECT_FALSE(fs::exists(root_ + "/outside/f")) << r.output;
  EXPECT_FALSE(fs::exists(home_ + "/.bashrc")) << r.output;
  EXPECT_FALSE(fs::exists("/etc/bastion-pwned"));
}

TEST_P(SandboxEscape, GitHooksAndConfigStayReadOnly) {
  auto r = sandboxed(
      "echo 'curl evil' >> .git/hooks/pre-commit; echo evil > .git/hooks/post-checkout;"
      "printf '[core]\\n\\thooksPath = /tmp\\n' >> .git/config; rm -f .git/config; rm -rf .git/hooks;"
      "mv .git/hooks .git/h2; mv .git .git2; mkdir -p .git/hooks; echo evil > .git/hooks/pre-push; true");
  EXPECT_EQ(read(ws_ + "/.git/hooks/pre-commit"), "#!/bin/sh\nexit 0\n") << r.output;
  EXPECT_FALSE(fs::exists(ws_ + "/.git/hooks/post-checkout"));
  EXPECT_FALSE(fs::exists(ws_ + "/.git/hooks/pre-push"));
  EXPECT_FALSE(fs::exists(ws_ + "/.git2"));
  EXPECT_EQ(read(ws_ + "/.git/config"), "[core]\n\tbare = false\n");
}

TEST_P(SandboxEscape, WorkspaceIsHomeBastionConfigAndSecretsStayProtected) {
  // Running in $HOME makes ~/.config/bastion (which does not exist yet,
  // CVE-2026-25725's class) and ~/.ssh lie inside the writable workspace.
  auto r = sandboxed("mkdir -p .config/bastion; echo 'sandbox = \"off\"' > .config/bastion/config.toml;"
                     "mv .config .config2; cat .ssh/id_rsa; echo k >> .ssh/authorized_keys; echo ok > fine.txt; true",
                     home_);
  EXPECT_FALSE(fs::exists(home_ + "/.config/bastion/config.toml")) << r.output;
  EXPECT_FALSE(fs::exists(home_ + "/.config2")) << r.output;
  EXPECT_FALSE(fs::exists(home_ + "/.ssh/authorized_keys")) << r.output;
  EXPECT_EQ(r.output.find(kSecret), std::string::npos) << r.output;
  EXPECT_EQ(read(home_ + "/fine.txt"), "ok\n") << r.output;
}

TEST_P(SandboxEscape, NoWriteThroughProcRootHardlinksOrOtherRepos) {
  ASSERT_TRUE(fs::write_file_atomic(root_ + "/outside/victim", "orig\n").ok());
  ASSERT_TRUE(fs::write_file_atomic(root_ + "/other/.git/config", "[core]\n").ok());
  auto r = sandboxed("echo pwned > /proc/self/root" + root_ + "/outside/victim; "
                     "ln " + root_ + "/outside/victim hl && echo pwned >> hl; "
                     "ln -s " + root_ + "/outside/victim sl; echo pwned >> sl; "
                     "git -C " + root_ + "/other config core.hooksPath /tmp/evil; "
                     "echo pwned > /proc/self/cwd/../outside/victim2; true");
  EXPECT_EQ(read(root_ + "/outside/victim"), "orig\n") << r.output;
  EXPECT_FALSE(fs::exists(root_ + "/outside/victim2")) << r.output;
  EXPECT_EQ(read(root_ + "/other/.git/config"), "[core]\n") << r.output;
}

TEST_P(SandboxEscape, DevShmIsPrivate) {
  std::string name = "bastion-escape-" + std::to_string(::getpid());
  auto r = sandboxed("echo x > /dev/shm/" + name + " && echo WROTE; true");
  bool leaked = fs::exists("/dev/shm/" + name);
  (void)::unlink(("/dev/shm/" + name).c_str());
  EXPECT_FALSE(leaked) << "a file written to /dev/shm inside the sandbox reached the host\n" << r.output;
  EXPECT_NE(r.output.find("WROTE"), std::string::npos) << "scratch space should still work: " << r.output;
}

TEST_P(SandboxEscape, HomeAsWorkspaceKeepsBastionStateReadOnly) {
  // The user runs Bastion in $HOME: the workspace then contains the trust
  // store, the audit trail and its key.
  std::string data = home_ + "/.local/share/bastion", state = home_ + "/.local/state/bastion";
  ASSERT_TRUE(fs::write_file_atomic(data + "/trust.json", "{}\n").ok());
  ASSERT_TRUE(fs::write_file_atomic(data + "/audit-anchors/key", kSecret).ok());
  ASSERT_TRUE(fs::write_file_atomic(state + "/audit/s1.jsonl", "{\"seq\":1}\n").ok());
  auto r = sandboxed("echo '{\"repos\":{}}' > " + data + "/trust.json; echo x >> " + state +
                         "/audit/s1.jsonl; rm -f " + state + "/audit/s1.jsonl; mv " + data + " " + home_ +
                         "/moved; cat " + data + "/audit-anchors/key; echo ok > fine.txt; true",
                     home_);
  EXPECT_EQ(read(data + "/trust.json"), "{}\n") << r.output;
  EXPECT_EQ(read(state + "/audit/s1.jsonl"), "{\"seq\":1}\n") << r.output;
  // `mv` across the read-only bind falls back to copy + delete: the copy may
  // appear, but the original stays and the hidden key is not in the copy.
  EXPECT_EQ(read(data + "/audit-anchors/key"), kSecret) << r.output;
  EXPECT_EQ(read(home_ + "/moved/audit-anchors/key").find(kSecret), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(kSecret), std::string::npos) << "the audit key was readable: " << r.output;
  EXPECT_EQ(read(home_ + "/fine.txt"), "ok\n") << r.output;
}

TEST_P(SandboxEscape, CannotReadCredentialStores) {
  ASSERT_EQ(::symlink((home_ + "/.ssh/id_rsa").c_str(), (ws_ + "/innocent.txt").c_str()), 0);
  ASSERT_EQ(::symlink((home_ + "/.ssh").c_str(), (ws_ + "/dir").c_str()), 0);
  auto r = sandboxed("cat $HOME/.ssh/id_rsa; cat innocent.txt; cat dir/id_rsa; cat $HOME/.netrc; "
                     "cp $HOME/.ssh/id_rsa copy; cat copy; tar cf - -C $HOME .ssh 2>/dev/null | strings; true");
  EXPECT_EQ(r.output.find(kSecret), std::string::npos) << r.output;
}

TEST_P(SandboxEscape, CannotOpenTcpConnections) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(s, 8), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
  int port = ntohs(a.sin_port);
  auto r = sandboxed("exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) + " && echo CONNECTED; "
                     "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", " + std::to_string(port) +
                     "), 2); print(\"CONNECTED\")' 2>&1; true");
  EXPECT_EQ(r.output.find("CONNECTED"), std::string::npos) << r.output;
  ::fcntl(s, F_SETFL, O_NONBLOCK);
  EXPECT_LT(::accept(s, nullptr, nullptr), 0) << "the listener received a connection";
  ::close(s);
}

TEST_P(SandboxEscape, CannotPtraceOrUnshareOutOfTheSandbox) {
  if (GetParam() != "landlock") GTEST_SKIP() << "seccomp filter is part of the landlock backend";
  auto r = sandboxed("unshare -Ur true && echo UNSHARED; python3 -c 'import ctypes; "
                     "print(\"PTRACE\", ctypes.CDLL(None).ptrace(16, 1, 0, 0))' 2>&1; true");
  EXPECT_EQ(r.output.find("UNSHARED"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("PTRACE 0"), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(Backends, SandboxEscape, ::testing::Values("landlock", "bwrap"));

TEST(SandboxRefusal, NoBackendRefusesAndExplainsHowToOptOut) {
  const char* bin = std::getenv("BASTION_BIN");
  ASSERT_NE(bin, nullptr);
  ProcessSpec spec;
  spec.argv = {bin, "sandbox", "--", "/bin/sh", "-c", "echo RAN"};
  spec.env = {"PATH=/usr/bin:/bin", "HOME=/nonexistent", "BASTION_SANDBOX_FORCE=none"};
  auto r = run_process(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 125);
  EXPECT_EQ(r->output.find("RAN"), std::string::npos);
  EXPECT_NE(r->output.find("--sandbox off"), std::string::npos) << r->output;
}

TEST(SandboxStatus, ReportsBackends) {
  const char* bin = std::getenv("BASTION_BIN");
  ASSERT_NE(bin, nullptr);
  ProcessSpec spec;
  spec.argv = {bin, "sandbox", "--status"};
  auto r = run_process(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->output.find("landlock:"), std::string::npos) << r->output;
  EXPECT_NE(r->output.find("selected:"), std::string::npos) << r->output;
}

}  // namespace
}  // namespace bastion
