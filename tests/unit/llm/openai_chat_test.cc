#include "llm/openai_chat.h"

#include <gtest/gtest.h>

#include "llm/model_errors.h"
#include "unit/llm/test_http_server.h"

namespace bastion::llm {
namespace {

using bastion::testing::http_head;
using bastion::testing::Reply;
using bastion::testing::simple_reply;
using bastion::testing::TestHttpServer;

std::string sse(const Json& j) { return "data: " + j.dump() + "\n\n"; }

Json delta_chunk(const Json& delta, const Json& finish = nullptr) {
  return {{"id", "c1"}, {"model", "qwen3-coder"},
          {"choices", {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}}}};
}

ProviderConfig config_for(const TestHttpServer& s) {
  ProviderConfig c;
  c.base_url = s.url() + "/v1/";
  c.api_key = "sk-test";
  c.model = "qwen3-coder";
  c.extra_headers = {{"X-Org", "acme"}};
  return c;
}

ChatRequest simple_request() {
  ChatRequest r;
  r.system = "You are Bastion.";
  Message user;
  user.content = "edit hello.py";
  r.messages.push_back(user);
  r.tools.push_back({"read", "Read a file", Json::parse(R"({"type":"object","properties":{"path":{"type":"string"}}})")});
  return r;
}

TEST(OpenAiChat, StreamsTextReasoningToolCallsAndUsage) {
  TestHttpServer server([](auto&, int) {
    std::string body =
        sse(delta_chunk({{"role", "assistant"}, {"reasoning_content", "think "}})) +
        sse(delta_chunk({{"reasoning_content", "hard"}})) +
        sse(delta_chunk({{"content", "Let me "}})) + sse(delta_chunk({{"content", "look."}})) +
        sse(delta_chunk({{"tool_calls", {{{"index", 0}, {"id", "call_a"}, {"type", "function"},
                                          {"function", {{"name", "read"}, {"arguments", "{\"pa"}}}}}}})) +
        sse(delta_chunk({{"tool_calls", {{{"index", 1}, {"id", "call_b"},
                                          {"function", {{"name", "read"}, {"arguments", ""}}}}}}})) +
        sse(delta_chunk({{"tool_calls", {{{"index", 0}, {"function", {{"arguments", "th\":\"a.py\"}"}}}}}}})) +
        sse(delta_chunk({{"tool_calls", {{{"index", 1}, {"function", {{"arguments", "{\"path\":\"b.py\"}"}}}}}}},
                        "tool_calls")) +
        sse({{"id", "c1"}, {"choices", Json::array()},
             {"usage", {{"prompt_tokens", 1200}, {"completion_tokens", 80},
                        {"prompt_tokens_details", {{"cached_tokens", 1024}}},
                        {"completion_tokens_details", {{"reasoning_tokens", 30}}}}}}) +
        "data: [DONE]\n\n";
    // Deliver in awkward 7-byte pieces.
    Reply r{{http_head(200)}, 1};
    for (size_t i = 0; i < body.size(); i += 7) r.pieces.push_back(body.substr(i, 7));
    return r;
  });
  OpenAiChatClient client(config_for(server));
  std::string text, reasoning;
  std::vector<std::string> started;
  StreamSink sink;
  sink.on_text = [&](const std::string& s) { text += s; };
  sink.on_reasoning = [&](const std::string& s) { reasoning += s; };
  sink.on_tool_call_start = [&](const std::string& id, const std::string& name) {
    started.push_back(id + ":" + name);
  };
  auto r = client.chat(simple_request(), sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->message.content, "Let me look.");
  EXPECT_EQ(text, "Let me look.");
  EXPECT_EQ(r->message.reasoning, "think hard");
  EXPECT_EQ(reasoning, "think hard");
  ASSERT_EQ(r->message.tool_calls.size(), 2u);
  EXPECT_EQ(r->message.tool_calls[0].id, "call_a");
  EXPECT_EQ(r->message.tool_calls[0].arguments, "{\"path\":\"a.py\"}");
  EXPECT_EQ(r->message.tool_calls[1].id, "call_b");
  EXPECT_EQ(r->message.tool_calls[1].arguments, "{\"path\":\"b.py\"}");
  EXPECT_EQ(started, (std::vector<std::string>{"call_a:read", "call_b:read"}));
  EXPECT_EQ(r->finish_reason, "tool_calls");
  EXPECT_EQ(r->usage.input_tokens, 1200);
  EXPECT_EQ(r->usage.cached_input_tokens, 1024);
  EXPECT_EQ(r->usage.output_tokens, 80);
  EXPECT_EQ(r->usage.reasoning_tokens, 30);
  EXPECT_FALSE(r->usage.estimated);

  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/v1/chat/completions");
  EXPECT_EQ(reqs[0].header("authorization"), "Bearer sk-test");
  EXPECT_EQ(reqs[0].header("x-org"), "acme");
  Json sent = Json::parse(reqs[0].body);
  EXPECT_EQ(sent["model"], "qwen3-coder");
  EXPECT_EQ(sent["stream"], true);
  EXPECT_EQ(sent["stream_options"]["include_usage"], true);
  EXPECT_EQ(sent["messages"][0]["role"], "system");
  EXPECT_EQ(sent["messages"][0]["content"], "You are Bastion.");
  EXPECT_EQ(sent["messages"][1]["role"], "user");
  EXPECT_EQ(sent["tools"][0]["type"], "function");
  EXPECT_EQ(sent["tools"][0]["function"]["name"], "read");
  EXPECT_EQ(sent["tools"][0]["function"]["parameters"]["properties"]["path"]["type"], "string");
}

TEST(OpenAiChat, MissingUsageIsEstimatedAndFlagged) {
  TestHttpServer server([](auto&, int) {
    return Reply{{http_head(200), sse(delta_chunk({{"content", "hello there, this is an answer"}}, "stop")),
                  "data: [DONE]\n\n"}};
  });
  OpenAiChatClient client(config_for(server));
  auto r = client.chat(simple_request(), {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->usage.estimated);
  EXPECT_GT(r->usage.input_tokens, 5);
  EXPECT_GT(r->usage.output_tokens, 3);
}

TEST(OpenAiChat, Http401NamesTheKeyVariable) {
  TestHttpServer server([](auto&, int) {
    return simple_reply(401, R"({"error":{"message":"Incorrect API key provided"}})");
  });
  auto r = OpenAiChatClient(config_for(server)).chat(simple_request(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 401);
  EXPECT_NE(r.error().message.find("the endpoint rejected the API key (HTTP 401) — set BASTION_API_KEY"),
            std::string::npos)
      << r.error().message;
}

TEST(OpenAiChat, Http404NamesTheModelAndHowToListModels) {
  TestHttpServer server([](auto&, int) {
    return simple_reply(404, R"({"object":"error","message":"The model `qwen3-coder` does not exist.","type":"NotFoundError","code":404})");
  });
  auto r = OpenAiChatClient(config_for(server)).chat(simple_request(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(r.error().message.find("model 'qwen3-coder' not found"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("bastion models"), std::string::npos);
}

TEST(OpenAiChat, VllmContextTooLongIsFlaggedForCompaction) {
  TestHttpServer server([](auto&, int) {
    return simple_reply(400, R"({"object":"error","message":"This model's maximum context length is 32768 tokens. However, you requested 40000 tokens (39000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400})");
  });
  auto r = OpenAiChatClient(config_for(server)).chat(simple_request(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is_context_overflow(r.error())) << r.error().message;
  EXPECT_EQ(r.error().kind, ErrorKind::kModel);
}

TEST(OpenAiChat, ToolsRejectedByVllmGetsAClearMessage) {
  TestHttpServer server([](auto&, int) {
    return simple_reply(400, R"({"object":"error","message":"\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set","type":"BadRequestError","code":400})");
  });
  auto r = OpenAiChatClient(config_for(server)).chat(simple_request(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is_tools_rejected(r.error())) << r.error().message;
  EXPECT_NE(r.error().message.find("--enable-auto-tool-choice"), std::string::npos);
}

TEST(OpenAiChat, ConnectionRefusedNamesTheAddress) {
  int port;
  { TestHttpServer s([](auto&, int) { return Reply{}; }); port = s.port(); }
  ProviderConfig c;
  c.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  c.model = "m";
  auto r = OpenAiChatClient(c).chat(simple_request(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(r.error().message.find("connection refused at 127.0.0.1:" + std::to_string(port)),
            std::string::npos) << r.error().message;
}

TEST(OpenAiChat, StreamDroppedMidReplyIsATransientNetworkError) {
  TestHttpServer server([](auto&, int) {
    return Reply{{http_head(200), sse(delta_chunk({{"content", "half an ans"}}))}};
  });
  auto r = OpenAiChatClient(config_for(server)).chat(simple_request(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_TRUE(is_transient(r.error()));
}

TEST(OpenAiChat, ErrorInsideStreamIsReported) {
  TestHttpServer server([](auto&, int) {
    return Reply{{http_head(200), "data: {\"error\":{\"message\":\"CUDA out of memory\"}}\n\n"}};
  });
  auto r = OpenAiChatClient(config_for(server)).chat(simple_request(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("CUDA out of memory"), std::string::npos);
}

TEST(OpenAiChat, NonStreamingJsonReplyIsAccepted) {
  TestHttpServer server([](auto&, int) {
    return simple_reply(200, R"({"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"hi"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}})");
  });
  auto r = OpenAiChatClient(config_for(server)).chat(simple_request(), {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->message.content, "hi");
  EXPECT_EQ(r->usage.input_tokens, 3);
}

TEST(OpenAiChat, KeepGoingFalseAbortsTheStream) {
  TestHttpServer server([](auto&, int) {
    return Reply{{http_head(200), sse(delta_chunk({{"content", "a"}})), sse(delta_chunk({{"content", "b"}})),
                  sse(delta_chunk({{"content", "c"}}, "stop")), "data: [DONE]\n\n"}, 30};
  });
  StreamSink sink;
  bool esc = false;
  sink.on_text = [&](const std::string&) { esc = true; };  // Esc right after the first text
  sink.keep_going = [&] { return !esc; };
  auto r = OpenAiChatClient(config_for(server)).chat(simple_request(), sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->finish_reason, "aborted");
  EXPECT_EQ(r->message.content, "a");
}

TEST(OpenAiChat, InterruptBeforeAnyReplyIsAnAbortNotAnError) {
  TestHttpServer server([](auto&, int) {
    return Reply{{"", http_head(200) + sse(delta_chunk({{"content", "late"}}, "stop")) + "data: [DONE]\n\n"}, 1500};
  });
  StreamSink sink;
  sink.keep_going = [] { return false; };
  auto r = OpenAiChatClient(config_for(server)).chat(simple_request(), sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->finish_reason, "aborted");
  EXPECT_EQ(r->message.content, "");
}

TEST(OpenAiChat, ListModelsReadsDataIds) {
  TestHttpServer server([](auto& req, int) {
    EXPECT_EQ(req.path, "/v1/models");
    return simple_reply(200, R"({"object":"list","data":[{"id":"qwen3-coder"},{"id":"deepseek-v3"}]})");
  });
  auto r = OpenAiChatClient(config_for(server)).list_models();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (std::vector<std::string>{"qwen3-coder", "deepseek-v3"}));
}

}  // namespace
}  // namespace bastion::llm
