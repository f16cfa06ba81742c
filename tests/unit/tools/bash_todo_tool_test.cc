#include "tools/core_tools.h"
#include "tools/registry.h"
#include "tool_test_util.h"

namespace bastion::tools {
namespace {

using testing::DirectSandbox;
using testing::ToolTest;
using testing::UnavailableSandbox;

class BashToolTest : public ToolTest {
 protected:
  void SetUp() override {
    ToolTest::SetUp();
    ctx_.sandbox = &sandbox;
  }
  DirectSandbox sandbox;
  std::unique_ptr<Tool> bash = make_bash_tool();
};

TEST_F(BashToolTest, RunsInWorkspaceAndReportsExitCode) {
  auto r = call(*bash, {{"command", "pwd; echo err >&2"}});
  EXPECT_FALSE(r.is_error) << r.output;
  EXPECT_EQ(r.output, ws_ + "\nerr\n[exit code 0]");
  auto f = call(*bash, {{"command", "echo out; exit 3"}});
  EXPECT_TRUE(f.is_error);
  EXPECT_EQ(f.output, "out\n[exit code 3]");
  EXPECT_EQ(f.meta["exit_code"], 3);
  EXPECT_EQ(sandbox.runs, 2);
}

TEST_F(BashToolTest, WorkingDirectoryPersistsAndExitCodeIsKept) {
  ASSERT_TRUE(fs::make_dirs(ws_ + "/sub/dir").ok());
  auto r = call(*bash, {{"command", "cd sub/dir && false"}});
  EXPECT_EQ(r.meta["exit_code"], 1);
  EXPECT_EQ(ctx_.shell_cwd, ws_ + "/sub/dir");
  EXPECT_EQ(call(*bash, {{"command", "pwd"}}).output, ws_ + "/sub/dir\n[exit code 0]");
  // A subshell's cd does not leak; `exit` still records the directory.
  call(*bash, {{"command", "(cd /); cd ..; exit 7"}});
  EXPECT_EQ(ctx_.shell_cwd, ws_ + "/sub");
  // If the directory disappears, the next call falls back to the workspace.
  std::system(("rm -rf '" + ws_ + "/sub'").c_str());
  auto gone = call(*bash, {{"command", "pwd"}});
  EXPECT_NE(gone.output.find("is gone"), std::string::npos);
  EXPECT_NE(gone.output.find(ws_ + "\n[exit code 0]"), std::string::npos) << gone.output;
}

TEST_F(BashToolTest, NoOutputIsExplicit) {
  EXPECT_EQ(call(*bash, {{"command", "true"}}).output, "(no output)\n[exit code 0]");
}

TEST_F(BashToolTest, TimeoutKillsAndSays) {
  auto r = call(*bash, {{"command", "echo start; sleep 20"}, {"timeout", 300}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.output.find("start\n[timed out after 0.3"), std::string::npos) << r.output;
  EXPECT_EQ(r.meta["timed_out"], true);
}

TEST_F(BashToolTest, LongOutputIsElidedInTheMiddle) {
  auto r = call(*bash, {{"command", "seq 1 100000"}});
  EXPECT_LT(r.output.size(), 26000u);
  EXPECT_EQ(r.output.rfind("1\n2\n3\n", 0), 0u);
  EXPECT_NE(r.output.find("elided"), std::string::npos);
  EXPECT_NE(r.output.find("100000\n[exit code 0]"), std::string::npos);
}

TEST_F(BashToolTest, RefusesWithoutSandboxAndExplainsOptOut) {
  ctx_.sandbox = nullptr;
  auto r = call(*bash, {{"command", "echo hi"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.output.find("--sandbox off"), std::string::npos);
  UnavailableSandbox none;
  ctx_.sandbox = &none;
  auto u = call(*bash, {{"command", "echo hi"}});
  EXPECT_TRUE(u.is_error);
  EXPECT_NE(u.output.find("landlock not supported"), std::string::npos);
  EXPECT_EQ(bash->subject({{"command", "git status"}}, ctx_).command, "git status");
}

class TodoToolTest : public ToolTest {
 protected:
  std::unique_ptr<Tool> todo = make_todo_tool();
};

TEST_F(TodoToolTest, ReplacesListAndRenders) {
  Json args = {{"todos", Json::array({{{"content", "read code"}, {"status", "completed"}},
                                      {{"content", "fix bug"}, {"status", "in_progress"}},
                                      {{"content", "run tests"}, {"status", "pending"}}})}};
  auto r = call(*todo, args);
  ASSERT_FALSE(r.is_error) << r.output;
  EXPECT_EQ(r.output, "[x] read code\n[>] fix bug\n[ ] run tests\n1/3 done");
  ASSERT_EQ(ctx_.todos.size(), 3u);
  EXPECT_EQ(ctx_.todos[1].status, "in_progress");
  call(*todo, {{"todos", Json::array({{{"content", "only"}, {"status", "pending"}}})}});
  EXPECT_EQ(ctx_.todos.size(), 1u);
}

TEST_F(TodoToolTest, RejectsTwoInProgressAndBadStatus) {
  auto two = call(*todo, {{"todos", Json::array({{{"content", "a"}, {"status", "in_progress"}},
                                                 {{"content", "b"}, {"status", "in_progress"}}})}});
  EXPECT_TRUE(two.is_error);
  EXPECT_TRUE(ctx_.todos.empty());
  EXPECT_TRUE(call(*todo, {{"todos", Json::array({{{"content", "a"}, {"status", "done"}}})}}).is_error);
  EXPECT_TRUE(call(*todo, {{"todos", "nope"}}).is_error);
}

TEST(Registry, CoreToolsInOrderWithCompactSpecs) {
  ToolRegistry reg = make_core_registry();
  std::vector<std::string> names;
  size_t bytes = 0;
  for (const auto& s : reg.specs()) {
    names.push_back(s.name);
    bytes += s.description.size() + s.parameters.dump().size();
    EXPECT_LE(s.description.size(), 220u) << s.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"read", "write", "edit", "glob", "grep", "bash", "todo"}));
  EXPECT_LT(bytes, 3000u);  // the whole core tool prompt stays small
  ASSERT_NE(reg.find("edit"), nullptr);
  EXPECT_EQ(reg.find("edit")->kind(), ToolKind::kEdit);
  EXPECT_EQ(reg.find("missing"), nullptr);
  reg.remove("bash");
  EXPECT_EQ(reg.find("bash"), nullptr);
  EXPECT_EQ(reg.size(), 6u);
  reg.add(make_bash_tool());
  reg.add(make_bash_tool());  // re-adding replaces
  EXPECT_EQ(reg.size(), 7u);
}

}  // namespace
}  // namespace bastion::tools
