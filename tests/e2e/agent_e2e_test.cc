// End-to-end: build/bin/bastion against the scripted fake model server.
#include <gtest/gtest.h>

#include "e2e/harness.h"

using namespace bastion::e2e;

namespace {

Json edit_task_scenario() {
  return Json::parse(R"J({
    "models": ["test-model"],
    "turns": [
      {"expect": {"last_user_contains": "greeting", "has_tools": true,
                  "tool_names_include": ["read", "edit", "bash"]},
       "reply": {"reasoning": "Look at the file first.",
                 "tool_calls": [{"name": "read", "arguments": {"path": "hello.py"}}],
                 "args_fragment_bytes": 3, "chunk_bytes": 7,
                 "usage": {"prompt_tokens": 900, "completion_tokens": 20, "cached_tokens": 0, "reasoning_tokens": 6}}},
      {"expect": {"tool_result_contains": "print(\"hello\")"},
       "reply": {"tool_calls": [{"name": "edit", "arguments":
                   {"path": "hello.py", "old_string": "print(\"hello\")", "new_string": "print(\"hello, world\")"}}],
                 "usage": {"prompt_tokens": 1000, "completion_tokens": 30, "cached_tokens": 800}}},
      {"expect": {"tool_result_contains": "hello.py"},
       "reply": {"text": "Changed the greeting to hello, world.",
                 "usage": {"prompt_tokens": 1100, "completion_tokens": 10, "cached_tokens": 900}}}
    ]})J");
}

Env model_env(const TempWorkspace& ws, const FakeServer& srv, Env extra = {}) {
  Env e = {{"BASTION_BASE_URL", srv.base_url()}, {"BASTION_MODEL", "test-model"}, {"BASTION_API_KEY", "k-test"}};
  for (auto& [k, v] : extra) e[k] = v;
  return ws.env(e);
}

}  // namespace

TEST(AgentE2E, EditTaskWithJsonOutput) {
  TempWorkspace ws(true);
  ws.write("hello.py", "def main():\n    print(\"hello\")\n");
  FakeServer srv(edit_task_scenario());
  ASSERT_TRUE(srv.ok()) << srv.error();
  auto r = run_bastion({"-p", "change the greeting", "--output-format", "json", "--permission-mode", "acceptEdits"},
                       model_env(ws, srv), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(ws.read("hello.py"), "def main():\n    print(\"hello, world\")\n");
  Json j = r.json();
  ASSERT_TRUE(j.is_object()) << r.describe();
  EXPECT_EQ(j["result"], "Changed the greeting to hello, world.");
  EXPECT_EQ(j["is_error"], false);
  EXPECT_EQ(j["num_turns"], 3);
  EXPECT_FALSE(j["session_id"].get<std::string>().empty());
  EXPECT_EQ(j["usage"]["input_tokens"], 3000);
  EXPECT_EQ(j["usage"]["output_tokens"], 60);
  EXPECT_EQ(j["usage"]["cached_input_tokens"], 1700);
  EXPECT_EQ(j["usage"]["reasoning_tokens"], 6);
  EXPECT_TRUE(srv.expect_failures().empty()) << srv.expect_failures()[0];
  // The reasoning never leaks into what is sent back as the answer.
  auto reqs = srv.model_requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0]["headers"]["authorization"], "Bearer k-test");
  EXPECT_EQ(reqs[0]["body"]["stream"], true);
}

TEST(AgentE2E, ContinueCarriesTheConversation) {
  TempWorkspace ws(true);
  ws.write("hello.py", "def main():\n    print(\"hello\")\n");
  Json scenario = edit_task_scenario();
  scenario["turns"].push_back(Json::parse(R"J({
      "expect": {"last_user_contains": "what did you change", "body_contains": ["Changed the greeting", "change the greeting"]},
      "reply": {"text": "I edited hello.py."}})J"));
  FakeServer srv(scenario);
  ASSERT_TRUE(srv.ok()) << srv.error();
  auto first = run_bastion({"-p", "change the greeting", "--output-format", "json", "--permission-mode", "acceptEdits"},
                           model_env(ws, srv), ws.dir());
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  auto second = run_bastion({"-c", "-p", "what did you change?", "--output-format", "json"}, model_env(ws, srv), ws.dir());
  ASSERT_EQ(second.exit_code, 0) << second.describe();
  EXPECT_EQ(second.json()["result"], "I edited hello.py.");
  EXPECT_EQ(second.json()["session_id"], first.json()["session_id"]);
  EXPECT_TRUE(srv.expect_failures().empty()) << srv.expect_failures()[0];
  auto list = run_bastion({"sessions", "list"}, model_env(ws, srv), ws.dir());
  EXPECT_NE(list.out.find(first.json()["session_id"].get<std::string>()), std::string::npos) << list.describe();
}

TEST(AgentE2E, StreamJsonEmitsEventsPerLine) {
  TempWorkspace ws(true);
  ws.write("hello.py", "def main():\n    print(\"hello\")\n");
  FakeServer srv(edit_task_scenario());
  auto r = run_bastion({"-p", "change the greeting", "--output-format", "stream-json", "--permission-mode", "acceptEdits"},
                       model_env(ws, srv), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto lines = r.json_lines();
  ASSERT_GE(lines.size(), 6u) << r.describe();
  EXPECT_EQ(lines.front()["type"], "system");
  EXPECT_EQ(lines.front()["subtype"], "init");
  EXPECT_EQ(lines.back()["type"], "result");
  EXPECT_EQ(lines.back()["result"], "Changed the greeting to hello, world.");
  int tool_uses = 0, tool_results = 0;
  for (auto& l : lines) {
    if (l["type"] == "assistant") {
      for (auto& c : l["message"]["content"]) tool_uses += c["type"] == "tool_use";
    }
    if (l["type"] == "user") tool_results += 1;
  }
  EXPECT_EQ(tool_uses, 2);
  EXPECT_EQ(tool_results, 2);
}

TEST(AgentE2E, HeadlessDefaultModeRefusesEditsAndTellsTheModel) {
  TempWorkspace ws(true);
  ws.write("hello.py", "print(\"hello\")\n");
  FakeServer srv(Json::parse(R"J({"turns": [
      {"reply": {"tool_calls": [{"name": "edit", "arguments":
          {"path": "hello.py", "old_string": "hello", "new_string": "bye"}}]}},
      {"expect": {"tool_result_contains": "headless"}, "reply": {"text": "I could not edit."}}]})J"));
  auto r = run_bastion({"-p", "edit it", "--output-format", "json"}, model_env(ws, srv), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(ws.read("hello.py"), "print(\"hello\")\n");
  EXPECT_TRUE(srv.expect_failures().empty()) << srv.expect_failures()[0];
}

TEST(AgentE2E, DisallowedToolsDenyAndAllowedToolsPermit) {
  TempWorkspace ws(true);
  ws.write("a.txt", "one\n");
  FakeServer srv(Json::parse(R"J({"turns": [
      {"reply": {"tool_calls": [{"name": "edit", "arguments": {"path": "a.txt", "old_string": "one", "new_string": "two"}}]}},
      {"expect": {"tool_result_contains": "denied"}, "reply": {"text": "denied."}},
      {"reply": {"tool_calls": [{"name": "edit", "arguments": {"path": "a.txt", "old_string": "one", "new_string": "two"}}]}},
      {"reply": {"text": "done."}}]})J"));
  auto denied = run_bastion({"-p", "edit", "--permission-mode", "acceptEdits", "--disallowed-tools", "Edit(a.txt)"},
                            model_env(ws, srv), ws.dir());
  ASSERT_EQ(denied.exit_code, 0) << denied.describe();
  EXPECT_EQ(ws.read("a.txt"), "one\n");
  auto allowed = run_bastion({"-p", "edit", "--allowed-tools", "Edit(a.txt)"}, model_env(ws, srv), ws.dir());
  ASSERT_EQ(allowed.exit_code, 0) << allowed.describe();
  EXPECT_EQ(ws.read("a.txt"), "two\n");
  EXPECT_TRUE(srv.expect_failures().empty()) << srv.expect_failures()[0];
}

TEST(AgentE2E, MaxTurnsStopsWithNonZeroExit) {
  TempWorkspace ws(true);
  ws.write("a.txt", "x\n");
  FakeServer srv(Json::parse(R"J({"turns": [
      {"reply": {"tool_calls": [{"name": "read", "arguments": {"path": "a.txt"}}]}},
      {"reply": {"tool_calls": [{"name": "read", "arguments": {"path": "a.txt"}}]}}]})J"));
  auto r = run_bastion({"-p", "loop", "--max-turns", "1", "--output-format", "json"}, model_env(ws, srv), ws.dir());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.json()["is_error"], true) << r.describe();
  EXPECT_EQ(srv.model_requests().size(), 1u);
}

TEST(AgentE2E, BadKeyNamesTheCause) {
  TempWorkspace ws;
  FakeServer srv(Json::parse(R"J({"turns": [{"reply": {"status": 401}}]})J"));
  auto r = run_bastion({"-p", "hi"}, model_env(ws, srv), ws.dir());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("401"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("BASTION_API_KEY"), std::string::npos) << r.describe();
}

TEST(AgentE2E, NothingConfiguredSaysWhatToDo) {
  TempWorkspace ws;
  auto r = run_bastion({"-p", "hi"}, ws.env(), ws.dir());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("BASTION_BASE_URL"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("11434"), std::string::npos) << r.describe();
}

TEST(AgentE2E, AgentsMdGoesIntoTheSystemPrompt) {
  TempWorkspace ws(true);
  ws.write("AGENTS.md", "Always run `make check` before answering.\n");
  ws.write_abs(ws.config_dir() + "/AGENTS.md", "User rule: be terse.\n");
  FakeServer srv(Json::parse(R"J({"turns": [
      {"expect": {"system_contains": "make check"}, "reply": {"text": "ok"}}]})J"));
  auto r = run_bastion({"-p", "hi"}, model_env(ws, srv), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "ok\n");
  EXPECT_TRUE(srv.expect_failures().empty()) << srv.expect_failures()[0];
  auto body = srv.model_requests()[0]["body"].dump();
  EXPECT_NE(body.find("be terse"), std::string::npos);
}

TEST(AgentE2E, ConfigFileProviderAndFlagsWin) {
  TempWorkspace ws;
  FakeServer srv(Json::parse(R"J({"turns": [
      {"expect": {"model": "flag-model", "header": {"authorization": "Bearer from-config-env"}}, "reply": {"text": "ok"}}]})J"));
  ws.write_abs(ws.config_dir() + "/config.toml",
               "provider = \"local\"\n[providers.local]\nprotocol = \"openai\"\nbase_url = \"" + srv.base_url() +
                   "\"\napi_key_env = \"MY_KEY\"\nmodel = \"config-model\"\n");
  auto r = run_bastion({"-p", "hi", "--model", "flag-model"}, ws.env({{"MY_KEY", "from-config-env"}}), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(srv.expect_failures().empty()) << srv.expect_failures()[0];
}

TEST(AgentE2E, VersionIsFast) {
  auto r = run_command({bastion_bin(), "--version"}, {}, "/");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("bastion "), std::string::npos);
}

TEST(AgentE2E, TokenBudgetStopsCleanlyWithExit3) {
  TempWorkspace ws(true);
  ws.write("a.txt", "x\n");
  Json turn = Json::parse(R"J({"reply": {"tool_calls": [{"name": "read", "arguments": {"path": "a.txt"}}],
                                "usage": {"prompt_tokens": 4000, "completion_tokens": 100}}})J");
  FakeServer srv(Json{{"turns", Json::array({turn, turn, turn, turn})}});
  auto r = run_bastion({"-p", "go", "--max-budget-tokens", "9000", "--output-format", "json"}, model_env(ws, srv),
                       ws.dir());
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_EQ(r.json()["is_error"], true);
  EXPECT_NE(r.json()["error"].get<std::string>().find("budget"), std::string::npos) << r.describe();
  EXPECT_EQ(srv.model_requests().size(), 3u);  // 4100 + 4100 < 9000 <= 12300
  // The session was saved: it can be continued.
  auto list = run_bastion({"sessions", "list"}, model_env(ws, srv), ws.dir());
  EXPECT_NE(list.out.find(r.json()["session_id"].get<std::string>()), std::string::npos);
}

TEST(AgentE2E, RunawayLoopIsWarnedThenStopped) {
  TempWorkspace ws(true);
  ws.write("a.txt", "x\n");
  Json turn = Json::parse(R"J({"reply": {"tool_calls": [{"name": "read", "arguments": {"path": "a.txt"}}]}})J");
  Json turns = Json::array();
  for (int i = 0; i < 30; ++i) turns.push_back(turn);
  FakeServer srv(Json{{"turns", turns}});
  auto r = run_bastion({"-p", "go", "--output-format", "json"}, model_env(ws, srv), ws.dir());
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.json()["subtype"], "error_runaway") << r.describe();
  size_t n = srv.model_requests().size();
  EXPECT_LE(n, 10u);
  // The model was told plainly before the stop.
  bool warned = false;
  for (auto& req : srv.model_requests()) warned = warned || req["body"].dump().find("[bastion]") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(AgentE2E, LedgerTotalsEqualServerUsage) {
  TempWorkspace ws(true);
  ws.write("hello.py", "def main():\n    print(\"hello\")\n");
  FakeServer srv(edit_task_scenario());
  auto r = run_bastion({"-p", "change the greeting", "--permission-mode", "acceptEdits"}, model_env(ws, srv), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto usage = run_bastion({"usage", "--format", "json"}, model_env(ws, srv), ws.dir());
  ASSERT_EQ(usage.exit_code, 0) << usage.describe();
  Json total = usage.json()["total"];
  EXPECT_EQ(total["input_tokens"], 3000) << usage.describe();
  EXPECT_EQ(total["cached_input_tokens"], 1700);
  EXPECT_EQ(total["output_tokens"], 60);
  EXPECT_EQ(total["reasoning_tokens"], 6);
  EXPECT_EQ(total["requests"], 3);
}

TEST(AgentE2E, TodoAndBashWorkHeadlessUnderTheSandbox) {
  TempWorkspace ws(true);
  FakeServer srv(Json::parse(R"J({"turns": [
      {"reply": {"tool_calls": [
          {"name": "todo", "arguments": {"todos": [{"content": "count files", "status": "in_progress"}]}},
          {"name": "bash", "arguments": {"command": "echo made > out.txt && cat out.txt"}}]}},
      {"expect": {"tool_result_contains": "made"}, "reply": {"text": "ok"}}]})J"));
  auto r = run_bastion({"-p", "go", "--permission-mode", "bypassPermissions"}, model_env(ws, srv), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(ws.read("out.txt"), "made\n");
  EXPECT_TRUE(srv.expect_failures().empty()) << srv.expect_failures()[0];
}
