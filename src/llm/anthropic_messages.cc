#include "llm/anthropic_messages.h"

#include <chrono>

#include "llm/anthropic_request.h"
#include "llm/anthropic_stream.h"
#include "llm/model_errors.h"
#include "llm/openai_chat.h"
#include "llm/model_http.h"
#include "llm/text_tool_calls.h"
#include "llm/usage_estimate.h"
#include "util/strings.h"

namespace bastion::llm {
namespace {

std::string normalise_base(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (str::ends_with(s, "/v1")) s.resize(s.size() - 3);  // we add /v1 ourselves
  return s;
}

}  // namespace

AnthropicMessagesClient::AnthropicMessagesClient(ProviderConfig config)
    : config_(std::move(config)), base_(normalise_base(config_.base_url)) {}

std::string AnthropicMessagesClient::endpoint() const { return "anthropic at " + base_; }

http::Headers AnthropicMessagesClient::headers() const {
  http::Headers h = {{"Content-Type", "application/json"}, {"anthropic-version", "2023-06-01"}};
  if (!config_.api_key.empty()) {
    h.emplace_back("x-api-key", config_.api_key);
    h.emplace_back("Authorization", "Bearer " + config_.api_key);  // many compatible gateways
  }
  for (auto& [k, v] : config_.extra_headers) h.emplace_back(k, v);
  return h;
}

Result<ChatResponse> AnthropicMessagesClient::chat(const ChatRequest& in, const StreamSink& sink) {
  auto started = std::chrono::steady_clock::now();
  ChatRequest request = in;
  if (request.model.empty()) request.model = config_.model;
  ErrorContext ctx{endpoint(), request.model, config_.api_key_env};

  http::Request req;
  req.method = "POST";
  req.url = base_ + "/v1/messages";
  req.headers = headers();
  req.headers.emplace_back("Accept", "text/event-stream");
  req.body = dump_json(build_anthropic_request(request, true));
  req.low_speed_bytes = 1;
  req.low_speed_seconds = 600;

  AnthropicStreamAccumulator acc(&sink);
  std::string err, err_type;
  auto on_event = [&](const SseEvent& ev) {
    Json data = Json::parse(ev.data, nullptr, false);
    if (data.is_discarded()) data = Json::object();
    if (!acc.apply(ev.event, data, &err, &err_type) && err.empty()) err = "unknown error";
    return err.empty();
  };
  auto reply = perform_sse_request(http_, std::move(req), ctx, sink.keep_going, on_event);
  if (!reply.ok()) return reply.error();
  if (!err.empty()) return stream_error(ctx, err, err_type);
  bool user_abort = reply->user_abort;
  if (!reply->saw_sse && !user_abort) {
    Json whole = Json::parse(reply->raw, nullptr, false);
    if (whole.is_discarded() || !whole.is_object()) {
      return Error(ErrorKind::kModel, endpoint() + " answered with neither SSE nor JSON: " +
                                          str::truncate_utf8(reply->raw, 300));
    }
    acc.apply_whole_message(whole);
  }
  if (!user_abort && !acc.stopped()) {
    Error e(ErrorKind::kNetwork, endpoint() + (acc.started()
                                                   ? ": the stream dropped mid-reply (no message_stop)"
                                                   : ": the stream ended before any reply arrived"));
    e.http_status = 200;
    return e;
  }
  ChatResponse out = acc.finish();
  if (user_abort) {
    out.finish_reason = "aborted";
  } else if (apply_text_tool_calls(&out.message, request.tools)) {
    out.finish_reason = "tool_calls";
    for (const ToolCall& c : out.message.tool_calls) {
      if (sink.on_tool_call_start) sink.on_tool_call_start(c.id, c.name);
    }
  }
  if (out.model.empty()) out.model = request.model;
  if (!acc.has_usage()) out.usage = estimate_usage(request, out.message);
  out.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started).count();
  return out;
}

Result<std::vector<std::string>> AnthropicMessagesClient::list_models() {
  http::Request req;
  req.url = base_ + "/v1/models";
  req.headers = headers();
  req.connect_timeout_ms = 3000;
  req.timeout_ms = 10000;
  auto res = perform_model_request(http_, req, ErrorContext{endpoint(), config_.model, config_.api_key_env});
  if (!res.ok()) return res.error();
  Json body = Json::parse(res->body, nullptr, false);
  if (body.is_discarded()) {
    return Error(ErrorKind::kModel, endpoint() + "/v1/models did not return JSON");
  }
  return parse_model_list(body);
}

}  // namespace bastion::llm
