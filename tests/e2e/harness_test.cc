// Tests of the e2e harness itself: process running (separate streams, stdin,
// timeouts, missing programs), the isolated workspace, and run_bastion.
#include <gtest/gtest.h>

#include "e2e/harness.h"

using bastion::e2e::RunResult;
using bastion::e2e::TempWorkspace;


TEST(HarnessTest, RunCommandSeparatesStreamsAndFeedsStdin) {
  TempWorkspace ws;
  RunResult r = bastion::e2e::run_command(
      {"sh", "-c", "cat; echo err >&2; echo \"$HOME|$XDG_CONFIG_HOME|$PWD|${BASTION_MODEL-unset}\"; exit 3"},
      ws.env(), ws.dir(), "from stdin\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.out, "from stdin\n" + ws.home() + "|" + ws.home() + "/.config|" + ws.dir() + "|unset\n");
}

TEST(HarnessTest, RunCommandKillsOnTimeoutAndReportsMissingPrograms) {
  TempWorkspace ws;
  RunResult slow = bastion::e2e::run_command({"sh", "-c", "sleep 5 & sleep 5"}, ws.env(), ws.dir(),
                                             "", 200);
  EXPECT_TRUE(slow.timed_out);
  EXPECT_LT(slow.elapsed_ms, 3000);
  RunResult missing =
      bastion::e2e::run_command({"/nonexistent/bastion-x"}, ws.env(), ws.dir());
  EXPECT_EQ(missing.exit_code, -1);
  EXPECT_NE(missing.err.find("No such file"), std::string::npos) << missing.err;
}

TEST(HarnessTest, WorkspaceWritesFilesAndInitialisesGit) {
  TempWorkspace ws(/*git_init=*/true);
  ASSERT_TRUE(ws.write("src/a.txt", "hello\n"));
  EXPECT_EQ(ws.read("src/a.txt"), "hello\n");
  EXPECT_TRUE(ws.exists(".git"));
  ASSERT_TRUE(ws.git_commit_all());
  RunResult log = bastion::e2e::run_command({"git", "log", "--oneline"}, ws.env(), ws.dir());
  EXPECT_EQ(log.exit_code, 0) << log.describe();
  EXPECT_NE(log.out.find("initial"), std::string::npos);
  std::string root = ws.root();
  EXPECT_EQ(ws.env().at("HOME").rfind(root, 0), 0u);
}

TEST(HarnessTest, RunBastionStartsTheBuiltBinary) {
  TempWorkspace ws;
  RunResult r = bastion::e2e::run_bastion({"--version"}, ws.env(), ws.dir());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_FALSE(r.out.empty());
}
