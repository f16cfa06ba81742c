// What HttpClient needs to know about a URL before choosing a transport:
// its parts (for the native plain-http path), whether an environment proxy
// applies to it (then libcurl must carry it), and the wording of transport
// failures, shared by both paths so retry policy and users see one language.
//
// The failure wording is load-bearing: llm::is_transient (model_errors.cc)
// decides whether to retry by looking for "connection refused", "cannot
// resolve", "TLS" and "malformed" in the message, and users read it.
#pragma once

#include <string>
#include <string_view>

#include "util/http_client.h"
#include "util/result.h"

namespace bastion::http {

struct HttpUrl {
  std::string scheme;  // lower-case: "http" or "https"
  std::string host;    // IPv6 literals without brackets
  bool ipv6 = false;
  int port = 0;  // scheme default when the URL has none
  bool explicit_port = false;
  std::string target;  // path + query, at least "/" (no fragment)
  bool has_userinfo = false;

  // "host:port" as in messages ("[::1]:8080" for IPv6).
  std::string authority() const;
  // The Host header value: the port only when it is not the default.
  std::string host_header() const;
};

// Parses an absolute http:// or https:// URL. Anything else (other schemes,
// empty host, bad port, spaces/controls) is kBadInput whose message is only
// the detail ("invalid port 'x'"); callers wrap it with failure_message.
Result<HttpUrl> parse_http_url(std::string_view url);

// curl's NO_PROXY rules: entries separated by commas or whitespace; "*"
// matches every host; otherwise an entry (case-insensitive, one leading dot
// ignored) matches the host itself and every host ending in "." + entry.
bool no_proxy_matches(std::string_view host, std::string_view no_proxy);

// True when a plain-http request to `host` would go through a proxy named
// by http_proxy, HTTP_PROXY, all_proxy or ALL_PROXY (non-empty), unless
// no_proxy/NO_PROXY exempts the host.
bool http_proxy_applies(std::string_view host);

enum class TransportFailure {
  kRefused,     // connect() failed (refused, unreachable)
  kResolve,     // DNS lookup failed
  kTimeout,     // connect timeout, total timeout or low-speed stall
  kGotNothing,  // closed before a single reply byte
  kDropped,     // reset or closed mid-transfer
  kBadUrl,      // malformed URL or unsupported scheme
};

// The cause part of a failure message, e.g. "connection refused at
// 127.0.0.1:8000"; `got_bytes` says body bytes had arrived (a timeout is
// then a stalled stream and a drop is "dropped mid-reply").
std::string failure_reason(TransportFailure failure, const std::string& url, bool got_bytes);

// "<reason> (<METHOD> <url>)[: <detail>]", the whole message.
std::string failure_message(const std::string& reason, const Request& req, std::string_view detail);

// "host:port" of any URL-ish string, with the scheme's default port.
std::string url_authority(const std::string& url);

}  // namespace bastion::http
