#include "llm/openai_chat.h"

#include <chrono>

#include "llm/model_errors.h"
#include "llm/openai_request.h"
#include "llm/openai_stream.h"
#include "llm/model_http.h"
#include "llm/text_tool_calls.h"
#include "llm/usage_estimate.h"
#include "util/strings.h"

namespace bastion::llm {
namespace {

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::vector<std::string> parse_model_list(const Json& body) {
  std::vector<std::string> out;
  auto collect = [&](const char* list_key, const char* id_key) {
    if (!body.is_object()) return;
    auto it = body.find(list_key);
    if (it == body.end() || !it->is_array()) return;
    for (auto& m : *it) {
      std::string id = json_string(m, id_key);
      if (id.empty()) id = json_string(m, "name");
      if (!id.empty()) out.push_back(id);
    }
  };
  collect("data", "id");
  if (out.empty()) collect("models", "name");  // Ollama's native /api/tags shape
  return out;
}

OpenAiChatClient::OpenAiChatClient(ProviderConfig config)
    : config_(std::move(config)), base_(trim_slash(config_.base_url)) {}

std::string OpenAiChatClient::endpoint() const { return "openai at " + base_; }

http::Headers OpenAiChatClient::headers(bool streaming) const {
  http::Headers h = {{"Content-Type", "application/json"}};
  h.emplace_back("Accept", streaming ? "text/event-stream" : "application/json");
  if (!config_.api_key.empty()) h.emplace_back("Authorization", "Bearer " + config_.api_key);
  for (auto& [k, v] : config_.extra_headers) h.emplace_back(k, v);
  return h;
}

Result<ChatResponse> OpenAiChatClient::chat(const ChatRequest& in, const StreamSink& sink) {
  auto started = std::chrono::steady_clock::now();
  ChatRequest request = in;
  if (request.model.empty()) request.model = config_.model;
  ErrorContext ctx{endpoint(), request.model, config_.api_key_env};

  http::Request req;
  req.method = "POST";
  req.url = base_ + "/chat/completions";
  req.headers = headers(true);
  req.body = dump_json(build_openai_request(request, true));
  req.connect_timeout_ms = 10000;
  req.low_speed_bytes = 1;
  req.low_speed_seconds = 600;  // long prefills on local GPUs stream nothing for minutes

  // <think> blocks inside `content` (servers without a reasoning parser) go
  // to on_reasoning while streaming; the final message is cleaned below.
  ThinkStreamSplitter splitter(sink.on_text, sink.on_reasoning);
  StreamSink routed = sink;
  if (sink.on_text) routed.on_text = [&](const std::string& t) { splitter.feed(t); };
  OpenAiStreamAccumulator acc(&routed);
  bool done = false;
  std::string stream_err;
  auto on_event = [&](const SseEvent& ev) {
    std::string_view data = str::trim(ev.data);
    if (done || data.empty()) return true;  // anything after [DONE] is ignored
    if (data == "[DONE]") {
      done = true;
      return true;
    }
    Json chunk = Json::parse(data, nullptr, false);
    if (chunk.is_discarded()) return true;  // tolerate a garbled keep-alive
    if (ev.event == "error" && !chunk.contains("error")) chunk = Json{{"error", chunk}};
    if (!acc.apply(chunk, &stream_err) && stream_err.empty()) stream_err = "unknown error";
    return stream_err.empty();
  };
  auto reply = perform_sse_request(http_, std::move(req), ctx, sink.keep_going, on_event);
  if (!reply.ok()) return reply.error();
  if (!stream_err.empty()) return stream_error(ctx, stream_err);
  bool user_abort = reply->user_abort;
  if (!reply->saw_sse && !user_abort) {
    // The server ignored stream:true and answered with one JSON object.
    Json whole = Json::parse(reply->raw, nullptr, false);
    if (whole.is_discarded()) {
      return Error(ErrorKind::kModel, endpoint() + " answered with neither SSE nor JSON: " +
                                          str::truncate_utf8(reply->raw, 300));
    }
    if (!acc.apply(whole, &stream_err)) return stream_error(ctx, stream_err);
    done = true;
  }

  splitter.finish();
  ChatResponse out = acc.finish();
  if (user_abort) {
    out.finish_reason = "aborted";
  } else if (!done && !acc.saw_any_choice()) {
    Error e(ErrorKind::kNetwork, endpoint() + ": the stream ended before any reply arrived");
    e.http_status = 200;
    return e;
  } else if (!done && !acc.saw_finish_reason()) {
    Error e(ErrorKind::kNetwork, endpoint() + ": the stream dropped mid-reply (no finish_reason, no [DONE])");
    e.http_status = 200;
    return e;
  }
  if (user_abort) {
    std::string answer;
    split_think(out.message.content, &answer, &out.message.reasoning);
    out.message.content = answer;
  } else if (apply_text_tool_calls(&out.message, request.tools)) {
    out.finish_reason = "tool_calls";
    for (const ToolCall& c : out.message.tool_calls) {
      if (sink.on_tool_call_start) sink.on_tool_call_start(c.id, c.name);
    }
  }
  if (out.model.empty()) out.model = request.model;
  if (!acc.has_usage()) out.usage = estimate_usage(request, out.message);
  out.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count();
  return out;
}

Result<std::vector<std::string>> OpenAiChatClient::list_models() {
  http::Request req;
  req.url = base_ + "/models";
  req.headers = headers(false);
  req.connect_timeout_ms = 3000;
  req.timeout_ms = 10000;
  auto res = perform_model_request(http_, req, ErrorContext{endpoint(), config_.model, config_.api_key_env});
  if (!res.ok()) return res.error();
  Json body = Json::parse(res->body, nullptr, false);
  if (body.is_discarded()) {
    return Error(ErrorKind::kModel, endpoint() + "/models did not return JSON: " +
                                        str::truncate_utf8(res->body, 200));
  }
  return parse_model_list(body);
}

}  // namespace bastion::llm
