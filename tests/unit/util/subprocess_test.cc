#include "util/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace bastion {
namespace {

ProcessResult run_sh(const std::string& script, int timeout_ms = 10000, size_t cap = 1 << 20) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.timeout_ms = timeout_ms;
  spec.max_output_bytes = cap;
  auto r = run_process(spec);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : ProcessResult{};
}

TEST(Subprocess, MergesStdoutAndStderrInOrder) {
  ProcessResult r = run_sh("echo out; echo err 1>&2; echo out2");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "out\nerr\nout2\n");
  EXPECT_FALSE(r.timed_out);
}

TEST(Subprocess, ReportsExitCodeAndSignal) {
  EXPECT_EQ(run_sh("exit 7").exit_code, 7);
  EXPECT_EQ(run_sh("kill -TERM $$").exit_code, 128 + SIGTERM);
}

TEST(Subprocess, MissingProgramExits127WithMessage) {
  ProcessSpec spec;
  spec.argv = {"/nonexistent/program-xyz"};
  auto r = run_process(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 127);
  EXPECT_NE(r->output.find("No such file"), std::string::npos) << r->output;
}

TEST(Subprocess, EmptyArgvIsAnError) {
  ProcessSpec spec;
  auto r = run_process(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadInput);
}

TEST(Subprocess, TimeoutKillsTheWholeProcessGroup) {
  char tmpl[] = "/tmp/bastion-subproc-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string marker = std::string(tmpl) + "/alive";
  // A grandchild that would create the marker after 1.5 s if it survived.
  ProcessResult r = run_sh("(sleep 1.5; touch " + marker + ") & echo started; sleep 30", 300);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  EXPECT_EQ(r.output, "started\n");
  EXPECT_LT(r.elapsed_ms, 5000);
  usleep(1800 * 1000);
  EXPECT_NE(access(marker.c_str(), F_OK), 0) << "grandchild survived the timeout";
  std::system(("rm -rf " + std::string(tmpl)).c_str());
}

TEST(Subprocess, BackgroundChildHoldingThePipeDoesNotBlock) {
  ProcessResult r = run_sh("sleep 20 & echo done", 0);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "done\n");
  EXPECT_LT(r.elapsed_ms, 3000);
}

TEST(Subprocess, KeepsHeadAndTailBeyondCap) {
  // 20000 numbered lines, ~108 KB, capped at 4 KB.
  ProcessResult r = run_sh("i=0; while [ $i -lt 20000 ]; do echo line$i; i=$((i+1)); done", 20000,
                           4096);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_GT(r.total_output_bytes, 100000u);
  EXPECT_LT(r.output.size(), 4096u + 200);
  EXPECT_EQ(r.output.rfind("line0\nline1\n", 0), 0u);
  EXPECT_NE(r.output.find("line19999\n"), std::string::npos);
  EXPECT_NE(r.output.find("bytes of output elided"), std::string::npos);
}

TEST(Subprocess, UnderCapIsVerbatim) {
  ProcessResult r = run_sh("printf 'abc'", 0, 4);
  EXPECT_EQ(r.output, "abc");
  EXPECT_EQ(r.total_output_bytes, 3u);
}

TEST(Subprocess, FeedsStdinAndDefaultsToDevNull) {
  ProcessSpec spec;
  spec.argv = {"cat"};
  spec.stdin_data = std::string(300000, 'x') + "END";
  auto r = run_process(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total_output_bytes, 300003u);
  EXPECT_EQ(r->output.substr(r->output.size() - 3), "END");
  EXPECT_EQ(run_sh("cat; echo eof").output, "eof\n");
}

TEST(Subprocess, ChildThatIgnoresStdinDoesNotKillParent) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "exit 0"};
  spec.stdin_data = std::string(1 << 20, 'y');
  auto r = run_process(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
}

TEST(Subprocess, SetsCwdAndEnv) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "pwd; echo $FOO; echo ${HOME:-unset}"};
  spec.cwd = "/tmp";
  spec.env = {"FOO=bar", "PATH=/usr/bin:/bin"};
  auto r = run_process(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, "/tmp\nbar\nunset\n");
}

TEST(Subprocess, BadCwdExits126) {
  ProcessSpec spec;
  spec.argv = {"/bin/true"};
  spec.cwd = "/nonexistent-dir-xyz";
  auto r = run_process(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 126);
  EXPECT_NE(r->output.find("/nonexistent-dir-xyz"), std::string::npos);
}

TEST(Subprocess, InChildHookRunsBeforeExecAndCanRefuse) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "echo $HOOKED"};
  spec.in_child = [] {
    setenv("HOOKED", "yes", 1);
    return std::string();
  };
  auto r = run_process(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, "yes\n");

  spec.in_child = [] { return std::string("landlock: not supported"); };
  r = run_process(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 126);
  EXPECT_EQ(r->output, "landlock: not supported\n");
}

TEST(Subprocess, RunsInItsOwnProcessGroup) {
  ProcessResult r = run_sh("ps -o pgid= -p $$ | tr -d ' '; echo $$");
  auto lines = r.output;
  auto nl = lines.find('\n');
  ASSERT_NE(nl, std::string::npos);
  EXPECT_EQ(lines.substr(0, nl), lines.substr(nl + 1, lines.size() - nl - 2));
  EXPECT_NE(lines.substr(0, nl), std::to_string(getpgrp()));
}

}  // namespace
}  // namespace bastion
