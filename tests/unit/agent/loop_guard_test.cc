#include "agent/loop_guard.h"

#include <gtest/gtest.h>

using namespace bastion::agent;

TEST(LoopGuardTest, SameCallSameResultWarnsThenStopsAfterThreeMore) {
  LoopGuard guard;
  const std::string args = R"({"path":"a.txt"})";
  EXPECT_TRUE(guard.observe("read", args, "hello", false).ok());
  EXPECT_TRUE(guard.observe("read", args, "hello", false).ok());
  auto warn = guard.observe("read", args, "hello", false);
  ASSERT_TRUE(warn.warn());
  EXPECT_NE(warn.message.find("`read` {\"path\":\"a.txt\"} 3 times"), std::string::npos)
      << warn.message;
  EXPECT_NE(warn.message.find("3 more times"), std::string::npos) << warn.message;
  EXPECT_TRUE(guard.observe("read", args, "hello", false).warn());
  auto last_warn = guard.observe("read", args, "hello", false);
  ASSERT_TRUE(last_warn.warn());
  EXPECT_NE(last_warn.message.find("1 more time."), std::string::npos) << last_warn.message;
  auto stop = guard.observe("read", args, "hello", false);
  ASSERT_TRUE(stop.stop());
  EXPECT_NE(stop.message.find("runaway loop"), std::string::npos);
  EXPECT_NE(stop.message.find("6 times"), std::string::npos) << stop.message;
}

TEST(LoopGuardTest, ArgumentsAreCanonicalised) {
  LoopGuard guard;
  guard.observe("grep", R"({"pattern":"x","path":"src"})", "r", false);
  guard.observe("grep", R"({ "path": "src", "pattern": "x" })", "r", false);
  EXPECT_TRUE(guard.observe("grep", R"({"path":"src","pattern":"x"})", "r", false).warn());
  EXPECT_EQ(canonical_args(R"({ "b": 1, "a": [1, 2] })"), R"({"a":[1,2],"b":1})");
  EXPECT_EQ(canonical_args("  not json "), "not json");
}

TEST(LoopGuardTest, ChangingResultIsNotALoop) {
  LoopGuard guard;
  for (int i = 0; i < 20; ++i) {
    auto v = guard.observe("read", R"({"path":"a.txt"})", "version " + std::to_string(i), false);
    EXPECT_TRUE(v.ok()) << i;
  }
}

TEST(LoopGuardTest, DifferentCallsInterleavedStillCount) {
  LoopGuard guard;
  GuardVerdict v;
  for (int i = 0; i < 3; ++i) {
    v = guard.observe("read", R"({"path":"a"})", "A", false);
    guard.observe("read", R"({"path":"b"})", "B" + std::to_string(i), false);
  }
  EXPECT_TRUE(v.warn());
}

TEST(LoopGuardTest, SameCommandFailingTheSameWayDespiteVolatileOutput) {
  LoopGuard guard;
  const std::string args = R"({"command":"make test"})";
  auto out = [](int ms, const char* tmp) {
    return std::string("building... took ") + std::to_string(ms) + "ms\n" + tmp +
           ": error: undefined reference to `foo'\nexit code 2";
  };
  EXPECT_TRUE(guard.observe("bash", args, out(120, "/tmp/cc1a2b3c.o"), true).ok());
  EXPECT_TRUE(guard.observe("bash", args, out(98, "/tmp/ccffe019.o"), true).ok());
  auto warn = guard.observe("bash", args, out(131, "/tmp/cc77aa02.o"), true);
  ASSERT_TRUE(warn.warn()) << warn.message;
  EXPECT_NE(warn.message.find("failed 3 times with the same error"), std::string::npos)
      << warn.message;
  EXPECT_NE(warn.message.find("undefined reference"), std::string::npos) << warn.message;
  EXPECT_TRUE(guard.observe("bash", args, out(1, "/tmp/cc000001.o"), true).warn());
  EXPECT_TRUE(guard.observe("bash", args, out(2, "/tmp/cc000002.o"), true).warn());
  EXPECT_TRUE(guard.observe("bash", args, out(3, "/tmp/cc000003.o"), true).stop());
}

TEST(LoopGuardTest, DifferentErrorsAreProgress) {
  LoopGuard guard;
  const std::string args = R"({"command":"make test"})";
  const char* errors[] = {"a.cc:1: error: missing ;", "b.cc:9: error: no member named x",
                          "c.cc:3: error: undeclared y", "test failed: expected 3 got 4"};
  for (const char* e : errors) EXPECT_TRUE(guard.observe("bash", args, e, true).ok()) << e;
}

TEST(LoopGuardTest, ErrorSignatureKeepsExitCodeAndErrorLine) {
  EXPECT_EQ(error_signature("compiling\nfoo.c:12: error: bad\nexit code 1"),
            "exit=1|foo.c:#: error: bad");
  EXPECT_NE(error_signature("x\nexit code 1"), error_signature("x\nexit code 2"));
}

TEST(LoopGuardTest, EditUndoOscillationWarnsThenStops) {
  LoopGuardOptions opts;
  opts.max_repeats_after_warning = 2;
  LoopGuard guard(opts);
  auto edit = [&](const char* from, const char* to) {
    std::string args = std::string(R"({"path":"src/a.cc","old_string":")") + from +
                       R"(","new_string":")" + to + R"("})";
    return guard.observe("edit", args, "edited src/a.cc", false);
  };
  EXPECT_TRUE(edit("int x = 1;", "int x = 2;").ok());
  EXPECT_TRUE(edit("int x = 2;", "int x = 1;").ok());  // one undo is fine
  auto warn = edit("int x = 1;", "int x = 2;");        // redo: oscillation
  ASSERT_TRUE(warn.warn());
  EXPECT_NE(warn.message.find("src/a.cc keep undoing each other"), std::string::npos)
      << warn.message;
  EXPECT_TRUE(edit("int x = 2;", "int x = 1;").warn());
  EXPECT_TRUE(edit("int x = 1;", "int x = 2;").stop());
}

TEST(LoopGuardTest, UnrelatedEditsAreNotOscillation) {
  LoopGuard guard;
  for (int i = 0; i < 10; ++i) {
    std::string args = R"({"path":"a.cc","old_string":"v)" + std::to_string(i) +
                       R"(","new_string":"v)" + std::to_string(i + 1) + R"("})";
    EXPECT_TRUE(guard.observe("edit", args, "ok", false).ok());
  }
}

TEST(LoopGuardTest, FileContentReturningToEarlierStateIsOscillation) {
  LoopGuard guard;
  // Changes made by bash (sed, git checkout) reported through on_file_changed.
  guard.observe_file_content("a.py", "A");
  EXPECT_TRUE(guard.observe("bash", R"({"command":"sed 1"})", "", false).ok());
  guard.observe_file_content("a.py", "B");
  EXPECT_TRUE(guard.observe("bash", R"({"command":"sed 2"})", "", false).ok());
  guard.observe_file_content("a.py", "A");  // back to A: reversal 1
  EXPECT_TRUE(guard.observe("bash", R"({"command":"sed 3"})", "", false).ok());
  guard.observe_file_content("a.py", "B");  // reversal 2
  EXPECT_TRUE(guard.observe("bash", R"({"command":"sed 4"})", "", false).warn());
}

TEST(LoopGuardTest, WriteRestoringEarlierContentIsOscillation) {
  LoopGuard guard;
  auto write = [&](const char* content) {
    return guard.observe("write", std::string(R"({"path":"f.txt","content":")") + content + "\"}",
                         "wrote f.txt", false);
  };
  EXPECT_TRUE(write("one").ok());
  EXPECT_TRUE(write("two").ok());
  EXPECT_TRUE(write("one").ok());
  EXPECT_TRUE(write("two").warn());
}

TEST(LoopGuardTest, ResetForgetsHistory) {
  LoopGuard guard;
  guard.observe("read", "{}", "x", false);
  guard.observe("read", "{}", "x", false);
  guard.reset();
  EXPECT_TRUE(guard.observe("read", "{}", "x", false).ok());
}

TEST(LoopGuardTest, ConfigurableRepeatsAfterWarning) {
  LoopGuardOptions opts;
  opts.max_repeats_after_warning = 1;
  LoopGuard guard(opts);
  guard.observe("glob", "{}", "x", false);
  guard.observe("glob", "{}", "x", false);
  EXPECT_TRUE(guard.observe("glob", "{}", "x", false).warn());
  EXPECT_TRUE(guard.observe("glob", "{}", "x", false).stop());
}

TEST(LoopGuardTest, RerunningACommandAfterEditsIsNotALoop) {
  LoopGuard guard;
  for (int i = 0; i < 6; ++i) {
    std::string args = R"({"path":"a.cc","old_string":"v)" + std::to_string(i) +
                       R"(","new_string":"v)" + std::to_string(i + 1) + R"("})";
    EXPECT_TRUE(guard.observe("edit", args, "ok", false).ok());
    EXPECT_TRUE(guard.observe("bash", R"({"command":"make test"})", "all 12 tests passed", false).ok())
        << i;
  }
  // Without edits in between, the same run repeating is a loop.
  guard.observe("bash", R"({"command":"make test"})", "all 12 tests passed", false);
  EXPECT_TRUE(guard.observe("bash", R"({"command":"make test"})", "all 12 tests passed", false).warn());
}
