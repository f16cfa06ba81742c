#include "llm/anthropic_messages.h"

#include <gtest/gtest.h>

#include "llm/anthropic_request.h"
#include "llm/model_errors.h"
#include "unit/llm/test_http_server.h"

namespace bastion::llm {
namespace {

using bastion::testing::http_head;
using bastion::testing::Reply;
using bastion::testing::simple_reply;
using bastion::testing::TestHttpServer;

std::string ev(const std::string& name, const Json& data) {
  return "event: " + name + "\ndata: " + data.dump() + "\n\n";
}

ChatRequest request_with_history() {
  ChatRequest r;
  r.model = "claude-compatible";
  r.system = "You are Bastion.";
  Message u;
  u.content = "fix it";
  Message a;
  a.role = Role::kAssistant;
  a.tool_calls = {{"toolu_1", "read", "{\"path\":\"a.py\"}"}, {"toolu_2", "read", "{\"path\":\"b.py\"}"}};
  Message t1, t2;
  t1.role = t2.role = Role::kTool;
  t1.tool_call_id = "toolu_1";
  t1.content = "print(1)";
  t2.tool_call_id = "toolu_2";
  t2.content = "boom";
  t2.is_error = true;
  r.messages = {u, a, t1, t2};
  r.tools = {{"read", "Read a file", Json::parse(R"({"type":"object","properties":{"path":{"type":"string"}}})")},
             {"edit", "Edit a file", Json::parse(R"({"type":"object"})")}};
  return r;
}

TEST(AnthropicRequest, ShapesMessagesToolsAndCacheBreakpoints) {
  Json b = build_anthropic_request(request_with_history(), true);
  EXPECT_EQ(b["max_tokens"], 8192);
  EXPECT_EQ(b["stream"], true);
  EXPECT_EQ(b["system"][0]["text"], "You are Bastion.");
  EXPECT_EQ(b["system"][0]["cache_control"]["type"], "ephemeral");
  EXPECT_EQ(b["tools"][0]["input_schema"]["type"], "object");
  EXPECT_FALSE(b["tools"][0].contains("cache_control"));
  EXPECT_EQ(b["tools"][1]["cache_control"]["type"], "ephemeral");
  ASSERT_EQ(b["messages"].size(), 3u);  // user, assistant, user(tool results merged)
  EXPECT_EQ(b["messages"][1]["content"][0]["type"], "tool_use");
  EXPECT_EQ(b["messages"][1]["content"][0]["input"]["path"], "a.py");
  const Json& results = b["messages"][2]["content"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["type"], "tool_result");
  EXPECT_EQ(results[1]["tool_use_id"], "toolu_2");
  EXPECT_EQ(results[1]["is_error"], true);
  EXPECT_EQ(results[1]["cache_control"]["type"], "ephemeral");  // newest block
  EXPECT_FALSE(results[0].contains("cache_control"));
}

TEST(AnthropicMessages, StreamsThinkingTextToolUseAndCacheUsage) {
  TestHttpServer server([](auto&, int) {
    std::string body =
        ev("message_start", {{"type", "message_start"}, {"message", {{"model", "claude-x"},
            {"usage", {{"input_tokens", 20}, {"cache_read_input_tokens", 1800}, {"cache_creation_input_tokens", 0}, {"output_tokens", 1}}}}}}) +
        ev("ping", {{"type", "ping"}}) +
        ev("content_block_start", {{"type", "content_block_start"}, {"index", 0}, {"content_block", {{"type", "thinking"}, {"thinking", ""}}}}) +
        ev("content_block_delta", {{"type", "content_block_delta"}, {"index", 0}, {"delta", {{"type", "thinking_delta"}, {"thinking", "plan"}}}}) +
        ev("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}) +
        ev("content_block_start", {{"type", "content_block_start"}, {"index", 1}, {"content_block", {{"type", "text"}, {"text", ""}}}}) +
        ev("content_block_delta", {{"type", "content_block_delta"}, {"index", 1}, {"delta", {{"type", "text_delta"}, {"text", "Editing."}}}}) +
        ev("content_block_start", {{"type", "content_block_start"}, {"index", 2}, {"content_block", {{"type", "tool_use"}, {"id", "toolu_9"}, {"name", "edit"}, {"input", Json::object()}}}}) +
        ev("content_block_delta", {{"type", "content_block_delta"}, {"index", 2}, {"delta", {{"type", "input_json_delta"}, {"partial_json", "{\"path\": \"a"}}}}) +
        ev("content_block_delta", {{"type", "content_block_delta"}, {"index", 2}, {"delta", {{"type", "input_json_delta"}, {"partial_json", ".py\"}"}}}}) +
        ev("content_block_stop", {{"type", "content_block_stop"}, {"index", 2}}) +
        ev("message_delta", {{"type", "message_delta"}, {"delta", {{"stop_reason", "tool_use"}}}, {"usage", {{"output_tokens", 42}}}}) +
        ev("message_stop", {{"type", "message_stop"}});
    Reply r{{http_head(200)}};
    for (size_t i = 0; i < body.size(); i += 5) r.pieces.push_back(body.substr(i, 5));
    return r;
  });
  ProviderConfig cfg;
  cfg.protocol = "anthropic";
  cfg.base_url = server.url() + "/v1/";  // a trailing /v1 is tolerated
  cfg.api_key = "sk-ant";
  cfg.model = "claude-compatible";
  AnthropicMessagesClient client(cfg);
  std::string reasoning, text;
  StreamSink sink;
  sink.on_reasoning = [&](const std::string& s) { reasoning += s; };
  sink.on_text = [&](const std::string& s) { text += s; };
  auto r = client.chat(request_with_history(), sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(reasoning, "plan");
  EXPECT_EQ(text, "Editing.");
  EXPECT_EQ(r->message.content, "Editing.");
  EXPECT_EQ(r->message.reasoning, "plan");
  ASSERT_EQ(r->message.tool_calls.size(), 1u);
  EXPECT_EQ(r->message.tool_calls[0].id, "toolu_9");
  EXPECT_EQ(r->message.tool_calls[0].arguments, "{\"path\": \"a.py\"}");
  EXPECT_EQ(r->finish_reason, "tool_calls");
  EXPECT_EQ(r->usage.input_tokens, 1820);
  EXPECT_EQ(r->usage.cached_input_tokens, 1800);
  EXPECT_EQ(r->usage.output_tokens, 42);
  EXPECT_EQ(r->model, "claude-x");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/v1/messages");
  EXPECT_EQ(reqs[0].header("x-api-key"), "sk-ant");
  EXPECT_EQ(reqs[0].header("anthropic-version"), "2023-06-01");
}

TEST(AnthropicMessages, ErrorEventBecomesAnOverloadedTransientError) {
  TestHttpServer server([](auto&, int) {
    return Reply{{http_head(200), ev("message_start", {{"type", "message_start"}, {"message", Json::object()}}),
                  ev("error", {{"type", "error"}, {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}}})}};
  });
  ProviderConfig cfg;
  cfg.base_url = server.url();
  auto r = AnthropicMessagesClient(cfg).chat(request_with_history(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is_transient(r.error())) << r.error().message;
  EXPECT_NE(r.error().message.find("Overloaded"), std::string::npos);
}

TEST(AnthropicMessages, PromptTooLongIsFlaggedForCompaction) {
  TestHttpServer server([](auto&, int) {
    return simple_reply(400, R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208000 tokens > 200000 maximum"}})");
  });
  ProviderConfig cfg;
  cfg.base_url = server.url();
  auto r = AnthropicMessagesClient(cfg).chat(request_with_history(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is_context_overflow(r.error())) << r.error().message;
}

TEST(AnthropicMessages, TextToolCallsInATextBlockAreRecovered) {
  TestHttpServer server([](auto&, int) {
    std::string xml = "<tool_call>\n<function=read>\n<parameter=path>\nz.py\n</parameter>\n</function>\n</tool_call>";
    return Reply{{http_head(200),
                  ev("message_start", {{"type", "message_start"}, {"message", {{"usage", {{"input_tokens", 5}}}}}}) +
                  ev("content_block_start", {{"type", "content_block_start"}, {"index", 0}, {"content_block", {{"type", "text"}, {"text", ""}}}}) +
                  ev("content_block_delta", {{"type", "content_block_delta"}, {"index", 0}, {"delta", {{"type", "text_delta"}, {"text", xml}}}}) +
                  ev("message_delta", {{"type", "message_delta"}, {"delta", {{"stop_reason", "end_turn"}}}, {"usage", {{"output_tokens", 9}}}}) +
                  "event: message_stop\ndata: {\"type\":\"message_stop\"}"}};  // no final blank line
  });
  ProviderConfig cfg;
  cfg.base_url = server.url();
  auto r = AnthropicMessagesClient(cfg).chat(request_with_history(), {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->message.tool_calls.size(), 1u);
  EXPECT_EQ(Json::parse(r->message.tool_calls[0].arguments)["path"], "z.py");
  EXPECT_EQ(r->finish_reason, "tool_calls");
}

TEST(AnthropicMessages, DroppedStreamIsTransient) {
  TestHttpServer server([](auto&, int) {
    return Reply{{http_head(200), ev("message_start", {{"type", "message_start"}, {"message", Json::object()}})}};
  });
  ProviderConfig cfg;
  cfg.base_url = server.url();
  auto r = AnthropicMessagesClient(cfg).chat(request_with_history(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_TRUE(is_transient(r.error()));
}

TEST(AnthropicMessages, InterruptWhileTheServerIsSilentIsAnAbortNotAnError) {
  TestHttpServer server([](auto&, int) {
    return Reply{{"", http_head(200) + ev("message_start", {{"type", "message_start"}, {"message", Json::object()}})},
                 1500};
  });
  ProviderConfig cfg;
  cfg.base_url = server.url();
  StreamSink sink;
  sink.keep_going = [] { return false; };
  auto r = AnthropicMessagesClient(cfg).chat(request_with_history(), sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->finish_reason, "aborted");
}

}  // namespace
}  // namespace bastion::llm
