// The HTTP exchange both model clients (OpenAI chat, Anthropic messages)
// share: send a request, map transport faults and non-2xx replies to Error
// values that name the endpoint, and, for streaming requests, feed each
// Server-Sent Event to the caller as it arrives.
//
// Protocol meaning stays in the clients; this file only knows HTTP and SSE,
// so a fix to abort handling or raw-body capture lands in both at once.
#pragma once

#include <functional>
#include <string>

#include "llm/model_errors.h"
#include "llm/sse_parser.h"
#include "util/http_client.h"
#include "util/result.h"

namespace bastion::llm {

// A finished request whose status was 2xx.
Result<http::Response> perform_model_request(http::HttpClient& http, const http::Request& req,
                                             const ErrorContext& ctx);

struct SseReply {
  bool user_abort = false;  // keep_going() said stop
  bool saw_sse = false;     // the body had at least one SSE field
  std::string raw;          // the first MiB of the body (servers that ignore "stream")
};

// Streams `req`, calling `on_event` for every SSE event, including one the
// server left unterminated when it closed. `on_event` returns false to stop
// reading (the caller keeps the reason). `keep_going`, when set, is asked
// after every received piece; false aborts the request (user interrupt).
Result<SseReply> perform_sse_request(http::HttpClient& http, http::Request req,
                                     const ErrorContext& ctx,
                                     const std::function<bool()>& keep_going,
                                     const std::function<bool(const SseEvent&)>& on_event);

}  // namespace bastion::llm
