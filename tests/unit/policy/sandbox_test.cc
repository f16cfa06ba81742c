// Sandbox policy, mount plan and backend selection (the escape attempts
// themselves are in tests/security/sandbox_escape_test.cc).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>

#include "policy/landlock.h"
#include "policy/mount_plan.h"
#include "policy/sandbox.h"
#include "util/fs.h"

namespace bastion::policy {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class SandboxPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion_sbx_XXXXXX";
    root_ = fs::resolve_real(mkdtemp(tmpl), "/");
    old_home_ = getenv("HOME") ? getenv("HOME") : "";
    setenv("HOME", (root_ + "/home").c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_DATA_HOME");
    ASSERT_TRUE(fs::make_dirs(root_ + "/home/.ssh").ok());
    ASSERT_TRUE(fs::write_file_atomic(root_ + "/home/.netrc", "x").ok());
    ASSERT_TRUE(fs::make_dirs(root_ + "/ws/.git/hooks").ok());
    ASSERT_TRUE(fs::write_file_atomic(root_ + "/ws/.git/config", "").ok());
  }
  void TearDown() override {
    setenv("HOME", old_home_.c_str(), 1);
    unsetenv("BASTION_SANDBOX_FORCE");
    std::string cmd = "rm -rf '" + root_ + "'";
    (void)system(cmd.c_str());
  }
  std::string root_, old_home_;
};

TEST_F(SandboxPolicyTest, ParsesModes) {
  EXPECT_EQ(*parse_sandbox_mode("off"), SandboxMode::kOff);
  EXPECT_EQ(*parse_sandbox_mode("bwrap"), SandboxMode::kBubblewrap);
  EXPECT_EQ(*parse_sandbox_mode("landlock"), SandboxMode::kLandlock);
  EXPECT_EQ(*parse_sandbox_mode("auto"), SandboxMode::kAuto);
  EXPECT_FALSE(parse_sandbox_mode("maybe").ok());
}

TEST_F(SandboxPolicyTest, WorkspacePolicyListsRootsHolesAndSecrets) {
  auto p = SandboxPolicy::for_workspace(root_ + "/ws", {root_ + "/extra"});
  EXPECT_TRUE(has(p.writable_roots, root_ + "/ws"));
  EXPECT_TRUE(has(p.writable_roots, "/tmp"));
  EXPECT_TRUE(has(p.writable_roots, root_ + "/extra"));
  EXPECT_TRUE(has(p.read_only_paths, root_ + "/ws/.git/hooks"));
  EXPECT_TRUE(has(p.read_only_paths, root_ + "/ws/.git/config"));
  EXPECT_TRUE(has(p.read_only_paths, root_ + "/home/.config/bastion"));
  EXPECT_TRUE(fs::is_directory(root_ + "/home/.config/bastion")) << "created so it can be protected";
  EXPECT_TRUE(has(p.denied_paths, root_ + "/home/.ssh"));
  EXPECT_TRUE(has(p.denied_paths, root_ + "/home/.local/share/bastion/keys"));
  EXPECT_FALSE(p.allow_network);
}

TEST_F(SandboxPolicyTest, MountPlanPinsParentsAndMasksSecrets) {
  auto p = SandboxPolicy::for_workspace(root_ + "/ws", {});
  MountPlan plan = plan_mounts(p);
  EXPECT_TRUE(has(plan.ro_paths, root_ + "/ws/.git/hooks"));
  EXPECT_TRUE(has(plan.ro_paths, root_ + "/ws/.git/config"));
  EXPECT_TRUE(has(plan.pin_dirs, root_ + "/ws/.git")) << "so .git cannot be renamed and replaced";
  EXPECT_TRUE(has(plan.pin_dirs, root_ + "/ws"));
  EXPECT_TRUE(has(plan.mask_dirs, root_ + "/home/.ssh"));
  EXPECT_TRUE(has(plan.mask_files, root_ + "/home/.netrc"));
  EXPECT_FALSE(has(plan.mask_dirs, root_ + "/home/.aws")) << "missing paths are not mounted over";
}

TEST_F(SandboxPolicyTest, MissingHoleProtectsNearestExistingParent) {
  SandboxPolicy p;
  p.writable_roots = {root_ + "/ws"};
  p.read_only_paths = {root_ + "/ws/.git/info/attributes"};
  MountPlan plan = plan_mounts(p);
  EXPECT_TRUE(has(plan.ro_paths, root_ + "/ws/.git"));
  EXPECT_FALSE(plan.notes.empty());
}

TEST_F(SandboxPolicyTest, ForcedNoneRefusesWithOptOutAdvice) {
  setenv("BASTION_SANDBOX_FORCE", "none", 1);
  auto sb = make_sandbox(SandboxMode::kAuto, SandboxPolicy::for_workspace(root_ + "/ws", {}));
  EXPECT_FALSE(sb->available());
  ProcessSpec spec;
  spec.argv = {"/bin/true"};
  auto r = sb->run(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kSandbox);
  EXPECT_NE(r.error().message.find("--sandbox off"), std::string::npos);
}

TEST_F(SandboxPolicyTest, OffRunsDirectly) {
  auto sb = make_sandbox(SandboxMode::kOff, SandboxPolicy::for_workspace(root_ + "/ws", {}));
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "echo out > " + root_ + "/off.txt"};
  auto r = sb->run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(fs::exists(root_ + "/off.txt"));
}

TEST_F(SandboxPolicyTest, LandlockBlocksWritesOutsideRoots) {
  if (landlock::abi_version() == 0) GTEST_SKIP() << "no Landlock on this kernel";
  SandboxPolicy p;
  p.writable_roots = {root_ + "/ws"};
  auto sb = make_sandbox(SandboxMode::kLandlock, p);
  ASSERT_TRUE(sb->available()) << sb->describe();
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "echo a > " + root_ + "/ws/in.txt; echo b > " + root_ + "/out.txt; true"};
  auto r = sb->run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(fs::exists(root_ + "/ws/in.txt")) << r->output;
  EXPECT_FALSE(fs::exists(root_ + "/out.txt")) << r->output;
}

}  // namespace
}  // namespace bastion::policy
