// Input features of the interactive UI, driven in tmux against the fake
// model server: @path completion attaches the file, !cmd output joins the
// next message, custom commands from .bastion/commands, Shift+Tab cycles the
// permission mode, Ctrl-R finds an earlier prompt, Ctrl-C twice exits.
#include <gtest/gtest.h>

#include "e2e/harness.h"
#include "e2e/tui_tmux.h"

namespace bastion::e2e {
namespace {

Env tui_env(const TempWorkspace& ws, const FakeServer& srv) {
  return ws.env({{"BASTION_BASE_URL", srv.base_url()}, {"BASTION_MODEL", "test-model"}, {"BASTION_API_KEY", "k"}});
}

TEST(TuiInputE2E, MentionShellCustomCommandModeCycleHistorySearchAndCtrlC) {
  TempWorkspace ws(true);
  ws.write("src/greeting.py", "print(\"hello from the file\")\n");
  ws.write(".bastion/commands/review.md", "---\ndescription: review\n---\nReview $ARGUMENTS carefully.\n");
  FakeServer srv(Json::parse(R"J({"turns": [
    {"expect": {"last_user_contains": "hello from the file"}, "reply": {"text": "Saw the attached file."}},
    {"expect": {"last_user_contains": "shell-output", "body_contains": "marker-42"},
     "reply": {"text": "Saw the shell output."}},
    {"expect": {"last_user_contains": "Review the parser carefully."}, "reply": {"text": "Custom command ran."}},
    {"expect": {"last_user_contains": "look at @src/greeting.py"}, "reply": {"text": "Found it again."}}
  ]})J"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  TmuxSession t(ws.root(), {bastion_bin()}, tui_env(ws, srv), ws.dir());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();

  t.type("look at @greet");
  t.key("Tab");
  ASSERT_TRUE(t.wait_for("> look at @src/greeting.py")) << t.capture(false);
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("attached src/greeting.py")) << t.capture();
  ASSERT_TRUE(t.wait_for("Saw the attached file.")) << t.capture();
  ASSERT_TRUE(t.wait_gone("esc to interrupt")) << t.capture(false);

  t.type("!echo marker-$((40+2))");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("marker-42")) << t.capture();
  ASSERT_TRUE(t.wait_gone("esc to interrupt")) << t.capture(false);
  t.type("what did it print?");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Saw the shell output.")) << t.capture();
  ASSERT_TRUE(t.wait_gone("esc to interrupt")) << t.capture(false);

  t.type("/review the parser");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Custom command ran.")) << t.capture();
  ASSERT_TRUE(t.wait_gone("esc to interrupt")) << t.capture(false);

  t.key("BTab");
  ASSERT_TRUE(t.wait_for("permission mode: acceptEdits")) << t.capture(false);
  t.key("BTab");
  ASSERT_TRUE(t.wait_for("permission mode: plan")) << t.capture(false);
  t.key("BTab");
  ASSERT_TRUE(t.wait_for("permission mode: default")) << t.capture(false);

  t.key("C-r");
  t.type("greet");
  ASSERT_TRUE(t.wait_for("(reverse-i-search)`greet': look at @src/greeting.py")) << t.capture(false);
  t.key("Enter");
  ASSERT_TRUE(t.wait_gone("reverse-i-search")) << t.capture(false);
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Found it again.")) << t.capture();
  EXPECT_TRUE(srv.expect_failures().empty()) << t.capture();
  ASSERT_TRUE(t.wait_gone("esc to interrupt")) << t.capture(false);

  t.key("C-c");
  ASSERT_TRUE(t.wait_for("press Ctrl-C again to exit")) << t.capture(false);
  t.key("C-c");
  ASSERT_TRUE(t.wait_exit()) << t.capture();
  EXPECT_EQ(t.exit_status(), 0);
}

TEST(TuiInputE2E, NoColorAndPlainStdout) {
  TempWorkspace ws(true);
  FakeServer srv(Json::parse(R"J({"turns": [{"reply": {"text": "**Bold** answer."}},
                                            {"reply": {"text": "Piped answer."}}]})J"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  Env env = tui_env(ws, srv);
  env["NO_COLOR"] = "1";
  // Colour codes would reach the pane; capture_escapes() keeps them.
  TmuxSession t(ws.root(), {bastion_bin()}, env, ws.dir());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("hi");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Bold answer.")) << t.capture();
  EXPECT_EQ(t.capture_escapes().find("\x1b["), std::string::npos) << t.capture_escapes();  // no SGR at all
  t.type("/exit");
  t.key("Enter");
  ASSERT_TRUE(t.wait_exit()) << t.capture();

  // stdout is a pipe: plain text, no escape sequences at all.
  RunResult r = run_bastion({}, tui_env(ws, srv), ws.dir(), "say something\n/exit\n");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("Piped answer."), std::string::npos) << r.describe();
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace bastion::e2e
