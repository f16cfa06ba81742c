// PlainHttp: Bastion's own HTTP/1.1 client over a TCP socket, for http://
// URLs (no TLS, no proxy).
//
// Why: most users run the model next to Bastion (vLLM, Ollama, llama-server
// on http://host:port/v1). Reaching them through libcurl meant dlopen()ing
// libcurl.so.4 and ~25 libraries behind it (OpenSSL, Kerberos, LDAP, ...),
// which cost 14 M instructions and 8 MB of RSS per run for a plain socket.
// HttpClient (util/http_client.h) sends http:// requests here when no proxy
// applies and keeps libcurl for https:// and proxies (http_proxy,
// HTTP_PROXY, all_proxy, ALL_PROXY, minus hosts NO_PROXY/no_proxy exempts)
// and for URLs with credentials in them. BASTION_HTTP_BACKEND=curl sends
// every request through libcurl (escape hatch, and for comparing the two).
//
// Behaviour matches the curl path request for request: the same Request
// fields (connect_timeout_ms, timeout_ms for the whole transfer, the
// low-speed rule), 2xx bodies streamed to on_body (false aborts and closes
// the connection), other bodies buffered up to 64 MiB, and the same error
// wording (util/http_url.h). One idle connection is kept alive between
// requests; a request on a reused connection that the server had closed
// before replying is retried once on a fresh one.
#pragma once

#include <string>

#include "util/http_client.h"
#include "util/http_url.h"
#include "util/result.h"

namespace bastion::http {

class PlainHttp {
 public:
  PlainHttp() = default;
  ~PlainHttp();
  PlainHttp(const PlainHttp&) = delete;
  PlainHttp& operator=(const PlainHttp&) = delete;

  // Performs `req` against `url` (already parsed; scheme http). Any HTTP
  // status is a Response; transport failures are Error{kNetwork} with
  // http_status set once the status line had arrived; a header or method
  // that would break the request framing is kBadInput.
  Result<Response> perform(const Request& req, const HttpUrl& url);

  // TCP connections opened so far (tests check keep-alive reuse with it).
  int connections_opened() const { return opened_; }

 private:
  struct Exchange;
  Status connect_to(const Request& req, const HttpUrl& url, long long deadline_ms);
  Result<Response> exchange(const Request& req, const HttpUrl& url, const std::string& wire,
                            long long deadline_ms, bool* retry_on_fresh);
  void drop_connection();

  int fd_ = -1;
  std::string peer_;  // authority of fd_
  int opened_ = 0;
};

}  // namespace bastion::http
