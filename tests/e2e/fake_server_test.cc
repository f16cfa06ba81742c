// Tests of the scripted fake model server and the e2e harness: they drive the
// server with libcurl and check the exact bytes on the wire, so the agent's
// e2e tests can trust what the fake sends.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "e2e/harness.h"

using bastion::e2e::FakeServer;
using bastion::e2e::Json;

namespace {

struct HttpReply {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::vector<std::string> pieces;  // one per write callback
  std::map<std::string, std::string> headers;  // lower-cased names
  int64_t elapsed_ms = 0;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<HttpReply*>(user);
  r->body.append(data, size * n);
  r->pieces.emplace_back(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<HttpReply*>(user);
  std::string line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n") + 1);
    r->headers[name] = value;
  }
  return size * n;
}

HttpReply http(const std::string& url, const std::string& post_body = "",
               const std::vector<std::string>& headers = {}, long timeout_ms = 10000) {
  HttpReply r;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (!post_body.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body.c_str());
  auto start = std::chrono::steady_clock::now();
  r.code = curl_easy_perform(curl);
  r.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start).count();
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

// Splits an SSE body into frames ("event: x\ndata: y" without the blank line).
std::vector<std::string> sse_frames(const std::string& body) {
  std::vector<std::string> frames;
  size_t pos = 0, end;
  while ((end = body.find("\n\n", pos)) != std::string::npos) {
    frames.push_back(body.substr(pos, end - pos));
    pos = end + 2;
  }
  EXPECT_EQ(pos, body.size()) << "body does not end at a frame boundary";
  return frames;
}

Json data_of(const std::string& frame) {
  size_t at = frame.find("data: ");
  if (at == std::string::npos) return Json();
  return Json::parse(frame.substr(at + 6), nullptr, false);
}

std::string event_of(const std::string& frame) {
  if (frame.rfind("event: ", 0) != 0) return "";
  return frame.substr(7, frame.find('\n') - 7);
}

std::string chat_request(bool stream, const std::string& user = "hello",
                         const std::string& model = "qwen3-coder") {
  Json req = {{"model", model},
              {"messages", {{{"role", "system"}, {"content", "You are Bastion."}},
                            {{"role", "user"}, {"content", user}}}},
              {"tools", {{{"type", "function"},
                          {"function", {{"name", "read"}, {"parameters", {{"type", "object"}}}}}}}}};
  if (stream) {
    req["stream"] = true;
    req["stream_options"] = {{"include_usage", true}};
  }
  return req.dump();
}

}  // namespace

TEST(FakeServerTest, OpenAiStreamFragmentsToolArgumentsAndEndsWithUsage) {
  Json args = {{"path", "src/main.cc"}, {"old", "say \"hi\" 世界"}};
  FakeServer srv(Json{{"turns", {{{"expect", {{"model", "qwen3-coder"}, {"stream", true}}},
                                  {"reply", {{"reasoning", "Let me read it."},
                                             {"text", "Reading."},
                                             {"tool_calls", {{{"name", "read"}, {"arguments", args}}}},
                                             {"args_fragment_bytes", 5},
                                             {"chunk_bytes", 7}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  HttpReply r = http(srv.base_url() + "/chat/completions", chat_request(true),
                     {"Authorization: Bearer sk-test"});
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/event-stream; charset=utf-8");
  EXPECT_EQ(r.headers["transfer-encoding"], "chunked");
  // chunk_bytes: every write the client sees is at most 7 bytes.
  ASSERT_GT(r.pieces.size(), r.body.size() / 7 - 1);
  for (const std::string& p : r.pieces) EXPECT_LE(p.size(), 7u);

  std::vector<std::string> frames = sse_frames(r.body);
  ASSERT_GE(frames.size(), 6u);
  EXPECT_EQ(frames.back(), "data: [DONE]");
  Json first = data_of(frames[0]);
  EXPECT_EQ(first["object"], "chat.completion.chunk");
  EXPECT_EQ(first["model"], "qwen3-coder");
  EXPECT_EQ(first["choices"][0]["delta"]["role"], "assistant");
  EXPECT_TRUE(first["choices"][0]["finish_reason"].is_null());

  std::string reasoning, content, arguments, call_id, name;
  size_t fragments = 0;
  Json finish, usage;
  for (size_t i = 0; i + 1 < frames.size(); ++i) {
    Json c = data_of(frames[i]);
    ASSERT_FALSE(c.is_discarded()) << frames[i];
    EXPECT_EQ(c["id"], first["id"]);
    if (c["choices"].empty()) {
      usage = c["usage"];
      continue;
    }
    const Json& d = c["choices"][0]["delta"];
    if (!c["choices"][0]["finish_reason"].is_null()) finish = c["choices"][0]["finish_reason"];
    reasoning += d.value("reasoning_content", "");
    if (d.contains("content") && d["content"].is_string()) content += d["content"].get<std::string>();
    if (!d.contains("tool_calls")) continue;
    const Json& tc = d["tool_calls"][0];
    EXPECT_EQ(tc["index"], 0);
    if (tc.contains("id")) {
      call_id = tc["id"];
      name = tc["function"]["name"];
      EXPECT_EQ(tc["type"], "function");
    } else {
      EXPECT_FALSE(tc["function"].contains("name"));
      std::string frag = tc["function"]["arguments"];
      EXPECT_LE(frag.size(), 7u);  // 5 bytes, or up to the end of a UTF-8 sequence
      ++fragments;
    }
    arguments += tc["function"].value("arguments", "");
  }
  EXPECT_EQ(reasoning, "Let me read it.");
  EXPECT_EQ(content, "Reading.");
  EXPECT_EQ(name, "read");
  EXPECT_EQ(call_id.rfind("call_", 0), 0u);
  EXPECT_EQ(Json::parse(arguments), args);
  EXPECT_GE(fragments, args.dump().size() / 5);
  EXPECT_EQ(finish, "tool_calls");
  ASSERT_TRUE(usage.is_object());
  EXPECT_GT(usage["prompt_tokens"].get<int>(), 0);
  EXPECT_EQ(usage["total_tokens"].get<int>(),
            usage["prompt_tokens"].get<int>() + usage["completion_tokens"].get<int>());
  EXPECT_EQ(usage["prompt_tokens_details"]["cached_tokens"], 0);
  EXPECT_GT(usage["completion_tokens_details"]["reasoning_tokens"].get<int>(), 0);

  std::vector<Json> reqs = srv.model_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0]["turn"], 0);
  EXPECT_EQ(reqs[0]["headers"]["authorization"], "Bearer sk-test");
  EXPECT_EQ(reqs[0]["body"]["messages"][1]["content"], "hello");
  EXPECT_TRUE(srv.expect_failures().empty());
}

TEST(FakeServerTest, AnthropicStreamSendsTheRealEventSequence) {
  FakeServer srv(Json{{"turns", {{{"expect", {{"path", "/v1/messages"},
                                              {"header", {{"x-api-key", "sk-ant"}}}}},
                                  {"reply", {{"reasoning", "Think."},
                                             {"text", "Editing now."},
                                             {"tool_calls", {{{"name", "edit"},
                                                              {"arguments", {{"path", "a.py"}}}}}},
                                             {"args_fragment_bytes", 4},
                                             {"usage", {{"input_tokens", 100},
                                                        {"cache_read_input_tokens", 900},
                                                        {"output_tokens", 42}}}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  Json req = {{"model", "claude-x"}, {"max_tokens", 1024}, {"stream", true},
              {"system", {{{"type", "text"}, {"text", "You are Bastion."}}}},
              {"messages", {{{"role", "user"}, {"content", "edit a.py"}}}}};
  HttpReply r = http(srv.anthropic_base_url() + "/v1/messages", req.dump(),
                     {"x-api-key: sk-ant", "anthropic-version: 2023-06-01"});
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 200);
  std::vector<std::string> frames = sse_frames(r.body);
  std::vector<std::string> events;
  for (const std::string& f : frames) {
    events.push_back(event_of(f));
    Json d = data_of(f);
    ASSERT_FALSE(d.is_discarded()) << f;
    EXPECT_EQ(d["type"], events.back()) << f;
  }
  // Exact sequence: thinking (1 thinking_delta + signature), text (1 delta),
  // tool_use (empty partial_json + 4 fragments of {"path":"a.py"}).
  std::vector<std::string> want = {"message_start",       "ping",
          "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
          "content_block_start", "content_block_delta", "content_block_stop",
          "content_block_start", "content_block_delta", "content_block_delta",
          "content_block_delta", "content_block_delta", "content_block_delta",
          "content_block_stop",  "message_delta",       "message_stop"};
  EXPECT_EQ(events, want);
  Json start = data_of(frames[0])["message"];
  EXPECT_EQ(start["model"], "claude-x");
  EXPECT_EQ(start["usage"]["input_tokens"], 100);
  EXPECT_EQ(start["usage"]["cache_read_input_tokens"], 900);
  EXPECT_EQ(start["usage"]["cache_creation_input_tokens"], 0);
  EXPECT_EQ(data_of(frames[2])["content_block"]["type"], "thinking");
  EXPECT_EQ(data_of(frames[3])["delta"]["type"], "thinking_delta");
  EXPECT_EQ(data_of(frames[4])["delta"]["type"], "signature_delta");
  EXPECT_EQ(data_of(frames[7])["delta"], (Json{{"type", "text_delta"}, {"text", "Editing now."}}));
  Json tool = data_of(frames[9]);
  EXPECT_EQ(tool["index"], 2);
  EXPECT_EQ(tool["content_block"]["type"], "tool_use");
  EXPECT_EQ(tool["content_block"]["name"], "edit");
  EXPECT_EQ(tool["content_block"]["id"].get<std::string>().rfind("toolu_", 0), 0u);
  std::string partial;
  for (size_t i = 10; i <= 14; ++i) partial += data_of(frames[i])["delta"]["partial_json"];
  EXPECT_EQ(data_of(frames[10])["delta"]["partial_json"], "");
  EXPECT_EQ(partial, R"({"path":"a.py"})");
  Json delta = data_of(frames[16]);
  EXPECT_EQ(delta["delta"]["stop_reason"], "tool_use");
  EXPECT_EQ(delta["usage"]["output_tokens"], 42);
  EXPECT_TRUE(srv.expect_failures().empty());
}

TEST(FakeServerTest, RateLimitCarriesRetryAfterAndTheNextTurnSucceeds) {
  FakeServer srv(Json{{"turns", {{{"reply", {{"status", 429}, {"retry_after", 1}}}},
                                 {{"reply", {{"text", "ok"}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  HttpReply first = http(srv.base_url() + "/chat/completions", chat_request(true));
  EXPECT_EQ(first.status, 429);
  EXPECT_EQ(first.headers["retry-after"], "1");
  EXPECT_EQ(first.headers["content-type"], "application/json");
  Json err = Json::parse(first.body);
  EXPECT_EQ(err["error"]["code"], "rate_limit_exceeded");
  EXPECT_EQ(err["error"]["type"], "requests");
  EXPECT_TRUE(err["error"]["message"].is_string());

  HttpReply second = http(srv.base_url() + "/chat/completions", chat_request(false));
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(Json::parse(second.body)["choices"][0]["message"]["content"], "ok");
  ASSERT_EQ(srv.model_requests().size(), 2u);
  EXPECT_EQ(srv.model_requests()[1]["turn"], 1);
}

TEST(FakeServerTest, DropMidStreamCutsTheConnectionAfterExactBytes) {
  FakeServer srv(Json{{"turns", {{{"reply", {{"text", std::string(400, 'x')},
                                             {"drop_after_bytes", 150}}}},
                                 {{"reply", {{"text", "y"}, {"drop_after_bytes", 10},
                                             {"drop_reset", true}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  HttpReply r = http(srv.base_url() + "/chat/completions", chat_request(true));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.code, CURLE_PARTIAL_FILE) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.body.size(), 150u);
  EXPECT_EQ(r.body.rfind("data: {", 0), 0u);
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);

  HttpReply reset = http(srv.base_url() + "/chat/completions", chat_request(true));
  EXPECT_NE(reset.code, CURLE_OK);
  EXPECT_LE(reset.body.size(), 10u);
}

TEST(FakeServerTest, FailedExpectationAnswers418AndIsLogged) {
  FakeServer srv(Json{{"turns", {{{"expect", {{"last_user_contains", "fix the bug"}}},
                                  {"reply", {{"text", "never sent"}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  HttpReply r = http(srv.base_url() + "/chat/completions", chat_request(false, "say hi"));
  EXPECT_EQ(r.status, 418);
  Json err = Json::parse(r.body);
  EXPECT_EQ(err["error"]["type"], "expect_failed");
  EXPECT_NE(err["error"]["message"].get<std::string>().find("fix the bug"), std::string::npos);
  std::vector<std::string> failures = srv.expect_failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("last_user_contains"), std::string::npos);
  EXPECT_NE(failures[0].find("say hi"), std::string::npos);
}

TEST(FakeServerTest, NonStreamingResponseIsAChatCompletionObject) {
  FakeServer srv(Json{{"turns", {{{"reply", {{"tool_calls", {{{"name", "bash"},
                                                              {"arguments", "{\"command\":\"ls\"}"}}}},
                                             {"usage", {{"prompt_tokens", 1200},
                                                        {"completion_tokens", 30},
                                                        {"cached_tokens", 1024}}}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  HttpReply r = http(srv.base_url() + "/chat/completions", chat_request(false, "hi", "glm-4.6"));
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-length"], std::to_string(r.body.size()));
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["model"], "glm-4.6");
  const Json& msg = j["choices"][0]["message"];
  EXPECT_EQ(msg["role"], "assistant");
  EXPECT_TRUE(msg["content"].is_null());
  EXPECT_EQ(msg["tool_calls"][0]["type"], "function");
  EXPECT_EQ(msg["tool_calls"][0]["function"]["name"], "bash");
  EXPECT_EQ(msg["tool_calls"][0]["function"]["arguments"], "{\"command\":\"ls\"}");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "tool_calls");
  EXPECT_EQ(j["usage"]["prompt_tokens"], 1200);
  EXPECT_EQ(j["usage"]["completion_tokens"], 30);
  EXPECT_EQ(j["usage"]["total_tokens"], 1230);
  EXPECT_EQ(j["usage"]["prompt_tokens_details"]["cached_tokens"], 1024);
}

TEST(FakeServerTest, ModelsListEmbeddingsAndUnknownPathsDoNotConsumeTurns) {
  FakeServer srv(Json{{"models", {"qwen3-coder-30b", "deepseek-v3"}},
                      {"turns", {{{"reply", {{"text", "only turn"}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  HttpReply models = http(srv.base_url() + "/models");
  EXPECT_EQ(models.status, 200);
  Json m = Json::parse(models.body);
  EXPECT_EQ(m["object"], "list");
  ASSERT_EQ(m["data"].size(), 2u);
  EXPECT_EQ(m["data"][0]["id"], "qwen3-coder-30b");
  EXPECT_EQ(m["data"][0]["object"], "model");

  HttpReply anth = http(srv.base_url() + "/models", "", {"anthropic-version: 2023-06-01"});
  Json a = Json::parse(anth.body);
  EXPECT_EQ(a["data"][1]["type"], "model");
  EXPECT_EQ(a["has_more"], false);

  std::string emb_req = R"({"model":"e","input":["alpha","beta","alpha"],"dimensions":8})";
  Json e = Json::parse(http(srv.base_url() + "/embeddings", emb_req).body);
  ASSERT_EQ(e["data"].size(), 3u);
  EXPECT_EQ(e["data"][0]["embedding"].size(), 8u);
  EXPECT_EQ(e["data"][0]["embedding"], e["data"][2]["embedding"]);
  EXPECT_NE(e["data"][0]["embedding"], e["data"][1]["embedding"]);

  HttpReply missing = http(srv.anthropic_base_url() + "/chat/completions", chat_request(false));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json::parse(missing.body)["error"]["code"], "unknown_url");

  HttpReply chat = http(srv.base_url() + "/chat/completions", chat_request(false));
  EXPECT_EQ(Json::parse(chat.body)["choices"][0]["message"]["content"], "only turn");
  HttpReply exhausted = http(srv.base_url() + "/chat/completions", chat_request(false));
  EXPECT_EQ(exhausted.status, 500);
  EXPECT_NE(exhausted.body.find("scenario exhausted"), std::string::npos);
  EXPECT_EQ(srv.requests().size(), 6u);
  EXPECT_EQ(srv.model_requests().size(), 2u);
}

TEST(FakeServerTest, TextToolCallsRenderLikeQwen3CoderAndHermesTemplates) {
  FakeServer srv(Json::parse(R"({"turns": [
    {"reply": {"text": "I will edit.", "text_tool_calls": {"format": "qwen3_xml",
               "calls": [{"name": "edit", "arguments": {"path": "a.py", "count": 2}}]}}},
    {"reply": {"text_tool_calls": {"format": "hermes",
               "calls": [{"name": "edit", "arguments": {"path": "a.py", "count": 2}}]}}}]})"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  Json a = Json::parse(http(srv.base_url() + "/chat/completions", chat_request(false)).body);
  EXPECT_EQ(a["choices"][0]["message"]["content"],
            "I will edit.\n\n<tool_call>\n<function=edit>\n<parameter=count>\n2\n</parameter>\n"
            "<parameter=path>\na.py\n</parameter>\n</function>\n</tool_call>");
  EXPECT_FALSE(a["choices"][0]["message"].contains("tool_calls"));
  EXPECT_EQ(a["choices"][0]["finish_reason"], "stop");
  Json b = Json::parse(http(srv.base_url() + "/chat/completions", chat_request(false)).body);
  EXPECT_EQ(b["choices"][0]["message"]["content"],
            "<tool_call>\n{\"name\": \"edit\", \"arguments\": {\"count\":2,\"path\":\"a.py\"}}\n"
            "</tool_call>");
}

TEST(FakeServerTest, ContextLengthErrorsUseEachServersBodyShape) {
  FakeServer srv(Json{{"turns", {{{"reply", {{"error_kind", "context_length"}}}},
                                 {{"reply", {{"error_kind", "context_length"},
                                             {"error_flavor", "vllm"}}}},
                                 {{"reply", {{"status", 401}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  HttpReply openai = http(srv.base_url() + "/chat/completions", chat_request(false));
  EXPECT_EQ(openai.status, 400);
  Json o = Json::parse(openai.body);
  EXPECT_EQ(o["error"]["code"], "context_length_exceeded");
  EXPECT_EQ(o["error"]["param"], "messages");
  EXPECT_NE(o["error"]["message"].get<std::string>().find("maximum context length"),
            std::string::npos);
  HttpReply vllm = http(srv.base_url() + "/chat/completions", chat_request(false));
  EXPECT_EQ(vllm.status, 400);
  Json v = Json::parse(vllm.body);
  EXPECT_EQ(v["object"], "error");
  EXPECT_EQ(v["type"], "BadRequestError");
  EXPECT_EQ(v["code"], 400);
  EXPECT_NE(v["message"].get<std::string>().find("maximum context length is 32768"),
            std::string::npos);
  HttpReply key = http(srv.base_url() + "/chat/completions", chat_request(false));
  EXPECT_EQ(key.status, 401);
  EXPECT_EQ(Json::parse(key.body)["error"]["code"], "invalid_api_key");
}

TEST(FakeServerTest, AnthropicErrorsAndNonStreamingMessage) {
  FakeServer srv(Json{{"turns", {{{"reply", {{"status", 529}}}},
                                 {{"reply", {{"reasoning", "hmm"}, {"text", "Done."},
                                             {"tool_calls", {{{"name", "read"},
                                                              {"arguments", {{"path", "x"}}}}}}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  std::string req = R"({"model":"claude-x","max_tokens":100,"messages":[{"role":"user","content":"hi"}]})";
  HttpReply over = http(srv.anthropic_base_url() + "/v1/messages", req);
  EXPECT_EQ(over.status, 529);
  EXPECT_EQ(Json::parse(over.body),
            (Json{{"type", "error"}, {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}}}));
  Json m = Json::parse(http(srv.anthropic_base_url() + "/v1/messages", req).body);
  EXPECT_EQ(m["type"], "message");
  EXPECT_EQ(m["model"], "claude-x");
  ASSERT_EQ(m["content"].size(), 3u);
  EXPECT_EQ(m["content"][0]["type"], "thinking");
  EXPECT_EQ(m["content"][1], (Json{{"type", "text"}, {"text", "Done."}}));
  EXPECT_EQ(m["content"][2]["input"], (Json{{"path", "x"}}));
  EXPECT_EQ(m["stop_reason"], "tool_use");
}

TEST(FakeServerTest, MidStreamErrorEvents) {
  Json err = {{"type", "overloaded_error"}, {"message", "Overloaded"}};
  FakeServer srv(Json{{"turns", {{{"reply", {{"text", "partial"}, {"stream_error", err}}}},
                                 {{"reply", {{"text", "partial"}, {"stream_error", err}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  std::vector<std::string> frames =
      sse_frames(http(srv.base_url() + "/chat/completions", chat_request(true)).body);
  ASSERT_GE(frames.size(), 3u);
  EXPECT_EQ(data_of(frames[frames.size() - 2])["error"]["message"], "Overloaded");
  EXPECT_EQ(frames.back(), "data: [DONE]");
  std::string req = R"({"model":"c","stream":true,"max_tokens":9,"messages":[{"role":"user","content":"hi"}]})";
  frames = sse_frames(http(srv.anthropic_base_url() + "/v1/messages", req).body);
  EXPECT_EQ(event_of(frames.back()), "error");
  EXPECT_EQ(data_of(frames.back())["error"], err);
}

TEST(FakeServerTest, DelaysAndHangsSlowTheStreamDown) {
  FakeServer srv(Json{{"turns", {{{"reply", {{"text", "abcdefgh"}, {"text_fragment_bytes", 2},
                                             {"delay_ms", 40}}}},
                                 {{"reply", {{"text", "x"}, {"hang_ms", 300}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  // 1 role chunk + 4 content chunks + finish + usage + [DONE] = 8 writes.
  HttpReply slow = http(srv.base_url() + "/chat/completions", chat_request(true));
  EXPECT_EQ(slow.code, CURLE_OK);
  EXPECT_GE(slow.elapsed_ms, 7 * 40 - 10);
  HttpReply hung = http(srv.base_url() + "/chat/completions", chat_request(false), {}, 150);
  EXPECT_EQ(hung.code, CURLE_OPERATION_TIMEDOUT);
}

TEST(FakeServerTest, ReasoningInTextUsesThinkTags) {
  FakeServer srv(Json{{"turns", {{{"reply", {{"reasoning", "plan"}, {"text", "answer"},
                                             {"reasoning_in_text", true}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  Json j = Json::parse(http(srv.base_url() + "/chat/completions", chat_request(false)).body);
  EXPECT_EQ(j["choices"][0]["message"]["content"], "<think>\nplan\n</think>\n\nanswer");
  EXPECT_FALSE(j["choices"][0]["message"].contains("reasoning_content"));
}

TEST(FakeServerTest, RequestViewAssertionsSeeToolResultsAndSystem) {
  Json expect = {{"tool_result_contains", "line 1"}, {"system_contains", "Bastion"},
                 {"has_tools", true}, {"tool_names_include", {"read"}},
                 {"message_count", 4}, {"last_message_role", "tool"},
                 {"max_request_tokens_approx", 500}, {"include_usage", true},
                 {"header_contains", {{"Content-Type", "json"}}}};
  FakeServer srv(Json{{"turns", {{{"expect", expect}, {"reply", {{"text", "ok"}}}},
                                 {{"expect", {{"tool_result_contains", "line 1"}}}}}}});
  ASSERT_TRUE(srv.ok()) << srv.error();
  Json req = Json::parse(chat_request(true));
  req["messages"].push_back({{"role", "assistant"}, {"content", nullptr},
                             {"tool_calls", {{{"id", "c1"}, {"type", "function"},
                                              {"function", {{"name", "read"}, {"arguments", "{}"}}}}}}});
  req["messages"].push_back({{"role", "tool"}, {"tool_call_id", "c1"}, {"content", "1: line 1"}});
  EXPECT_EQ(http(srv.base_url() + "/chat/completions", req.dump()).status, 200);
  EXPECT_TRUE(srv.expect_failures().empty()) << srv.expect_failures()[0];
  // A later assistant message hides the old result from tool_result_contains.
  req["messages"].push_back({{"role", "assistant"}, {"content", "done"}});
  EXPECT_EQ(http(srv.base_url() + "/chat/completions", req.dump()).status, 418);
}

TEST(FakeServerTest, MalformedScenarioFailsAtStartWithTheFieldName) {
  FakeServer srv(Json{{"turns", {{{"reply", {{"txet", "typo"}}}}}}});
  EXPECT_FALSE(srv.ok());
  EXPECT_NE(srv.error().find("txet"), std::string::npos) << srv.error();
}

TEST(FakeServerTest, SeveralToolCallsStreamWithTheirOwnIndexes) {
  FakeServer srv(Json::parse(R"({"turns": [{"reply": {"tool_calls": [
      {"name": "read", "arguments": {"path": "a"}},
      {"name": "grep", "arguments": "{\"pattern\": \"x\"}", "id": "call_fixed"}]}}]})"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  std::string body = chat_request(true);
  Json req = Json::parse(body);
  req.erase("stream_options");
  std::vector<std::string> frames =
      sse_frames(http(srv.base_url() + "/chat/completions", req.dump()).body);
  std::map<int, std::string> args, ids;
  for (size_t i = 0; i + 1 < frames.size(); ++i) {
    Json c = data_of(frames[i]);
    EXPECT_FALSE(c.contains("usage")) << "usage fields only come with include_usage";
    ASSERT_EQ(c["choices"].size(), 1u) << "no usage chunk without include_usage";
    const Json& d = c["choices"][0]["delta"];
    if (!d.contains("tool_calls")) continue;
    int index = d["tool_calls"][0]["index"];
    if (d["tool_calls"][0].contains("id")) ids[index] = d["tool_calls"][0]["id"];
    args[index] += d["tool_calls"][0]["function"]["arguments"].get<std::string>();
  }
  EXPECT_EQ(args[0], R"({"path":"a"})");
  EXPECT_EQ(args[1], R"({"pattern": "x"})");
  EXPECT_EQ(ids[1], "call_fixed");
  EXPECT_NE(ids[0], ids[1]);
}

TEST(FakeServerTest, ConnectionIsKeptAliveAcrossStreamedReplies) {
  FakeServer srv(Json::parse(R"({"turns": [{"reply": {"text": "one"}},
                                           {"reply": {"text": "two"}}]})"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  CURL* curl = curl_easy_init();
  std::string url = srv.base_url() + "/chat/completions", body = chat_request(true), out;
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                   +[](char* d, size_t s, size_t n, void* u) {
                     static_cast<std::string*>(u)->append(d, s * n);
                     return s * n;
                   });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
  long new_connections = -1;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &new_connections);
  EXPECT_EQ(new_connections, 0) << "the second request should reuse the connection";
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  EXPECT_NE(out.find("\"one\""), std::string::npos);
  EXPECT_NE(out.find("\"two\""), std::string::npos);
}

TEST(FakeServerTest, LargeRequestBodiesArriveWhole) {
  FakeServer srv(Json::parse(R"({"turns": [{"expect": {"last_user_contains": "END"},
                                            "reply": {"text": "ok"}}]})"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  std::string big(2 * 1024 * 1024, 'a');
  HttpReply r = http(srv.base_url() + "/chat/completions", chat_request(false, big + "END"));
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<Json> reqs = srv.model_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0]["body"]["messages"][1]["content"].get<std::string>().size(), big.size() + 3);
}

TEST(FakeServerTest, SseQuirksCrlfCommentsAndNullDeltas) {
  FakeServer srv(Json::parse(R"({"turns": [{"reply": {"reasoning": "r", "text": "t",
      "crlf": true, "keepalive_comments": true, "delta_nulls": true}}]})"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  std::string body = http(srv.base_url() + "/chat/completions", chat_request(true)).body;
  EXPECT_EQ(body.rfind("data: {", 0), 0u);
  EXPECT_NE(body.find("}\r\n\r\n: keep-alive\r\n\r\ndata: "), std::string::npos);
  EXPECT_EQ(body.substr(body.size() - 16), "data: [DONE]\r\n\r\n");
  EXPECT_EQ(body.find("}\n\n"), std::string::npos);
  EXPECT_NE(body.find(R"("delta":{"content":null,"reasoning_content":"r"})"), std::string::npos);
  EXPECT_NE(body.find(R"("delta":{"content":"t","reasoning_content":null})"), std::string::npos);
}

TEST(FakeServerTest, ChunkBytesAlsoSplitsJsonBodies) {
  // A content-length body has no chunk framing, so the client may coalesce
  // writes that arrive together; the pause between writes makes at least
  // two separate reads all but certain, but not one read per write.
  FakeServer srv(Json::parse(R"({"turns": [{"reply": {"text": "hello", "chunk_bytes": 10,
                                  "delay_ms": 50, "drop_after_bytes": 45}}]})"));
  ASSERT_TRUE(srv.ok()) << srv.error();
  HttpReply r = http(srv.base_url() + "/chat/completions", chat_request(false));
  EXPECT_EQ(r.code, CURLE_PARTIAL_FILE);
  EXPECT_EQ(r.body.size(), 45u);
  EXPECT_GE(r.pieces.size(), 2u);
}
