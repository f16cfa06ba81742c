// HttpClient: the one way Bastion talks HTTP(S): a native HTTP/1.1 client for
// http:// (util/plain_http.h) and libcurl, loaded on first use, for https://.
//
// Model endpoints stream their replies, so a request can deliver its body
// piece by piece to a callback (which may abort the transfer) instead of
// buffering it. Everything the network can do wrong (refused connection, DNS,
// TLS, timeouts, a reset mid-stream) comes back as Error{kNetwork} whose
// message names the URL and the cause, never as an exception.
//
// Proxies: libcurl reads HTTPS_PROXY/https_proxy, http_proxy and NO_PROXY
// from the environment; we also honour upper-case HTTP_PROXY, which libcurl
// ignores on purpose. BASTION_CA_BUNDLE names a PEM file of trusted CAs
// (CURLOPT_CAINFO) for company endpoints with a private CA.
//
// curl_global_init runs lazily on the first request, so programs that never
// touch the network (`bastion --version`) pay nothing for it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace bastion::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";  // "GET" or "POST"
  std::string url;
  Headers headers;             // sent as-is ("Authorization", "Bearer ...")
  std::string body;            // POST body
  long connect_timeout_ms = 10000;
  long timeout_ms = 0;         // whole transfer; 0 = no limit (streams)
  // Abort when fewer than low_speed_bytes arrive per second for
  // low_speed_seconds in a row; 0 seconds disables the check.
  long low_speed_bytes = 1;
  long low_speed_seconds = 0;
  // When set, a 2xx body is delivered here piece by piece (arbitrary chunk
  // boundaries) instead of being stored in Response::body. Return false to
  // abort the transfer. Non-2xx bodies (error JSON) are always buffered.
  std::function<bool(std::string_view chunk)> on_body;
  // When set, asked at least every 100 ms while the request waits for the
  // server, even when nothing arrives (a stalled stream). true aborts the
  // request: the result is a Response with aborted = true. This is how Esc
  // stops a model that has gone quiet.
  std::function<bool()> cancelled;
};

struct Response {
  long status = 0;
  Headers headers;        // names lower-cased, in arrival order
  std::string body;       // whole body unless streamed through on_body
  bool aborted = false;   // on_body returned false or cancelled() said so
  int64_t body_bytes = 0; // bytes received, streamed or not

  // First header value with that (case-insensitive) name, or "".
  std::string header(std::string_view name) const;
  // Retry-After in seconds (delta-seconds or HTTP-date), or -1 if absent.
  double retry_after_seconds() const;
};

// Parses a Retry-After value: delta-seconds or an HTTP-date (relative to
// `now_epoch`). -1 when unparseable.
double parse_retry_after(std::string_view value, long long now_epoch);

// One client = one reusable curl handle (connections are kept alive between
// requests). Not thread-safe: use one client per thread.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs the request. Any HTTP status is a successful Response; only
  // transport failures are errors (kNetwork, or kBadInput for a bad URL).
  // When a transfer breaks after the status line, the error carries
  // http_status.
  Result<Response> perform(const Request& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience wrappers around a fresh HttpClient.
Result<Response> get(const std::string& url, const Headers& headers = {},
                     long timeout_ms = 10000);
Result<Response> post(const std::string& url, const Headers& headers, std::string body,
                      long timeout_ms = 0);

}  // namespace bastion::http
