// Shared fixture for tool tests: a temp workspace with a ToolContext, and a
// pass-through sandbox that runs commands directly (the real sandbox has its
// own tests).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <string>

#include "policy/sandbox.h"
#include "tools/tool.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace bastion::tools::testing {

class DirectSandbox : public policy::Sandbox {
 public:
  Result<ProcessResult> run(ProcessSpec spec) override {
    ++runs;
    return run_process(spec);
  }
  std::string describe() const override { return "direct (test)"; }
  bool available() const override { return true; }
  int runs = 0;
};

class UnavailableSandbox : public policy::Sandbox {
 public:
  Result<ProcessResult> run(ProcessSpec) override {
    return make_error(ErrorKind::kSandbox, "no backend");
  }
  std::string describe() const override { return "unavailable: landlock not supported"; }
  bool available() const override { return false; }
};

class ToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion-tools-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = fs::resolve_real(tmpl, "/");
    ws_ = base_ + "/ws";
    ASSERT_TRUE(fs::make_dirs(ws_).ok());
    ctx_.workspace = ws_;
  }
  void TearDown() override { std::system(("rm -rf '" + base_ + "'").c_str()); }

  void put(const std::string& rel, const std::string& content) {
    ASSERT_TRUE(fs::write_file_atomic(ws_ + "/" + rel, content).ok());
  }
  std::string get(const std::string& rel) {
    auto r = fs::read_file(ws_ + "/" + rel);
    return r.ok() ? *r : "<missing>";
  }
  ToolResult call(Tool& tool, const Json& args) { return tool.run(args, ctx_); }

  std::string base_, ws_;
  ToolContext ctx_;
};

}  // namespace bastion::tools::testing
