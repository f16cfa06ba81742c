#include "anthropic_wire.h"

#include <algorithm>

namespace bastion::fake_server {
namespace {

std::string event(const std::string& name, const WireJson& data) {
  return "event: " + name + "\ndata: " +
         data.dump(-1, ' ', false, WireJson::error_handler_t::replace) + "\n\n";
}

std::string stop_reason(const std::string& finish) {
  if (finish == "tool_calls") return "tool_use";
  if (finish == "length") return "max_tokens";
  if (finish == "stop") return "end_turn";
  return finish;  // already Anthropic's word (e.g. "stop_sequence")
}

// Anthropic's input_tokens excludes cache reads and writes.
int64_t uncached_input(const PlannedUsage& u) {
  return std::max<int64_t>(0, u.prompt_tokens - u.cached_tokens - u.cache_creation_tokens);
}

WireJson input_object(const std::string& arguments) {
  WireJson parsed = WireJson::parse(arguments, nullptr, false);
  return parsed.is_object() ? parsed : WireJson::object();
}

}  // namespace

WireJson anthropic_error(const std::string& type, const std::string& message) {
  return {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
}

WireJson anthropic_error_body(const Reply& r, const std::string& model) {
  if (!r.error_body.is_null()) return WireJson::parse(r.error_body.dump());
  std::string type, message;
  switch (r.status) {
    case 400: type = "invalid_request_error"; message = "Invalid request."; break;
    case 401: type = "authentication_error"; message = "invalid x-api-key"; break;
    case 403: type = "permission_error"; message = "Your API key does not have permission to use the specified resource."; break;
    case 404: type = "not_found_error"; message = "model: " + model; break;
    case 413: type = "request_too_large"; message = "Request exceeds the maximum allowed number of bytes."; break;
    case 429: type = "rate_limit_error"; message = "Number of request tokens has exceeded your per-minute rate limit."; break;
    case 529: type = "overloaded_error"; message = "Overloaded"; break;
    default:
      type = r.status >= 500 ? "api_error" : "invalid_request_error";
      message = r.status >= 500 ? "Internal server error" : "Invalid request.";
  }
  if (r.error_kind == "context_length") {
    type = "invalid_request_error";
    message = "prompt is too long: 210034 tokens > 200000 maximum";
  }
  if (!r.error_message.empty()) message = r.error_message;
  if (!r.error_type.empty()) type = r.error_type;
  return anthropic_error(type, message);
}

std::vector<std::string> anthropic_stream_frames(const ReplyPlan& p) {
  std::vector<std::string> frames;
  WireJson start_usage = {{"input_tokens", uncached_input(p.usage)},
                      {"cache_creation_input_tokens", p.usage.cache_creation_tokens},
                      {"cache_read_input_tokens", p.usage.cached_tokens},
                      {"output_tokens", 1}};
  frames.push_back(event("message_start",
                         {{"type", "message_start"},
                          {"message", {{"id", p.id}, {"type", "message"}, {"role", "assistant"},
                                       {"model", p.model}, {"content", WireJson::array()},
                                       {"stop_reason", nullptr}, {"stop_sequence", nullptr},
                                       {"usage", start_usage}}}}));
  if (p.ping) frames.push_back(event("ping", {{"type", "ping"}}));
  int index = 0;
  auto block = [&](const WireJson& start, const std::vector<WireJson>& deltas) {
    frames.push_back(event("content_block_start", {{"type", "content_block_start"},
                                                   {"index", index},
                                                   {"content_block", start}}));
    for (const WireJson& d : deltas)
      frames.push_back(event("content_block_delta",
                             {{"type", "content_block_delta"}, {"index", index}, {"delta", d}}));
    frames.push_back(event("content_block_stop", {{"type", "content_block_stop"}, {"index", index}}));
    ++index;
  };
  if (!p.reasoning.empty()) {
    std::vector<WireJson> deltas;
    for (const std::string& piece : split_utf8(p.reasoning, p.text_fragment_bytes))
      deltas.push_back({{"type", "thinking_delta"}, {"thinking", piece}});
    deltas.push_back({{"type", "signature_delta"}, {"signature", p.signature}});
    block({{"type", "thinking"}, {"thinking", ""}, {"signature", ""}}, deltas);
  }
  if (!p.text.empty()) {
    std::vector<WireJson> deltas;
    for (const std::string& piece : split_utf8(p.text, p.text_fragment_bytes))
      deltas.push_back({{"type", "text_delta"}, {"text", piece}});
    block({{"type", "text"}, {"text", ""}}, deltas);
  }
  for (const PlannedCall& c : p.calls) {
    // Anthropic opens with an empty partial_json, then sends the fragments.
    std::vector<WireJson> deltas = {{{"type", "input_json_delta"}, {"partial_json", ""}}};
    if (!c.arguments.empty())
      for (const std::string& piece : split_utf8(c.arguments, p.args_fragment_bytes))
        deltas.push_back({{"type", "input_json_delta"}, {"partial_json", piece}});
    block({{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", WireJson::object()}},
          deltas);
  }
  if (!p.stream_error.is_null()) {
    frames.push_back(event("error", anthropic_error(p.stream_error.value("type", "overloaded_error"),
                                                    p.stream_error.value("message", "Overloaded"))));
    return frames;
  }
  frames.push_back(event("message_delta",
                         {{"type", "message_delta"},
                          {"delta", {{"stop_reason", stop_reason(p.finish_reason)},
                                     {"stop_sequence", nullptr}}},
                          {"usage", {{"output_tokens", p.usage.completion_tokens}}}}));
  frames.push_back(event("message_stop", {{"type", "message_stop"}}));
  return frames;
}

WireJson anthropic_response(const ReplyPlan& p) {
  WireJson content = WireJson::array();
  if (!p.reasoning.empty())
    content.push_back({{"type", "thinking"}, {"thinking", p.reasoning}, {"signature", p.signature}});
  if (!p.text.empty()) content.push_back({{"type", "text"}, {"text", p.text}});
  for (const PlannedCall& c : p.calls)
    content.push_back({{"type", "tool_use"}, {"id", c.id}, {"name", c.name},
                       {"input", input_object(c.arguments)}});
  return {{"id", p.id},
          {"type", "message"},
          {"role", "assistant"},
          {"model", p.model},
          {"content", content},
          {"stop_reason", stop_reason(p.finish_reason)},
          {"stop_sequence", nullptr},
          {"usage", {{"input_tokens", uncached_input(p.usage)},
                     {"cache_creation_input_tokens", p.usage.cache_creation_tokens},
                     {"cache_read_input_tokens", p.usage.cached_tokens},
                     {"output_tokens", p.usage.completion_tokens}}}};
}

}  // namespace bastion::fake_server
