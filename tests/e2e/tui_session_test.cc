// The interactive UI's session handling, driven in tmux against the fake
// model server: Esc mid-stream and at a permission prompt stops the turn
// promptly and leaves a stored history the model accepts (every tool call
// answered), /resume switches to another session of this workspace and
// appends further turns there, /clear starts a new session.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "e2e/harness.h"
#include "e2e/tui_tmux.h"

namespace bastion::e2e {
namespace {

Env tui_env(const TempWorkspace& ws, const FakeServer& srv) {
  return ws.env({{"BASTION_BASE_URL", srv.base_url()}, {"BASTION_MODEL", "test-model"}, {"BASTION_API_KEY", "k"}});
}

// Tool call ids in an OpenAI request that no later tool message answers.
std::vector<std::string> unanswered_tool_calls(const Json& body) {
  std::set<std::string> open;
  for (auto& m : body.value("messages", Json::array())) {
    if (m.value("role", "") == "assistant" && m.contains("tool_calls") && m["tool_calls"].is_array())
      for (auto& c : m["tool_calls"]) open.insert(c.value("id", ""));
    if (m.value("role", "") == "tool") open.erase(m.value("tool_call_id", ""));
  }
  return {open.begin(), open.end()};
}

// The text of every message with `role` in an OpenAI request, joined.
std::string texts_of(const Json& body, const std::string& role) {
  std::string out;
  for (auto& m : body.value("messages", Json::array()))
    if (m.value("role", "") == role && m.contains("content") && m["content"].is_string())
      out += m["content"].get<std::string>() + "\n";
  return out;
}

std::vector<Json> stored_sessions(const TempWorkspace& ws, const FakeServer& srv) {
  RunResult r = run_bastion({"sessions", "list", "--json"}, tui_env(ws, srv), ws.dir());
  Json j = r.json();
  if (!j.is_array()) return {};
  return {j.begin(), j.end()};
}

// A server that goes quiet mid-reply (a stuck GPU, a proxy holding the
// connection) must not trap the user: Esc stops the turn without waiting for
// another byte.
TEST(TuiSessionE2E, EscStopsAStreamThatWentSilent) {
  TempWorkspace ws(true);
  Json scenario = {{"turns", Json::array({
      {{"reply", {{"text", "Let me think about this very carefully first."}, {"text_fragment_bytes", 8},
                  {"stall_after_bytes", 700}, {"stall_ms", 8000}}}},
      {{"reply", {{"text", "Back again."}}}}})}};
  FakeServer srv(scenario);
  ASSERT_TRUE(srv.ok()) << srv.error();
  TmuxSession t(ws.root(), {bastion_bin()}, tui_env(ws, srv), ws.dir());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("ponder");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Let me")) << t.capture();
  ASSERT_TRUE(t.wait_for("esc to interrupt", 2000)) << t.capture();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server is silent now
  auto t0 = std::chrono::steady_clock::now();
  t.key("Escape");
  ASSERT_TRUE(t.wait_for("interrupted", 5000)) << t.capture();
  auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(stop_ms, 3000) << "Esc took " << stop_ms << " ms on a silent stream";
  ASSERT_TRUE(t.wait_gone("esc to interrupt", 3000)) << t.capture(false);
  EXPECT_EQ(t.capture().find("carefully first."), std::string::npos) << t.capture();
  t.type("again");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Back again.")) << t.capture();
}

// /exit typed while the model is still answering exits (after interrupting
// the turn) instead of being refused as "still working".
TEST(TuiSessionE2E, ExitMidTurnInterruptsAndLeaves) {
  TempWorkspace ws(true);
  std::string story;
  for (int i = 0; i < 300; ++i) story += "word" + std::to_string(i) + " ";
  Json scenario = {{"turns", Json::array({{{"reply", {{"text", story}, {"text_fragment_bytes", 8},
                                                      {"delay_ms", 120}}}}})}};
  FakeServer srv(scenario);
  ASSERT_TRUE(srv.ok()) << srv.error();
  TmuxSession t(ws.root(), {bastion_bin()}, tui_env(ws, srv), ws.dir());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("tell a long story");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("word5 ")) << t.capture();
  t.type("/exit");
  t.key("Enter");
  ASSERT_TRUE(t.wait_exit(8000)) << t.capture();
  EXPECT_EQ(t.exit_status(), 0) << t.capture();
  EXPECT_EQ(t.capture().find("word299"), std::string::npos);
  auto sessions = stored_sessions(ws, srv);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_GE(sessions[0].value("messages", int64_t{0}), 1) << sessions[0].dump();
}

TEST(TuiSessionE2E, EscMidStreamStopsTheTurnAndKeepsTheSessionConsistent) {
  TempWorkspace ws(true);
  std::string story;
  for (int i = 0; i < 300; ++i) story += "word" + std::to_string(i) + " ";
  Json scenario = {{"turns", Json::array({
      // A slow answer (about 40 s) that would end in a tool call.
      {{"expect", {{"last_user_contains", "tell a long story"}}},
       {"reply", {{"text", story}, {"text_fragment_bytes", 8}, {"delay_ms", 120},
                  {"tool_calls", Json::array({{{"name", "bash"},
                                               {"arguments", {{"command", "echo ran > ran.txt"}}}}})}}}},
      // Two commands: Esc at the first permission prompt.
      {{"expect", {{"last_user_contains", "second question"}}},
       {"reply", {{"tool_calls", Json::array({{{"name", "bash"}, {"arguments", {{"command", "echo one > one.txt"}}}},
                                              {{"name", "bash"}, {"arguments", {{"command", "echo two > two.txt"}}}}})}}}},
      {{"expect", {{"last_user_contains", "third question"}}}, {"reply", {{"text", "Third answer."}}}},
      {{"expect", {{"last_user_contains", "fourth question"}}}, {"reply", {{"text", "Fourth answer."}}}}})}};
  FakeServer srv(scenario);
  ASSERT_TRUE(srv.ok()) << srv.error();
  TmuxSession t(ws.root(), {bastion_bin()}, tui_env(ws, srv), ws.dir());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("tell a long story");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("word5 ")) << t.capture();
  ASSERT_TRUE(t.wait_for("esc to interrupt", 2000)) << t.capture();
  auto t0 = std::chrono::steady_clock::now();
  t.key("Escape");
  ASSERT_TRUE(t.wait_for("interrupted", 5000)) << t.capture();
  auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(stop_ms, 1500) << "Esc took " << stop_ms << " ms to stop the stream";
  ASSERT_TRUE(t.wait_gone("esc to interrupt", 3000)) << t.capture(false);
  // The stream really stopped: no words after the interrupt, no tool ran.
  std::string after = t.capture();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(t.capture(), after);
  EXPECT_EQ(after.find("word299"), std::string::npos) << after;
  EXPECT_FALSE(ws.exists("ran.txt"));

  // The input box is back and takes the next prompt.
  t.type("second question");
  ASSERT_TRUE(t.wait_for("> second question")) << t.capture(false);
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("$ echo one > one.txt")) << t.capture();
  t.key("Escape");
  ASSERT_TRUE(t.wait_for("no (interrupted)", 5000)) << t.capture();
  ASSERT_TRUE(t.wait_gone("esc to interrupt", 5000)) << t.capture(false);
  EXPECT_FALSE(ws.exists("one.txt"));
  EXPECT_FALSE(ws.exists("two.txt"));

  t.type("third question");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Third answer.")) << t.capture();
  t.type("/exit");
  t.key("Enter");
  ASSERT_TRUE(t.wait_exit()) << t.capture();
  EXPECT_EQ(t.exit_status(), 0) << t.capture();

  // The stored session resumes headless and the model gets a well-formed
  // history: the interrupted text is kept, every tool call has a result.
  RunResult r = run_bastion({"-c", "-p", "fourth question"}, tui_env(ws, srv), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("Fourth answer."), std::string::npos) << r.describe();
  auto reqs = srv.model_requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_TRUE(srv.expect_failures().empty());
  for (size_t i = 1; i < reqs.size(); ++i) {
    EXPECT_TRUE(unanswered_tool_calls(reqs[i]["body"]).empty()) << "request " << i << ": " << reqs[i]["body"].dump();
  }
  const Json& last = reqs[3]["body"];
  EXPECT_NE(texts_of(last, "assistant").find("word5 "), std::string::npos);
  EXPECT_EQ(texts_of(last, "assistant").find("word299"), std::string::npos);
  for (const char* p : {"tell a long story", "second question", "third question", "fourth question"})
    EXPECT_NE(texts_of(last, "user").find(p), std::string::npos) << p;
}

TEST(TuiSessionE2E, ResumeSwitchesToAnotherSessionOfThisWorkspace) {
  TempWorkspace ws(true);
  FakeServer srv(Json::parse(R"J({"turns": [
    {"expect": {"last_user_contains": "alpha topic"}, "reply": {"text": "Alpha answer, line one.\nAlpha line two."}},
    {"expect": {"last_user_contains": "beta topic"}, "reply": {"text": "Beta answer."}},
    {"expect": {"last_user_contains": "gamma follow-up", "body_contains": "alpha topic",
                "body_not_contains": "beta topic"},
     "reply": {"text": "Gamma answer."}}
  ]})J"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  RunResult first = run_bastion({"-p", "alpha topic"}, tui_env(ws, srv), ws.dir());
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  auto before = stored_sessions(ws, srv);
  ASSERT_EQ(before.size(), 1u);
  std::string alpha_id = before[0].value("session_id", "");

  TmuxSession t(ws.root(), {bastion_bin()}, tui_env(ws, srv), ws.dir());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("beta topic");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Beta answer.")) << t.capture();
  ASSERT_TRUE(t.wait_gone("esc to interrupt")) << t.capture(false);
  t.type("/resume");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("1. " + alpha_id.substr(0, 8))) << t.capture();
  EXPECT_NE(t.capture().find("alpha topic"), std::string::npos) << t.capture();
  t.type("/resume 1");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("resumed " + alpha_id)) << t.capture();
  std::string shown = t.capture();
  size_t at = shown.find("> /resume 1");
  ASSERT_NE(at, std::string::npos) << shown;
  std::string history = shown.substr(at);
  EXPECT_NE(history.find("> alpha topic"), std::string::npos) << history;
  EXPECT_NE(history.find("Alpha answer, line one."), std::string::npos) << history;
  t.type("gamma follow-up");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Gamma answer.")) << t.capture();
  EXPECT_TRUE(srv.expect_failures().empty()) << t.capture();
  t.type("/exit");
  t.key("Enter");
  ASSERT_TRUE(t.wait_exit()) << t.capture();
  EXPECT_EQ(t.exit_status(), 0);

  // The follow-up was stored in the alpha session, not the beta one.
  std::map<std::string, int64_t> counts;
  for (auto& s : stored_sessions(ws, srv)) counts[s.value("session_id", "")] = s.value("messages", int64_t{0});
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[alpha_id], 4);
  for (auto& [id, n] : counts)
    if (id != alpha_id) EXPECT_EQ(n, 2) << id;
}

TEST(TuiSessionE2E, ClearStartsANewStoredSession) {
  TempWorkspace ws(true);
  FakeServer srv(Json::parse(R"J({"turns": [
    {"expect": {"last_user_contains": "old words"}, "reply": {"text": "Old answer."}},
    {"expect": {"last_user_contains": "fresh start", "body_not_contains": "old words"},
     "reply": {"text": "Fresh answer."}}
  ]})J"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  TmuxSession t(ws.root(), {bastion_bin()}, tui_env(ws, srv), ws.dir());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_TRUE(t.wait_for("/help for commands")) << t.capture();
  t.type("old words");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Old answer.")) << t.capture();
  ASSERT_TRUE(t.wait_gone("esc to interrupt")) << t.capture(false);
  t.type("/clear");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("new session")) << t.capture();
  t.type("fresh start");
  t.key("Enter");
  ASSERT_TRUE(t.wait_for("Fresh answer.")) << t.capture();
  EXPECT_TRUE(srv.expect_failures().empty());
  t.type("/exit");
  t.key("Enter");
  ASSERT_TRUE(t.wait_exit()) << t.capture();
  auto sessions = stored_sessions(ws, srv);
  ASSERT_EQ(sessions.size(), 2u);
  for (auto& s : sessions) EXPECT_EQ(s.value("messages", int64_t{0}), 2) << s.dump();
  // Each session's audit trail holds its own prompt, and both chains verify.
  int saw_old = 0, saw_fresh = 0;
  for (auto& s : sessions) {
    auto show = run_bastion({"audit", "show", s.value("session_id", "")}, tui_env(ws, srv), ws.dir());
    bool old_words = show.out.find("old words") != std::string::npos;
    bool fresh = show.out.find("fresh start") != std::string::npos;
    EXPECT_NE(old_words, fresh) << show.describe();
    saw_old += old_words;
    saw_fresh += fresh;
  }
  EXPECT_EQ(saw_old, 1);
  EXPECT_EQ(saw_fresh, 1);
  auto verify = run_bastion({"audit", "verify"}, tui_env(ws, srv), ws.dir());
  EXPECT_EQ(verify.exit_code, 0) << verify.describe();
}

}  // namespace
}  // namespace bastion::e2e
