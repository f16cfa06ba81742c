#include "llm/model_http.h"

namespace bastion::llm {
namespace {

constexpr size_t kRawKeep = 1 << 20;

}  // namespace

Result<http::Response> perform_model_request(http::HttpClient& http, const http::Request& req,
                                             const ErrorContext& ctx) {
  auto res = http.perform(req);
  if (!res.ok()) {
    Error e = res.error();
    e.message = ctx.endpoint + ": " + e.message;
    return e;
  }
  if (res->aborted && res->status == 0) return res;  // cancelled before the reply began
  if (res->status < 200 || res->status >= 300)
    return http_error(ctx, res->status, res->body, res->retry_after_seconds());
  return res;
}

Result<SseReply> perform_sse_request(http::HttpClient& http, http::Request req,
                                     const ErrorContext& ctx,
                                     const std::function<bool()>& keep_going,
                                     const std::function<bool(const SseEvent&)>& on_event) {
  SseReply reply;
  SseParser parser;
  bool stopped = false;
  auto deliver = [&](const SseEvent& ev) {
    if (!stopped && !on_event(ev)) stopped = true;
  };
  req.on_body = [&](std::string_view piece) {
    if (reply.raw.size() < kRawKeep) reply.raw.append(piece.substr(0, kRawKeep - reply.raw.size()));
    parser.feed(piece, deliver);
    if (stopped) return false;
    if (keep_going && !keep_going()) {
      reply.user_abort = true;
      return false;
    }
    return true;
  };
  if (keep_going) {
    // Also asked while the server says nothing, so Esc stops a stalled stream.
    req.cancelled = [&] {
      if (keep_going()) return false;
      reply.user_abort = true;
      return true;
    };
  }
  auto res = perform_model_request(http, req, ctx);
  if (!res.ok()) return res.error();
  if (!stopped && !reply.user_abort) parser.finish(deliver);
  reply.saw_sse = parser.saw_field();
  return reply;
}

}  // namespace bastion::llm
