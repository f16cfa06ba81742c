// Paths that stay protected in every mode, bypass included, for both the
// file tools (PermissionEngine built-in protections) and commands
// (SandboxPolicy::for_workspace): submodule hooks and config, Bastion's
// trust store, audit trail and audit key, and the extra credential stores.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>

#include "policy/permissions.h"
#include "policy/sandbox.h"
#include "util/fs.h"

namespace bastion::policy {
namespace {

class ProtectedPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion_protected_XXXXXX";
    root_ = fs::resolve_real(mkdtemp(tmpl), "/");
    ws_ = root_ + "/ws";
    home_ = root_ + "/home";
    ASSERT_TRUE(fs::write_file_atomic(ws_ + "/.git/config", "[core]\n").ok());
    ASSERT_TRUE(fs::write_file_atomic(ws_ + "/.git/modules/lib/config", "[core]\n").ok());
    ASSERT_TRUE(fs::make_dirs(ws_ + "/.git/modules/lib/hooks").ok());
    ASSERT_TRUE(fs::write_file_atomic(ws_ + "/.git/modules/lib/modules/deep/config", "[core]\n").ok());
    for (const char* v : {"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"})
      saved_.emplace_back(v, getenv(v) ? getenv(v) : "");
    setenv("HOME", home_.c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_DATA_HOME");
    unsetenv("XDG_STATE_HOME");
  }
  void TearDown() override {
    for (auto& [k, v] : saved_) setenv(k.c_str(), v.c_str(), 1);
    std::string cmd = "rm -rf '" + root_ + "'";
    (void)system(cmd.c_str());
  }
  Verdict check(const std::string& path, bool edit) const {
    PermissionEngine e;
    e.set_mode(PermissionMode::kBypass);
    PermissionQuery q;
    q.rule_name = edit ? "Edit" : "Read";
    q.is_edit = edit;
    q.is_read_only = !edit;
    q.paths = {path};
    q.workspace = ws_;
    return e.check(q);
  }
  static bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }

  std::string root_, ws_, home_;
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(ProtectedPaths, SubmoduleHooksAndConfigCannotBeEdited) {
  EXPECT_EQ(check(ws_ + "/.git/modules/lib/hooks/post-checkout", true).decision, Decision::kDeny);
  EXPECT_EQ(check(ws_ + "/.git/modules/lib/config", true).decision, Decision::kDeny);
  EXPECT_EQ(check(ws_ + "/.git/modules/lib/modules/deep/config", true).decision, Decision::kDeny);
  EXPECT_EQ(check(ws_ + "/.git/modules/lib/HEAD", true).decision, Decision::kAllow) << "the rest stays usable";
  auto p = SandboxPolicy::for_workspace(ws_, {});
  EXPECT_TRUE(has(p.read_only_paths, ws_ + "/.git/modules/lib/hooks"));
  EXPECT_TRUE(has(p.read_only_paths, ws_ + "/.git/modules/lib/config"));
  EXPECT_TRUE(has(p.read_only_paths, ws_ + "/.git/modules/lib/modules/deep/config"));
}

TEST_F(ProtectedPaths, BastionStateIsReadOnlyAndTheAuditKeyHidden) {
  std::string data = home_ + "/.local/share/bastion", state = home_ + "/.local/state/bastion";
  EXPECT_EQ(check(data + "/trust.json", true).decision, Decision::kDeny);
  EXPECT_EQ(check(state + "/audit/s.jsonl", true).decision, Decision::kDeny);
  EXPECT_EQ(check(data + "/audit-anchors/key", false).decision, Decision::kDeny);
  EXPECT_EQ(check(state + "/audit/s.jsonl", false).decision, Decision::kAllow) << "the trail itself is readable";
  auto p = SandboxPolicy::for_workspace(ws_, {});
  EXPECT_TRUE(has(p.read_only_paths, data));
  EXPECT_TRUE(has(p.read_only_paths, state));
  EXPECT_TRUE(has(p.denied_paths, data + "/audit-anchors/key"));
}

TEST_F(ProtectedPaths, MoreCredentialStoresAreHidden) {
  auto p = SandboxPolicy::for_workspace(ws_, {});
  for (const char* s : {".git-credentials", ".config/gh", ".azure", ".cargo/credentials.toml", ".pypirc"}) {
    EXPECT_TRUE(has(p.denied_paths, home_ + "/" + s)) << s;
    EXPECT_EQ(check(home_ + "/" + s, false).decision, Decision::kDeny) << s;
  }
}

}  // namespace
}  // namespace bastion::policy
