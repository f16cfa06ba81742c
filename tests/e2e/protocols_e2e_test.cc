// End-to-end: the same edit task through every way a company's model server
// can talk (issue 3's "done when"): the OpenAI protocol, the Anthropic
// protocol, tool calls written as text by a server without a tool parser
// (Qwen3-Coder XML, Hermes JSON), and a server that first answers 429 with
// Retry-After: 1.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "e2e/harness.h"

using namespace bastion::e2e;

namespace {

struct Dialect {
  std::string name;
  bool anthropic = false;
  std::string text_format;  // "" = native tool calls
  bool rate_limited_first = false;
};

// gtest prints the parameter in test listings: the name, not 80 raw bytes.
void PrintTo(const Dialect& d, std::ostream* os) { *os << d.name; }

Json call(const std::string& name, const Json& args) { return {{"name", name}, {"arguments", args}}; }

// A turn whose reply is one tool call, native or written into the text.
Json tool_turn(const Dialect& d, const Json& expect, const Json& c) {
  Json reply;
  if (d.text_format.empty()) {
    reply["tool_calls"] = Json::array({c});
    reply["args_fragment_bytes"] = 5;
  } else {
    reply["text"] = "I will use a tool.";
    reply["text_tool_calls"] = {{"format", d.text_format}, {"calls", Json::array({c})}};
    reply["text_fragment_bytes"] = 7;  // the markup arrives split across deltas
  }
  return {{"expect", expect}, {"reply", reply}};
}

Json scenario_for(const Dialect& d) {
  Json turns = Json::array();
  if (d.rate_limited_first) turns.push_back({{"reply", {{"status", 429}, {"retry_after", 1}}}});
  Json first_expect = {{"last_user_contains", "greeting"}, {"has_tools", true}};
  if (d.anthropic) first_expect["path"] = "/v1/messages";
  turns.push_back(tool_turn(d, first_expect, call("read", {{"path", "hello.py"}})));
  turns.push_back(tool_turn(d, {{"tool_result_contains", "print(\"hello\")"}},
                            call("edit", {{"path", "hello.py"},
                                          {"old_string", "print(\"hello\")"},
                                          {"new_string", "print(\"hello, world\")"}})));
  turns.push_back({{"expect", {{"tool_result_contains", "hello.py"}}}, {"reply", {{"text", "Greeting changed."}}}});
  return {{"models", {"test-model"}}, {"turns", turns}};
}

class SameEditTask : public ::testing::TestWithParam<Dialect> {};

TEST_P(SameEditTask, Succeeds) {
  const Dialect& d = GetParam();
  TempWorkspace ws(true);
  ws.write("hello.py", "def main():\n    print(\"hello\")\n");
  FakeServer srv(scenario_for(d));
  ASSERT_TRUE(srv.ok()) << srv.error();
  Env env = {{"BASTION_MODEL", "test-model"}, {"BASTION_API_KEY", "k-test"}};
  if (d.anthropic) {
    env["BASTION_PROVIDER"] = "anthropic";
    env["BASTION_BASE_URL"] = srv.anthropic_base_url();
  } else {
    env["BASTION_BASE_URL"] = srv.base_url();
  }
  auto r = run_bastion({"-p", "change the greeting", "--output-format", "json", "--permission-mode", "acceptEdits"},
                       ws.env(env), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(ws.read("hello.py"), "def main():\n    print(\"hello, world\")\n");
  Json j = r.json();
  ASSERT_TRUE(j.is_object()) << r.describe();
  EXPECT_EQ(j["result"], "Greeting changed.");
  EXPECT_EQ(j["is_error"], false);
  EXPECT_TRUE(srv.expect_failures().empty()) << srv.expect_failures()[0];
  auto reqs = srv.model_requests();
  ASSERT_EQ(reqs.size(), d.rate_limited_first ? 4u : 3u);
  if (d.anthropic) {
    EXPECT_EQ(reqs[0]["headers"]["x-api-key"], "k-test");
    EXPECT_TRUE(reqs[0]["headers"].contains("anthropic-version"));
  }
  if (d.rate_limited_first) {
    // Retry-After: 1 was honoured: the retry came at least a second later.
    int64_t gap_ms = (reqs[1]["wall_us"].get<int64_t>() - reqs[0]["wall_us"].get<int64_t>()) / 1000;
    EXPECT_GE(gap_ms, 950) << "retried after " << gap_ms << " ms";
  }
  if (!d.text_format.empty()) {
    // The markup was run as calls, not shown as the answer.
    EXPECT_EQ(j["result"].get<std::string>().find("<tool_call>"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Protocols, SameEditTask,
                         ::testing::Values(Dialect{"openai", false, "", false}, Dialect{"anthropic", true, "", false},
                                           Dialect{"qwen3_xml_text", false, "qwen3_xml", false},
                                           Dialect{"hermes_text", false, "hermes", false},
                                           Dialect{"after_429_retry_after_1", false, "", true}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
