// Bash permission checks: every simple command is checked, obfuscation does
// not evade deny rules, argument-injection forms are never auto-approved.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "policy/permissions.h"
#include "util/fs.h"

namespace bastion::policy {
namespace {

class BashPermTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion_bashperm_XXXXXX";
    root_ = fs::resolve_real(mkdtemp(tmpl), "/");
    ws_ = root_ + "/ws";
    ASSERT_TRUE(fs::make_dirs(ws_ + "/src").ok());
    ASSERT_TRUE(fs::make_dirs(root_ + "/home/.ssh").ok());
    old_home_ = getenv("HOME") ? getenv("HOME") : "";
    setenv("HOME", (root_ + "/home").c_str(), 1);
  }
  void TearDown() override {
    setenv("HOME", old_home_.c_str(), 1);
    std::string cmd = "rm -rf '" + root_ + "'";
    (void)system(cmd.c_str());
  }
  Verdict run(const std::string& command) {
    PermissionQuery q;
    q.rule_name = "Bash";
    q.is_execute = true;
    q.command = command;
    q.workspace = ws_;
    return engine_.check(q);
  }
  Decision decide(const std::string& command) { return run(command).decision; }
  PermissionEngine engine_;
  std::string root_, ws_, old_home_;
};

TEST_F(BashPermTest, ReadOnlyCommandsRunWithoutAsking) {
  for (const char* c : {"ls", "ls -la src", "cat src/a.cc", "git status", "git diff HEAD~1",
                        "git log --oneline -5", "rg foo src", "grep -rn TODO .", "wc -l src/*.cc",
                        "git status && git diff", "cat src/a | head -5", "ls 2>/dev/null",
                        "find . -name '*.cc'", "sed -n '1,20p' src/a.cc", "echo hi; pwd",
                        "awk '{print $1}' src/a.cc", "cd src && ls"}) {
    Verdict v = run(c);
    EXPECT_EQ(v.decision, Decision::kAllow) << c << ": " << v.reason;
  }
}

TEST_F(BashPermTest, NonReadOnlyCommandsAsk) {
  for (const char* c : {"rm -rf build", "npm install", "make", "ls > out.txt", "echo x >> src/a.cc",
                        "git push", "git commit -m x", "FOO=1 ls", "python3 x.py", "/bin/ls",
                        "cat /etc/passwd", "ls ~", "cat ../outside", "git branch -D main", "sort -o x y",
                        "tee f", "uniq in out", "curl http://x", "sed -i s/a/b/ f", "ls $HOME"}) {
    Verdict v = run(c);
    EXPECT_EQ(v.decision, Decision::kAsk) << c << ": " << v.reason;
    EXPECT_FALSE(v.reason.empty());
  }
}

TEST_F(BashPermTest, ArgumentInjectionFormsAreNeverAutoApproved) {
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(git:*)").ok());
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(rg:*)").ok());
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(find:*)").ok());
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(fd:*)").ok());
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(go test:*)").ok());
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(sed:*)").ok());
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(awk:*)").ok());
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(xargs:*)").ok());
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(env:*)").ok());
  EXPECT_EQ(decide("git log"), Decision::kAllow);
  EXPECT_EQ(decide("git push origin main"), Decision::kAllow) << "the prefix rule covers ordinary forms";
  for (const char* c : {"git -c core.pager='sh -c id' log", "git -c alias.x=!sh x", "git --config-env=a=b log",
                        "git show --output=/tmp/x HEAD", "git diff --ext-diff", "git config core.pager cat",
                        "git -C /tmp/other status", "rg --pre ./evil x", "rg --pre=sh x .",
                        "find . -exec rm {} ;", "find . -delete", "find . -fprint out", "fd -x rm",
                        "fd --exec-batch sh", "go test -exec ./evil ./...", "sed -e 's/a/b/e' f",
                        "sed 's/a/b/w out' f", "sed '1e id' f", "awk 'BEGIN{system(\"id\")}'",
                        "xargs rm", "env rm -rf x", "git log $OPTS"}) {
    Verdict v = run(c);
    EXPECT_EQ(v.decision, Decision::kAsk) << c << ": " << v.reason;
  }
}

TEST_F(BashPermTest, ExactAllowRuleMatchesOnlyThatCommand) {
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(npm test)").ok());
  EXPECT_EQ(decide("npm test"), Decision::kAllow);
  EXPECT_EQ(decide("npm test --watch"), Decision::kAsk);
  EXPECT_EQ(decide("npm test && npm publish"), Decision::kAsk);
  EXPECT_EQ(decide("npm test; rm -rf /"), Decision::kAsk);
}

TEST_F(BashPermTest, DenyOnAnyPartDeniesTheWhole) {
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kProject, Decision::kDeny, "Bash(rm:*)").ok());
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kProject, Decision::kDeny, "Bash(git push:*)").ok());
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash").ok());
  engine_.set_mode(PermissionMode::kBypass);
  for (const char* c : {"rm -rf x", "ls && rm -rf x", "ls || rm x", "ls; rm x", "ls | rm x", "ls & rm x",
                        "(rm x)", "{ rm x; }", "echo $(rm x)", "echo `rm x`", "cat <(rm x)",
                        "if true; then rm x; fi", "while false; do rm x; done", "for i in a; do rm $i; done",
                        "case a in a) rm x;; esac", "f() { rm x; }; f", "sudo rm x", "env A=1 rm x",
                        "timeout 5 rm x", "nice -n 5 rm x", "nohup rm x", "xargs rm < list",
                        "bash -c 'rm x'", "sh -c \"ls; rm x\"", "eval rm x", "find . -exec rm {} ;",
                        "command rm x", "exec rm x", "time rm x", "/bin/rm x", "./rm x",
                        "g''it push", "\"rm\" x", "\\rm x", "r\\m x", "'rm' x", "$'\\x72m' x",
                        "$(echo rm) x", "`echo rm` x", "r$X x", "${CMD} x", "rm${IFS}x", "{rm,x}",
                        "r? x", "git $SUB origin", "cat <<EOF\n$(rm x)\nEOF", "echo \"$(rm x)\"",
                        "ls\nrm x", "ls \\\n&& rm x", "x=$(rm y)", "echo ${A:-$(rm x)}", "echo $((1+$(rm x)))",
                        "sudo -u root env timeout 5 bash -c 'git push'", "[[ $(rm x) ]]",
                        "bash -c \"$PAYLOAD\"", "busybox rm x"}) {
    Verdict v = run(c);
    EXPECT_EQ(v.decision, Decision::kDeny) << c << ": " << v.reason;
  }
  // Many parts: no cap after which deny degrades.
  std::string longcmd;
  for (int i = 0; i < 200; ++i) longcmd += "ls; ";
  longcmd += "rm x";
  EXPECT_EQ(decide(longcmd), Decision::kDeny);
  // Things that only look like the denied command.
  for (const char* c : {"echo rm", "grep -r rm .", "rmdir x", "git pushy", "cat 'rm x'", "echo 'bash -c rm'"})
    EXPECT_EQ(decide(c), Decision::kAllow) << c << ": " << run(c).reason;
}

TEST_F(BashPermTest, CrIsPartOfTheWordAsBashSeesIt) {
  // bash does not treat CR as blank: `git status\r` is a different command.
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(git status)").ok());
  EXPECT_EQ(decide("git status"), Decision::kAllow);
  EXPECT_EQ(decide("git status\r"), Decision::kAsk);
  EXPECT_EQ(decide("git status\r;rm -rf x"), Decision::kAsk);
}

TEST_F(BashPermTest, UnparsableCommandsAreNeverAllowed) {
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash").ok());
  for (const char* c : {"echo 'unterminated", "echo \"x", "(ls", "ls)", "echo $(ls", "if true; then ls"}) {
    EXPECT_EQ(decide(c), Decision::kAsk) << c;
  }
  engine_.set_mode(PermissionMode::kBypass);
  EXPECT_EQ(decide("echo 'unterminated"), Decision::kDeny);
}

TEST_F(BashPermTest, PlanModeDeniesAnythingNotReadOnly) {
  engine_.set_mode(PermissionMode::kPlan);
  EXPECT_EQ(decide("git status"), Decision::kAllow);
  Verdict v = run("make");
  EXPECT_EQ(v.decision, Decision::kDeny);
  EXPECT_NE(v.reason.find("plan mode: read-only"), std::string::npos);
  EXPECT_EQ(decide("ls > x"), Decision::kDeny);
}

TEST_F(BashPermTest, ReadsOfDeniedPathsAreDeniedForAnyCommand) {
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kDeny, "Read(~/secrets/**)").ok());
  engine_.set_mode(PermissionMode::kBypass);
  EXPECT_EQ(decide("cat ~/secrets/a"), Decision::kDeny);
  EXPECT_EQ(decide("python3 x.py < ~/secrets/a"), Decision::kDeny);
  EXPECT_EQ(decide("cat ~/.ssh/id_rsa"), Decision::kDeny) << "built-in credential protection";
  EXPECT_EQ(decide("echo key >> .git/hooks/pre-commit"), Decision::kDeny);
  EXPECT_EQ(decide("cat ~/other"), Decision::kAllow);
}

TEST_F(BashPermTest, AskRuleBeatsAllowRule) {
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kUser, Decision::kAllow, "Bash(git:*)").ok());
  ASSERT_TRUE(engine_.add_rule(RuleLayer::kProject, Decision::kAsk, "Bash(git push:*)").ok());
  EXPECT_EQ(decide("git fetch"), Decision::kAllow);
  EXPECT_EQ(decide("git fetch && git push"), Decision::kAsk);
}

}  // namespace
}  // namespace bastion::policy
