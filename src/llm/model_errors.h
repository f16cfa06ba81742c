// Model endpoint errors: turning an HTTP error reply into an Error a user can
// act on, and recognising the few failures the agent must react to.
//
// Servers word the same failure differently (vLLM, SGLang, llama.cpp, Ollama,
// DashScope, OpenAI, Anthropic), so the classification looks at the status
// and the real messages those servers send. Every message names the endpoint,
// the HTTP status and what to do.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace bastion::llm {

struct ErrorContext {
  std::string endpoint;  // "openai at http://host/v1"
  std::string model;
  std::string api_key_hint = "BASTION_API_KEY";  // env var the user should set
};

// The human text inside an error body: error.message, message, detail, or
// the (truncated) raw body.
std::string error_body_message(std::string_view body);

// An Error for a non-2xx reply. Sets http_status and retry_after_seconds.
Error http_error(const ErrorContext& ctx, long status, std::string_view body,
                 double retry_after_seconds);

// An error the server sent inside a 200 stream (`data: {"error": ...}` or an
// Anthropic `error` event).
Error stream_error(const ErrorContext& ctx, std::string_view message, std::string_view type = "");

// True when the request was longer than the model's context window: the
// agent should compact the conversation and retry.
bool is_context_overflow(const Error& e);
// True when the server refused the `tools` parameter itself.
bool is_tools_rejected(const Error& e);
// True for failures worth retrying as-is: 429, 5xx, resets, dropped streams,
// timeouts. False for refused connections, DNS, TLS, 4xx.
bool is_transient(const Error& e);

// Detection on raw server text, exposed for tests.
bool looks_like_context_overflow(std::string_view text);
bool looks_like_tools_rejected(std::string_view text);

}  // namespace bastion::llm
