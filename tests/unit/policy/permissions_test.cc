// Permission engine: modes, layers, path rules on resolved paths, defaults.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include "policy/permissions.h"
#include "util/fs.h"

namespace bastion::policy {
namespace {

class PermissionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion_perm_XXXXXX";
    root_ = fs::resolve_real(mkdtemp(tmpl), "/");
    ws_ = root_ + "/ws";
    home_ = root_ + "/home";
    ASSERT_TRUE(fs::make_dirs(ws_ + "/src").ok());
    ASSERT_TRUE(fs::make_dirs(home_ + "/.ssh").ok());
    old_home_ = getenv("HOME") ? getenv("HOME") : "";
    setenv("HOME", home_.c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_DATA_HOME");
  }
  void TearDown() override {
    setenv("HOME", old_home_.c_str(), 1);
    std::string cmd = "rm -rf '" + root_ + "'";
    (void)system(cmd.c_str());
  }
  PermissionQuery read(const std::string& path) {
    PermissionQuery q;
    q.rule_name = "Read";
    q.is_read_only = true;
    q.paths = {path};
    q.workspace = ws_;
    return q;
  }
  PermissionQuery edit(const std::string& path) {
    PermissionQuery q;
    q.rule_name = "Edit";
    q.is_edit = true;
    q.paths = {path};
    q.workspace = ws_;
    return q;
  }
  std::string root_, ws_, home_, old_home_;
};

TEST_F(PermissionsTest, ParsesModesIncludingClaudeSpellings) {
  EXPECT_EQ(*parse_permission_mode("default"), PermissionMode::kDefault);
  EXPECT_EQ(*parse_permission_mode("acceptEdits"), PermissionMode::kAcceptEdits);
  EXPECT_EQ(*parse_permission_mode("plan"), PermissionMode::kPlan);
  EXPECT_EQ(*parse_permission_mode("bypassPermissions"), PermissionMode::kBypass);
  EXPECT_EQ(*parse_permission_mode("dangerously-skip-permissions"), PermissionMode::kBypass);
  EXPECT_EQ(*parse_permission_mode("accept_edits"), PermissionMode::kAcceptEdits);
  EXPECT_FALSE(parse_permission_mode("sometimes").ok());
  EXPECT_STREQ(permission_mode_name(PermissionMode::kBypass), "bypassPermissions");
}

TEST_F(PermissionsTest, RejectsMalformedRules) {
  PermissionEngine e;
  EXPECT_FALSE(e.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(git status:*").ok());
  EXPECT_FALSE(e.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash()").ok());
  EXPECT_FALSE(e.add_rule(RuleLayer::kUser, Decision::kAllow, "(x)").ok());
  EXPECT_FALSE(e.add_rule(RuleLayer::kUser, Decision::kAllow, "Ba sh").ok());
  EXPECT_TRUE(e.add_rule(RuleLayer::kUser, Decision::kAllow, "mcp__github__get_issue").ok());
  EXPECT_EQ(e.rules().size(), 1u);
}

TEST_F(PermissionsTest, ReadDefaultsInsideAndOutsideWorkspace) {
  PermissionEngine e;
  EXPECT_EQ(e.check(read(ws_ + "/src/a.cc")).decision, Decision::kAllow);
  Verdict v = e.check(read("/etc/hostname"));
  EXPECT_EQ(v.decision, Decision::kAsk);
  EXPECT_NE(v.reason.find("outside the workspace"), std::string::npos);
}

TEST_F(PermissionsTest, EditDefaultsDependOnMode) {
  PermissionEngine e;
  EXPECT_EQ(e.check(edit(ws_ + "/src/a.cc")).decision, Decision::kAsk);
  e.set_mode(PermissionMode::kAcceptEdits);
  EXPECT_EQ(e.check(edit(ws_ + "/src/a.cc")).decision, Decision::kAllow);
  EXPECT_EQ(e.check(edit(root_ + "/elsewhere.txt")).decision, Decision::kAsk);
  e.set_mode(PermissionMode::kPlan);
  Verdict v = e.check(edit(ws_ + "/src/a.cc"));
  EXPECT_EQ(v.decision, Decision::kDeny);
  EXPECT_NE(v.reason.find("plan mode: read-only"), std::string::npos);
  EXPECT_EQ(e.check(read(ws_ + "/src/a.cc")).decision, Decision::kAllow);
  e.set_mode(PermissionMode::kBypass);
  EXPECT_EQ(e.check(edit(root_ + "/elsewhere.txt")).decision, Decision::kAllow);
}

TEST_F(PermissionsTest, EditRuleGlobsAreWorkspaceRelative) {
  PermissionEngine e;
  ASSERT_TRUE(e.add_rule(RuleLayer::kProject, Decision::kAllow, "Edit(src/**)").ok());
  EXPECT_EQ(e.check(edit(ws_ + "/src/deep/x.cc")).decision, Decision::kAllow);
  EXPECT_EQ(e.check(edit(ws_ + "/README.md")).decision, Decision::kAsk);
  PermissionQuery w = edit(ws_ + "/src/new.cc");
  w.rule_name = "Write";
  EXPECT_EQ(e.check(w).decision, Decision::kAllow) << "Edit rules cover Write";
}

TEST_F(PermissionsTest, DenyWinsAcrossLayersAndAskBeatsAllow) {
  PermissionEngine e;
  e.set_mode(PermissionMode::kAcceptEdits);
  ASSERT_TRUE(e.add_rule(RuleLayer::kCli, Decision::kAllow, "Edit").ok());
  ASSERT_TRUE(e.add_rule(RuleLayer::kUser, Decision::kDeny, "Edit(*.lock)").ok());
  Verdict v = e.check(edit(ws_ + "/src/Cargo.lock"));
  EXPECT_EQ(v.decision, Decision::kDeny);
  EXPECT_NE(v.reason.find("Edit(*.lock)"), std::string::npos);
  ASSERT_TRUE(e.add_rule(RuleLayer::kUser, Decision::kAsk, "Edit(src/**)").ok());
  EXPECT_EQ(e.check(edit(ws_ + "/src/a.cc")).decision, Decision::kAsk);
}

TEST_F(PermissionsTest, ManagedAllowIsNotOverriddenByLowerAsk) {
  PermissionEngine e;
  ASSERT_TRUE(e.add_rule(RuleLayer::kManaged, Decision::kAllow, "Edit(docs/**)").ok());
  ASSERT_TRUE(e.add_rule(RuleLayer::kProject, Decision::kAsk, "Edit").ok());
  EXPECT_EQ(e.check(edit(ws_ + "/docs/a.md")).decision, Decision::kAllow);
  EXPECT_EQ(e.check(edit(ws_ + "/src/a.cc")).decision, Decision::kAsk);
}

TEST_F(PermissionsTest, HomeAndAbsoluteRulePaths) {
  PermissionEngine e;
  ASSERT_TRUE(e.add_rule(RuleLayer::kUser, Decision::kDeny, "Read(~/secret/**)").ok());
  ASSERT_TRUE(e.add_rule(RuleLayer::kUser, Decision::kAllow, "Read(//usr/share/**)").ok());
  EXPECT_EQ(e.check(read(home_ + "/secret/a")).decision, Decision::kDeny);
  EXPECT_EQ(e.check(read("/usr/share/dict/words")).decision, Decision::kAllow);
  // A deny written as `/etc/...` also holds for the absolute path.
  ASSERT_TRUE(e.add_rule(RuleLayer::kUser, Decision::kDeny, "Read(/etc/shadow)").ok());
  EXPECT_EQ(e.check(read("/etc/shadow")).decision, Decision::kDeny);
}

TEST_F(PermissionsTest, RulesMatchResolvedPathsThroughSymlinks) {
  // The rule names the real location; the workspace link points there.
  ASSERT_TRUE(fs::make_dirs(home_ + "/private").ok());
  ASSERT_EQ(symlink((home_ + "/private").c_str(), (home_ + "/link").c_str()), 0);
  PermissionEngine e;
  ASSERT_TRUE(e.add_rule(RuleLayer::kUser, Decision::kDeny, "Read(~/link/**)").ok());
  // The caller passes resolved paths: ~/link/x resolves to ~/private/x, and the
  // rule's own prefix is resolved the same way.
  EXPECT_EQ(e.check(read(fs::resolve_real(home_ + "/link/x", "/"))).decision, Decision::kDeny);
}

TEST_F(PermissionsTest, CredentialStoresAreDeniedEvenInBypass) {
  PermissionEngine e;
  e.set_mode(PermissionMode::kBypass);
  Verdict v = e.check(read(home_ + "/.ssh/id_rsa"));
  EXPECT_EQ(v.decision, Decision::kDeny);
  EXPECT_NE(v.reason.find("credential store"), std::string::npos);
  EXPECT_EQ(e.check(edit(ws_ + "/.git/hooks/pre-commit")).decision, Decision::kDeny);
  EXPECT_EQ(e.check(edit(ws_ + "/.git/config")).decision, Decision::kDeny);
  EXPECT_EQ(e.check(edit(home_ + "/.config/bastion/config.toml")).decision, Decision::kDeny);
  EXPECT_EQ(e.check(read(home_ + "/.local/share/bastion/keys/k")).decision, Decision::kDeny);
  EXPECT_EQ(e.check(read(ws_ + "/.git/config")).decision, Decision::kAllow);
}

TEST_F(PermissionsTest, NoSlashPatternMatchesAtAnyDepth) {
  PermissionEngine e;
  ASSERT_TRUE(e.add_rule(RuleLayer::kProject, Decision::kDeny, "Read(.env)").ok());
  EXPECT_EQ(e.check(read(ws_ + "/.env")).decision, Decision::kDeny);
  EXPECT_EQ(e.check(read(ws_ + "/svc/api/.env")).decision, Decision::kDeny);
  EXPECT_EQ(e.check(read(ws_ + "/svc/api/.envrc")).decision, Decision::kAllow);
}

TEST_F(PermissionsTest, McpServerRuleCoversItsTools) {
  PermissionEngine e;
  ASSERT_TRUE(e.add_rule(RuleLayer::kUser, Decision::kAllow, "mcp__github").ok());
  PermissionQuery q;
  q.rule_name = "mcp__github__get_issue";
  q.workspace = ws_;
  EXPECT_EQ(e.check(q).decision, Decision::kAllow);
  q.rule_name = "mcp__gitlab__get_issue";
  EXPECT_EQ(e.check(q).decision, Decision::kAsk);
}

}  // namespace
}  // namespace bastion::policy
