// The interactive UI driven in tmux against the fake model server: ask,
// see the permission prompt with the diff, approve with y, read the answer,
// /exit, and find the whole exchange in scrollback; deny with a note; Esc
// mid-stream; /rewind after a command changed files; resizing; a 10k-line
// tool output staying responsive.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "e2e/harness.h"
#include "e2e/tui_tmux.h"

namespace bastion::e2e {
namespace {

Env tui_env(const TempWorkspace& ws, const FakeServer& srv) {
  return ws.env({{"BASTION_BASE_URL", srv.base_url()}, {"BASTION_MODEL", "test-model"}, {"BASTION_API_KEY", "k"}});
}

Json edit_scenario() {
  return Json::parse(R"J({"turns": [
    {"expect": {"last_user_contains": "change the greeting"},
     "reply": {"tool_calls": [{"name": "edit", "arguments":
       {"path": "hello.py", "old_string": "print(\"hello\")", "new_string": "print(\"hello, world\")"}}]}},
    {"expect": {"tool_result_contains": "hello.py"},
     "reply": {"text": "## Summary\nChanged the **greeting** in `hello.py`.\n"}}
  ]})J");
}

TEST(TuiE2E, PromptApproveDiffFlowStaysInScrollback) {
  TempWorkspace ws(true);
  ws.write("hello.py", "def main():\n    print(\"hello\")\n");
  FakeServer srv(edit_scenario());
  ASSERT_TRUE(srv.ok()) << srv.error();
  TmuxSession t(ws.root(), {bastion_bin()}, tui_env(ws, srv), ws.dir());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("change the greeting");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Allow edit to make this change?")) << t.capture();
  std::string screen = t.capture();
  EXPECT_NE(screen.find("-    print(\"hello\")"), std::string::npos) << screen;
  EXPECT_NE(screen.find("+    print(\"hello, world\")"), std::string::npos) << screen;
  EXPECT_EQ(ws.read("hello.py"), "def main():\n    print(\"hello\")\n");  // not before y
  t.type("y");
  ASSERT_TRUE(t.wait_for("Changed the greeting in hello.py.")) << t.capture();
  EXPECT_EQ(ws.read("hello.py"), "def main():\n    print(\"hello, world\")\n");
  t.type("/exit");
  t.key("Enter");
  ASSERT_TRUE(t.wait_exit()) << t.capture();
  std::string all = t.capture();
  for (const char* part : {"> change the greeting", "● edit(hello.py)", "→ yes", "Summary",
                           "Changed the greeting in hello.py."})
    EXPECT_NE(all.find(part), std::string::npos) << part << "\n" << all;
  EXPECT_TRUE(srv.expect_failures().empty());
}

TEST(TuiE2E, DenyWithNoteReachesTheModel) {
  TempWorkspace ws(true);
  ws.write("hello.py", "print(\"hello\")\n");
  FakeServer srv(Json::parse(R"J({"turns": [
    {"reply": {"tool_calls": [{"name": "bash", "arguments": {"command": "rm -rf build"}}]}},
    {"expect": {"body_contains": "keep the build dir"}, "reply": {"text": "Understood, leaving it."}}
  ]})J"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  TmuxSession t(ws.root(), {bastion_bin()}, tui_env(ws, srv), ws.dir());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("clean up");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("$ rm -rf build")) << t.capture();
  t.type("n");
  ASSERT_TRUE(t.wait_for("note>")) << t.capture();
  t.type("keep the build dir");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Understood, leaving it.")) << t.capture();
  EXPECT_TRUE(srv.expect_failures().empty()) << t.capture();
  t.key("C-c");
  t.key("C-c");
  EXPECT_TRUE(t.wait_exit()) << t.capture();
}

TEST(TuiE2E, RewindRestoresFilesChangedByACommand) {
  TempWorkspace ws(true);
  ws.write("data.txt", "original\n");
  FakeServer srv(Json::parse(R"J({"turns": [
    {"reply": {"tool_calls": [{"name": "bash", "arguments": {"command": "echo clobbered > data.txt && echo x > extra.txt"}}]}},
    {"reply": {"text": "Rewrote it."}}
  ]})J"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  TmuxSession t(ws.root(), {bastion_bin(), "--permission-mode", "bypassPermissions"}, tui_env(ws, srv), ws.dir());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("rewrite data");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Rewrote it.")) << t.capture();
  EXPECT_EQ(ws.read("data.txt"), "clobbered\n");
  t.type("/rewind");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("rewound both")) << t.capture();
  EXPECT_EQ(ws.read("data.txt"), "original\n");
  EXPECT_FALSE(ws.exists("extra.txt"));
  EXPECT_TRUE(ws.exists(".git"));  // the user's repo is untouched
  t.key("C-u");
  t.type("/exit");
  t.key("Enter");
  EXPECT_TRUE(t.wait_exit()) << t.capture();
}

TEST(TuiE2E, ResizeKeepsTheLiveRegionUsable) {
  TempWorkspace ws(true);
  FakeServer srv(Json::parse(R"J({"turns": [{"reply": {"text": "Narrow answer after the resize."}}]})J"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  TmuxSession t(ws.root(), {bastion_bin()}, tui_env(ws, srv), ws.dir(), 100, 30);
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("hello");
  t.resize(40, 15);
  ASSERT_TRUE(t.wait_for("> hello")) << t.capture();
  t.type(" there");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Narrow answer after the resize.")) << t.capture();
  std::string screen = t.capture(false);
  EXPECT_NE(screen.find("test-model"), std::string::npos) << screen;  // status line still drawn
  for (size_t start = 0; start < screen.size();) {  // nothing drawn past the new width
    size_t nl = screen.find('\n', start);
    if (nl == std::string::npos) nl = screen.size();
    std::string line = screen.substr(start, nl - start);
    size_t columns = 0;  // code points (the UI draws no wide characters here)
    for (unsigned char c : line) columns += (c & 0xC0) != 0x80;
    EXPECT_LE(columns, 40u) << line;  // a re-wrapped old row would join longer
    start = nl + 1;
  }
  t.type("/exit");
  t.key("Enter");
  EXPECT_TRUE(t.wait_exit()) << t.capture();
}

// Scrollback after /exit holds only committed lines: no stale input box,
// status line or spinner rows left behind by a redraw at another width.
std::vector<std::string> live_region_leftovers(const std::string& scrollback) {
  std::vector<std::string> bad;
  for (size_t start = 0; start < scrollback.size();) {
    size_t nl = scrollback.find('\n', start);
    if (nl == std::string::npos) nl = scrollback.size();
    std::string line = scrollback.substr(start, nl - start);
    start = nl + 1;
    bool dashes = line.size() >= 4 && line.find_first_not_of('-') == std::string::npos;
    if (dashes || line.find("test-model · ctx") != std::string::npos || line.find("working…") != std::string::npos ||
        line.find("esc to interrupt") != std::string::npos)
      bad.push_back(line);
  }
  return bad;
}

TEST(TuiE2E, ResizeMidStreamAndToTwentyColumnsLeavesNoGarbage) {
  TempWorkspace ws(true);
  std::string text;
  for (int i = 0; i < 40; ++i) text += "streamed line " + std::to_string(i) + " of the answer\n";
  text += "THE END";
  Json scenario = {{"turns", Json::array({{{"reply", {{"text", text}, {"text_fragment_bytes", 12},
                                                      {"delay_ms", 40}}}}})}};
  FakeServer srv(scenario);
  ASSERT_TRUE(srv.ok()) << srv.error();
  TmuxSession t(ws.root(), {bastion_bin()}, tui_env(ws, srv), ws.dir(), 100, 30);
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("stream please");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("streamed line 3 ")) << t.capture();
  t.resize(60, 20);
  ASSERT_TRUE(t.wait_for("streamed line 12 ")) << t.capture();
  t.resize(20, 20);
  ASSERT_TRUE(t.wait_for("streamed line 25 ")) << t.capture();
  t.resize(45, 20);
  ASSERT_TRUE(t.wait_for("THE END")) << t.capture();
  // At 45 columns the spinner row is cut before "esc to interrupt"; its start stays visible.
  ASSERT_TRUE(t.wait_gone("working…")) << t.capture(false);
  t.resize(20, 20);
  t.type("narrow input that wraps over several rows");
  ASSERT_TRUE(t.wait_for("rows")) << t.capture(false);
  t.key("C-u");
  t.type("/exit");
  t.key("Enter");
  ASSERT_TRUE(t.wait_exit()) << t.capture();
  std::string all = t.capture();
  EXPECT_EQ(live_region_leftovers(all), std::vector<std::string>{}) << all;
  for (int i = 0; i < 40; ++i) {  // every line of the answer made it, once
    std::string want = "streamed line " + std::to_string(i) + " of the answer";
    size_t first = all.find(want);
    EXPECT_NE(first, std::string::npos) << i << all;
    if (first != std::string::npos) EXPECT_EQ(all.find(want, first + 1), std::string::npos) << i << all;
  }
}

TEST(TuiE2E, TenThousandLineOutputIsElidedAndStaysResponsive) {
  TempWorkspace ws(true);
  FakeServer srv(Json::parse(R"J({"turns": [
    {"reply": {"tool_calls": [{"name": "bash", "arguments": {"command": "seq 1 10000"}}]}},
    {"reply": {"text": "Counted."}}
  ]})J"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  TmuxSession t(ws.root(), {bastion_bin(), "--permission-mode", "bypassPermissions"}, tui_env(ws, srv), ws.dir());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("count");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Counted.")) << t.capture();
  std::string all = t.capture();
  EXPECT_NE(all.find("lines (ctrl-o to expand)"), std::string::npos) << all;
  EXPECT_EQ(all.find("\n    5000\n"), std::string::npos);  // elided, not printed
  auto t0 = std::chrono::steady_clock::now();
  t.type("typed-after");
  ASSERT_TRUE(t.wait_for("> typed-after", 3000)) << t.capture();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  t.key("C-o");
  ASSERT_TRUE(t.wait_for("    9999")) << t.capture(false);
  t.key("C-u");
  t.type("/exit");
  t.key("Enter");
  EXPECT_TRUE(t.wait_exit()) << t.capture(false);
}

}  // namespace
}  // namespace bastion::e2e
