#include "openai_wire.h"

namespace bastion::fake_server {
namespace {

std::string frame(const WireJson& j) {
  return "data: " + j.dump(-1, ' ', false, WireJson::error_handler_t::replace) + "\n\n";
}

WireJson usage_json(const PlannedUsage& u) {
  return {{"prompt_tokens", u.prompt_tokens},
          {"completion_tokens", u.completion_tokens},
          {"total_tokens", u.prompt_tokens + u.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", u.cached_tokens}}},
          {"completion_tokens_details", {{"reasoning_tokens", u.reasoning_tokens}}}};
}

WireJson chunk(const ReplyPlan& p, WireJson delta, const WireJson& finish_reason) {
  if (p.delta_nulls) {
    // DeepSeek's API names both fields in every delta, null when unused.
    WireJson d = {{"content", delta.value("content", WireJson())},
                  {"reasoning_content", delta.value("reasoning_content", WireJson())}};
    for (auto it = delta.begin(); it != delta.end(); ++it)
      if (it.key() != "content" && it.key() != "reasoning_content") d[it.key()] = it.value();
    delta = std::move(d);
  }
  WireJson c = {{"id", p.id},
            {"object", "chat.completion.chunk"},
            {"created", p.created},
            {"model", p.model},
            {"system_fingerprint", "fp_fake"},
            {"choices",
             WireJson::array({{{"index", 0},
                           {"delta", delta},
                           {"logprobs", nullptr},
                           {"finish_reason", finish_reason}}})}};
  // With include_usage, OpenAI sends "usage": null on every content chunk.
  if (p.include_usage) c["usage"] = nullptr;
  return c;
}

// Default messages and types for each status, as OpenAI words them.
void default_error(int status, const std::string& model, std::string* message, std::string* type,
                   WireJson* code) {
  *code = nullptr;
  switch (status) {
    case 400:
      *message = "Invalid request.";
      *type = "invalid_request_error";
      break;
    case 401:
      *message = "Incorrect API key provided: sk-fake****. You can find your API key at "
                 "https://platform.openai.com/account/api-keys.";
      *type = "invalid_request_error";
      *code = "invalid_api_key";
      break;
    case 403:
      *message = "You are not allowed to access this resource.";
      *type = "invalid_request_error";
      *code = "unsupported_country_region_territory";
      break;
    case 404:
      *message = "The model `" + model + "` does not exist or you do not have access to it.";
      *type = "invalid_request_error";
      *code = "model_not_found";
      break;
    case 429:
      *message = "Rate limit reached for " + model +
                 " on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s.";
      *type = "requests";
      *code = "rate_limit_exceeded";
      break;
    case 503:
      *message = "The engine is currently overloaded, please try again later.";
      *type = "server_error";
      break;
    default:
      *message = "The server had an error while processing your request. Sorry about that!";
      *type = status >= 500 ? "server_error" : "invalid_request_error";
  }
}

}  // namespace

WireJson openai_error(const std::string& message, const std::string& type, const WireJson& code) {
  return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
}

WireJson openai_error_body(const Reply& r, const std::string& model) {
  if (!r.error_body.is_null()) return WireJson::parse(r.error_body.dump());
  std::string message, type;
  WireJson code;
  default_error(r.status, model, &message, &type, &code);
  if (r.error_kind == "context_length") {
    if (r.error_flavor == "vllm") {
      // vLLM's OpenAI-compatible server (ErrorResponse, pre-0.9 layout).
      message = r.error_message.empty()
                    ? "This model's maximum context length is 32768 tokens. However, you requested "
                      "34012 tokens (30012 in the messages, 4000 in the completion). Please reduce "
                      "the length of the messages or completion."
                    : r.error_message;
      return {{"object", "error"}, {"message", message}, {"type", "BadRequestError"},
              {"param", nullptr}, {"code", r.status}};
    }
    if (r.error_flavor == "llamacpp") {
      message = r.error_message.empty()
                    ? "the request exceeds the available context size, try increasing it"
                    : r.error_message;
      return {{"error", {{"code", r.status}, {"message", message},
                         {"type", "exceed_context_size_error"}, {"n_prompt_tokens", 34012},
                         {"n_ctx", 32768}}}};
    }
    message = "This model's maximum context length is 128000 tokens. However, your messages "
              "resulted in 131072 tokens. Please reduce the length of the messages.";
    type = "invalid_request_error";
    code = "context_length_exceeded";
    WireJson body = openai_error(r.error_message.empty() ? message : r.error_message, type, code);
    body["error"]["param"] = "messages";
    return body;
  }
  if (!r.error_message.empty()) message = r.error_message;
  if (!r.error_type.empty()) type = r.error_type;
  if (r.error_flavor == "vllm")
    return {{"object", "error"}, {"message", message}, {"type", type},
            {"param", nullptr}, {"code", r.status}};
  return openai_error(message, type, code);
}

std::vector<std::string> openai_stream_frames(const ReplyPlan& p) {
  std::vector<std::string> frames;
  frames.push_back(frame(chunk(p, {{"role", "assistant"}, {"content", ""}}, nullptr)));
  if (!p.reasoning.empty())
    for (const std::string& piece : split_utf8(p.reasoning, p.text_fragment_bytes))
      frames.push_back(frame(chunk(p, {{"reasoning_content", piece}}, nullptr)));
  if (!p.text.empty())
    for (const std::string& piece : split_utf8(p.text, p.text_fragment_bytes))
      frames.push_back(frame(chunk(p, {{"content", piece}}, nullptr)));
  for (size_t i = 0; i < p.calls.size(); ++i) {
    const PlannedCall& c = p.calls[i];
    // First fragment: index, id, type, name and empty arguments, as OpenAI does.
    WireJson first = {{"index", i}, {"id", c.id}, {"type", "function"},
                  {"function", {{"name", c.name}, {"arguments", ""}}}};
    frames.push_back(frame(chunk(p, {{"tool_calls", WireJson::array({first})}}, nullptr)));
    if (c.arguments.empty()) continue;
    for (const std::string& piece : split_utf8(c.arguments, p.args_fragment_bytes)) {
      WireJson frag = {{"index", i}, {"function", {{"arguments", piece}}}};
      frames.push_back(frame(chunk(p, {{"tool_calls", WireJson::array({frag})}}, nullptr)));
    }
  }
  if (!p.stream_error.is_null()) {
    frames.push_back(frame(openai_error(p.stream_error.value("message", "stream error"),
                                        p.stream_error.value("type", "server_error"), nullptr)));
    frames.push_back("data: [DONE]\n\n");
    return frames;
  }
  frames.push_back(frame(chunk(p, WireJson::object(), p.finish_reason)));
  if (p.include_usage) {
    WireJson u = {{"id", p.id},           {"object", "chat.completion.chunk"},
              {"created", p.created}, {"model", p.model},
              {"system_fingerprint", "fp_fake"}, {"choices", WireJson::array()},
              {"usage", usage_json(p.usage)}};
    frames.push_back(frame(u));
  }
  frames.push_back("data: [DONE]\n\n");
  return frames;
}

WireJson openai_response(const ReplyPlan& p) {
  WireJson message = {{"role", "assistant"}, {"refusal", nullptr}};
  message["content"] = p.text.empty() && !p.calls.empty() ? WireJson(nullptr) : WireJson(p.text);
  if (!p.reasoning.empty()) message["reasoning_content"] = p.reasoning;
  if (!p.calls.empty()) {
    WireJson calls = WireJson::array();
    for (const PlannedCall& c : p.calls)
      calls.push_back({{"id", c.id}, {"type", "function"},
                       {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    message["tool_calls"] = calls;
  }
  return {{"id", p.id},
          {"object", "chat.completion"},
          {"created", p.created},
          {"model", p.model},
          {"system_fingerprint", "fp_fake"},
          {"choices", WireJson::array({{{"index", 0},
                                    {"message", message},
                                    {"logprobs", nullptr},
                                    {"finish_reason", p.finish_reason}}})},
          {"usage", usage_json(p.usage)}};
}

}  // namespace bastion::fake_server
