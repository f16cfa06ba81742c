#include "util/http_url.h"

#include <cstdlib>

#include "util/strings.h"

namespace bastion::http {
namespace {

std::string host_of(const std::string& url) {
  std::string a = url_authority(url);
  if (!a.empty() && a.front() == '[') return a.substr(1, a.find(']') - 1);
  return a.substr(0, a.rfind(':'));
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

Error bad_url(std::string_view, const std::string& why) {
  return make_error(ErrorKind::kBadInput, why);
}

}  // namespace

std::string HttpUrl::authority() const {
  std::string h = ipv6 ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string HttpUrl::host_header() const {
  std::string h = ipv6 ? "[" + host + "]" : host;
  int default_port = scheme == "https" ? 443 : 80;
  return port == default_port ? h : h + ":" + std::to_string(port);
}

Result<HttpUrl> parse_http_url(std::string_view url) {
  HttpUrl u;
  for (char c : url) {
    unsigned char b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7f) return bad_url(url, "contains a space or control character");
  }
  size_t sep = url.find("://");
  if (sep == std::string_view::npos)
    return bad_url(url, "no scheme (expected http:// or https://)");
  u.scheme = str::to_lower(url.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") {
    return bad_url(url, "unsupported scheme '" + u.scheme + "'");
  }
  std::string_view rest = url.substr(sep + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view auth = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? "" : rest.substr(end);
  if (auto at = auth.rfind('@'); at != std::string_view::npos) {
    u.has_userinfo = true;
    auth.remove_prefix(at + 1);
  }
  std::string_view port_text;
  if (!auth.empty() && auth.front() == '[') {
    size_t close = auth.find(']');
    if (close == std::string_view::npos) return bad_url(url, "unclosed '[' in the host");
    u.host = std::string(auth.substr(1, close - 1));
    u.ipv6 = true;
    std::string_view after = auth.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(url, "junk after the IPv6 address");
      port_text = after.substr(1);
    }
    if (u.host.empty() ||
        u.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos) {
      return bad_url(url, "invalid IPv6 address");
    }
  } else {
    size_t colon = auth.find(':');
    u.host = std::string(auth.substr(0, colon));
    if (colon != std::string_view::npos) port_text = auth.substr(colon + 1);
    if (u.host.find_first_of("[]") != std::string::npos) return bad_url(url, "invalid host");
  }
  if (u.host.empty()) return bad_url(url, "no host");
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    if (port_text.size() > 5 ||
        port_text.find_first_not_of("0123456789") != std::string_view::npos) {
      return bad_url(url, "invalid port '" + std::string(port_text) + "'");
    }
    int p = std::atoi(std::string(port_text).c_str());
    if (p < 1 || p > 65535) return bad_url(url, "port out of range");
    u.port = p;
    u.explicit_port = true;
  }
  tail = tail.substr(0, tail.find('#'));
  if (tail.empty() || tail.front() == '?') {
    u.target = "/" + std::string(tail);
  } else {
    u.target = std::string(tail);
  }
  return u;
}

bool no_proxy_matches(std::string_view host, std::string_view no_proxy) {
  std::string h = str::to_lower(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (h.empty()) return false;
  size_t i = 0;
  while (i < no_proxy.size()) {
    size_t j = no_proxy.find_first_of(", \t", i);
    if (j == std::string_view::npos) j = no_proxy.size();
    std::string entry = str::to_lower(no_proxy.substr(i, j - i));
    i = j + 1;
    if (entry == "*") return true;
    if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
    while (!entry.empty() && entry.back() == '.') entry.pop_back();
    if (entry.size() > 2 && entry.front() == '[' && entry.back() == ']') {
      entry = entry.substr(1, entry.size() - 2);
    }
    if (entry.empty()) continue;
    if (h == entry) return true;
    if (h.size() > entry.size() && str::ends_with(h, entry) &&
        h[h.size() - entry.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

bool http_proxy_applies(std::string_view host) {
  if (!env("http_proxy") && !env("HTTP_PROXY") && !env("all_proxy") && !env("ALL_PROXY")) {
    return false;
  }
  const char* no = env("no_proxy");
  if (!no) no = env("NO_PROXY");
  return !(no && no_proxy_matches(host, no));
}

std::string url_authority(const std::string& url) {
  std::string_view u = url;
  std::string scheme = "http";
  if (auto p = u.find("://"); p != std::string_view::npos) {
    scheme = str::to_lower(u.substr(0, p));
    u.remove_prefix(p + 3);
  }
  u = u.substr(0, u.find_first_of("/?#"));
  if (auto at = u.rfind('@'); at != std::string_view::npos) u.remove_prefix(at + 1);
  bool has_port = false;
  if (!u.empty() && u.front() == '[') {
    has_port = u.find("]:") != std::string_view::npos;
  } else {
    has_port = u.find(':') != std::string_view::npos;
  }
  std::string out(u);
  if (!has_port) out += scheme == "https" ? ":443" : ":80";
  return out;
}

std::string failure_reason(TransportFailure failure, const std::string& url, bool got_bytes) {
  std::string where = url_authority(url);
  switch (failure) {
    case TransportFailure::kRefused:
      return "connection refused at " + where;
    case TransportFailure::kResolve:
      return "cannot resolve host '" + host_of(url) + "' (DNS lookup failed)";
    case TransportFailure::kTimeout:
      return got_bytes ? "the stream from " + where + " stalled (timeout)"
                       : "timed out talking to " + where;
    case TransportFailure::kGotNothing:
      return "the server at " + where + " closed the connection without replying";
    case TransportFailure::kDropped:
      return got_bytes ? "the connection to " + where + " dropped mid-reply"
                       : "the connection to " + where + " was reset";
    case TransportFailure::kBadUrl:
      return "malformed URL";
  }
  return "transfer failed";
}

std::string failure_message(const std::string& reason, const Request& req,
                            std::string_view detail) {
  std::string msg = reason + " (" + req.method + " " + req.url + ")";
  if (!detail.empty()) msg += ": " + std::string(detail);
  return msg;
}

}  // namespace bastion::http
