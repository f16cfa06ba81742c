#include "util/http_client.h"

#include "util/curl_library.h"

#include <cstdlib>
#include <ctime>
#include <mutex>

#include "util/http_date.h"
#include "util/http_url.h"
#include "util/plain_http.h"
#include "util/strings.h"

namespace bastion::http {
namespace {

// libcurl is loaded on first use (see util/curl_library.h); perform()
// checks that it loaded before anything calls through this.
const CurlLibrary& curl_lib() { return *curl_library().value(); }

std::string describe_failure(CURLcode code, const Request& req, const char* detail,
                             bool got_bytes) {
  std::string where = url_authority(req.url);
  std::string why;
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      why = failure_reason(TransportFailure::kRefused, req.url, got_bytes);
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      why = failure_reason(TransportFailure::kResolve, req.url, got_bytes);
      break;
    case CURLE_COULDNT_RESOLVE_PROXY:
      why = "cannot resolve the proxy host (check HTTPS_PROXY/HTTP_PROXY)";
      break;
    case CURLE_OPERATION_TIMEDOUT:
      why = failure_reason(TransportFailure::kTimeout, req.url, got_bytes);
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      why = "TLS certificate of " + where +
            " not trusted (set BASTION_CA_BUNDLE to your company CA bundle)";
      break;
    case CURLE_SSL_CONNECT_ERROR:
      why = "TLS handshake with " + where + " failed";
      break;
    case CURLE_GOT_NOTHING:
      why = failure_reason(TransportFailure::kGotNothing, req.url, got_bytes);
      break;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      why = failure_reason(TransportFailure::kDropped, req.url, got_bytes);
      break;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      why = failure_reason(TransportFailure::kBadUrl, req.url, got_bytes);
      break;
    default:
      why = curl_lib().easy_strerror(code);
  }
  return failure_message(why, req, detail ? detail : "");
}

// The native path serves http:// unless a proxy applies, the URL needs
// something only curl does (credentials in the URL), or
// BASTION_HTTP_BACKEND=curl asks for curl.
bool use_plain_path(const Request& req, HttpUrl* url) {
  if (!str::starts_with(str::to_lower(req.url.substr(0, 7)), "http://")) return false;
  if (const char* b = std::getenv("BASTION_HTTP_BACKEND"); b && std::string_view(b) == "curl") {
    return false;
  }
  auto parsed = parse_http_url(req.url);
  if (!parsed.ok() || parsed->has_userinfo) return false;  // curl reports or handles these
  if (http_proxy_applies(parsed->host)) return false;
  *url = std::move(parsed.value());
  return true;
}

struct Transfer {
  const Request* req;
  Response* resp;
  CURL* curl;
  bool streaming_ok = false;  // decided on the first body byte
  bool decided = false;
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (str::starts_with(line, "HTTP/")) {
    t->resp->headers.clear();  // a new response (after 100-continue or redirect)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->resp->headers.emplace_back(str::to_lower(str::trim(line.substr(0, colon))),
                                  std::string(str::trim(line.substr(colon + 1))));
  }
  return size * n;
}

size_t on_write(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (!t->decided) {
    long status = 0;
    curl_lib().easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    t->streaming_ok = t->req->on_body && status >= 200 && status < 300;
    t->decided = true;
  }
  t->resp->body_bytes += static_cast<int64_t>(len);
  if (t->streaming_ok) {
    if (!t->req->on_body(std::string_view(data, len))) {
      t->resp->aborted = true;
      return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    return len;
  }
  constexpr size_t kMaxBuffered = 64u << 20;
  if (t->resp->body.size() + len > kMaxBuffered) return 0;
  t->resp->body.append(data, len);
  return len;
}

// Progress callback: libcurl calls it about once a second while idle and on
// every transfer; a non-zero return aborts with CURLE_ABORTED_BY_CALLBACK.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->req->cancelled()) return 0;
  t->resp->aborted = true;
  return 1;
}

}  // namespace

struct HttpClient::Impl {
  CURL* curl = nullptr;  // created on the first request that needs curl
  PlainHttp plain;
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {}

HttpClient::~HttpClient() {
  if (impl_->curl) curl_lib().easy_cleanup(impl_->curl);
}

Result<Response> HttpClient::perform(const Request& req) {
  if (HttpUrl url; use_plain_path(req, &url)) return impl_->plain.perform(req, url);
  if (auto lib = curl_library(); !lib.ok()) return lib.error();
  if (!impl_->curl) impl_->curl = curl_lib().easy_init();
  CURL* c = impl_->curl;
  if (!c) return make_error(ErrorKind::kInternal, "libcurl failed to initialise");
  curl_lib().easy_reset(c);

  Response resp;
  Transfer t{&req, &resp, c};
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_lib().easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_lib().easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_lib().easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_lib().easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_lib().easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_lib().easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
  curl_lib().easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_lib().easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, req.connect_timeout_ms);
  if (req.timeout_ms > 0) curl_lib().easy_setopt(c, CURLOPT_TIMEOUT_MS, req.timeout_ms);
  if (req.low_speed_seconds > 0) {
    curl_lib().easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, req.low_speed_bytes);
    curl_lib().easy_setopt(c, CURLOPT_LOW_SPEED_TIME, req.low_speed_seconds);
  }
  if (req.cancelled) {
    curl_lib().easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_lib().easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_lib().easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  }
  curl_lib().easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_lib().easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_lib().easy_setopt(c, CURLOPT_USERAGENT, "bastion");
  if (const char* ca = std::getenv("BASTION_CA_BUNDLE"); ca && *ca) {
    curl_lib().easy_setopt(c, CURLOPT_CAINFO, ca);
  }
  // libcurl deliberately ignores upper-case HTTP_PROXY; honour it for
  // plain-http URLs when the lower-case one is unset. NO_PROXY still applies.
  if (str::starts_with(str::to_lower(req.url), "http://") && !std::getenv("http_proxy")) {
    if (const char* p = std::getenv("HTTP_PROXY"); p && *p) curl_lib().easy_setopt(c, CURLOPT_PROXY, p);
  }

  struct curl_slist* hdrs = nullptr;
  for (auto& [k, v] : req.headers) hdrs = curl_lib().slist_append(hdrs, (k + ": " + v).c_str());
  if (req.method == "POST") {
    hdrs = curl_lib().slist_append(hdrs, "Expect:");  // no 100-continue round trip
    curl_lib().easy_setopt(c, CURLOPT_POST, 1L);
    curl_lib().easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
    curl_lib().easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else if (req.method != "GET") {
    curl_lib().easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  curl_lib().easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

  CURLcode rc = curl_lib().easy_perform(c);
  curl_lib().easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  curl_lib().easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_lib().slist_free_all(hdrs);

  if (rc == CURLE_OK) return resp;
  if ((rc == CURLE_WRITE_ERROR || rc == CURLE_ABORTED_BY_CALLBACK) && resp.aborted) return resp;
  ErrorKind kind = (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
                       ? ErrorKind::kBadInput
                       : ErrorKind::kNetwork;
  Error err(kind, describe_failure(rc, req, errbuf, resp.body_bytes > 0));
  err.http_status = static_cast<int>(resp.status);
  return err;
}

std::string Response::header(std::string_view name) const {
  std::string want = str::to_lower(name);
  for (auto& [k, v] : headers) {
    if (k == want) return v;
  }
  return "";
}

double Response::retry_after_seconds() const {
  std::string v = header("retry-after");
  if (v.empty()) return -1;
  return parse_retry_after(v, static_cast<long long>(std::time(nullptr)));
}

double parse_retry_after(std::string_view value, long long now_epoch) {
  std::string v(str::trim(value));
  if (v.empty()) return -1;
  char* end = nullptr;
  double secs = std::strtod(v.c_str(), &end);
  if (end && *end == '\0') return secs < 0 ? -1 : secs;
  // HTTP-date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
  auto when = parse_http_date(v);
  if (!when) return -1;
  double delta = static_cast<double>(*when - now_epoch);
  return delta < 0 ? 0 : delta;
}

Result<Response> get(const std::string& url, const Headers& headers, long timeout_ms) {
  HttpClient client;
  Request r;
  r.url = url;
  r.headers = headers;
  r.timeout_ms = timeout_ms;
  return client.perform(r);
}

Result<Response> post(const std::string& url, const Headers& headers, std::string body,
                      long timeout_ms) {
  HttpClient client;
  Request r;
  r.method = "POST";
  r.url = url;
  r.headers = headers;
  r.body = std::move(body);
  r.timeout_ms = timeout_ms;
  return client.perform(r);
}

}  // namespace bastion::http
