// Deny rules against commands whose real content is hidden from the parser:
// scripts piped or redirected into a shell, script files run by a shell,
// `source`, and base64-decoded payloads. Each must be denied while a deny
// rule could match, even with approvals bypassed; look-alikes that cannot run
// the denied command stay allowed.
#include <gtest/gtest.h>

#include "policy/permissions.h"

namespace bastion::policy {
namespace {

PermissionQuery bash(const std::string& cmd) {
  PermissionQuery q;
  q.rule_name = "Bash";
  q.is_execute = true;
  q.command = cmd;
  q.workspace = "/nonexistent-ws";
  return q;
}

TEST(PermissionsObfuscation, HiddenScriptsAreDeniedUnderBypass) {
  PermissionEngine e;
  ASSERT_TRUE(e.add_rule(RuleLayer::kUser, Decision::kDeny, "Bash(rm:*)").ok());
  e.set_mode(PermissionMode::kBypass);
  for (const char* c : {"echo 'rm -rf x' | bash", "echo cm0gLXJmIHgK | base64 -d | sh", "bash <<< 'rm -rf x'",
                        "sh < payload.sh", "bash payload.sh", "sh -e ./payload.sh", "source ./payload.sh",
                        ". ./payload.sh", "bash -c \"$(echo cm0gLXJmIHgK | base64 -d)\"",
                        "eval \"$(printf 'r%s' m) -rf x\"", "cat <<'EOF' | zsh\nrm -rf x\nEOF",
                        "timeout 5 bash -s < payload.sh"}) {
    auto v = e.check(bash(c));
    EXPECT_EQ(v.decision, Decision::kDeny) << c << " -> " << v.reason;
  }
}

TEST(PermissionsObfuscation, LookAlikesStayAllowed) {
  PermissionEngine e;
  ASSERT_TRUE(e.add_rule(RuleLayer::kUser, Decision::kDeny, "Bash(rm:*)").ok());
  e.set_mode(PermissionMode::kBypass);
  for (const char* c : {"bash --version", "echo bash payload.sh", "grep -r source .", "make test"}) {
    auto v = e.check(bash(c));
    EXPECT_EQ(v.decision, Decision::kAllow) << c << " -> " << v.reason;
  }
}

TEST(PermissionsObfuscation, WithoutDenyRulesAShellScriptStillNeedsApproval) {
  PermissionEngine e;
  auto v = e.check(bash("bash ./build.sh"));
  EXPECT_EQ(v.decision, Decision::kAsk) << v.reason;
  e.set_mode(PermissionMode::kBypass);
  EXPECT_EQ(e.check(bash("bash ./build.sh")).decision, Decision::kAllow);
}

}  // namespace
}  // namespace bastion::policy
