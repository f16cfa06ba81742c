#include "util/plain_http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <utility>

#include "util/http_response_parser.h"
#include "util/strings.h"

namespace bastion::http {
namespace {

constexpr size_t kMaxBuffered = 64u << 20;

long long now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    bool alnum = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// The request head and body as sent on the wire, or kBadInput when a
// method or header would break the framing (CR/LF injection).
Result<std::string> serialize(const Request& req, const HttpUrl& url) {
  if (!is_token(req.method)) {
    return make_error(ErrorKind::kBadInput, "invalid HTTP method '" + req.method + "'");
  }
  auto overridden = [&](std::string_view name) {
    for (auto& [k, v] : req.headers) {
      if (str::to_lower(k) == name) return true;
    }
    return false;
  };
  std::string out = req.method + " " + url.target + " HTTP/1.1\r\n";
  if (!overridden("host")) out += "Host: " + url.host_header() + "\r\n";
  if (!overridden("user-agent")) out += "User-Agent: bastion\r\n";
  if (!overridden("accept")) out += "Accept: */*\r\n";
  if ((req.method == "POST" || !req.body.empty()) && !overridden("content-length")) {
    out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  }
  if (!overridden("connection")) out += "Connection: keep-alive\r\n";
  for (auto& [k, v] : req.headers) {
    if (!is_token(k))
      return make_error(ErrorKind::kBadInput, "invalid HTTP header name '" + k + "'");
    if (v.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return make_error(ErrorKind::kBadInput, "HTTP header '" + k + "' contains a line break");
    }
    if (str::trim(v).empty()) continue;  // as with curl, "Name:" only removes a default
    out += k + ": " + v + "\r\n";
  }
  out += "\r\n";
  out += req.body;
  return out;
}

// Tracks the low-speed rule: an average below `limit` bytes/s, taken over
// the last five one-second samples (curl's "current speed"), for `seconds`
// in a row is a stall.
struct SpeedCheck {
  long limit = 0;
  long long seconds = 0;
  long long total = 0;
  long long next_sample = 0;
  long long slow_since = -1;
  std::deque<std::pair<long long, long long>> samples;  // (ms, total bytes then)

  SpeedCheck(long bytes, long secs, long long now)
      : limit(bytes), seconds(secs), next_sample(now + 1000) {
    samples.emplace_back(now, 0);
  }
  bool enabled() const { return seconds > 0; }
  void add(size_t n) { total += static_cast<long long>(n); }
  // Milliseconds until the next sample is due.
  long long next_in(long long now) const { return std::max(0LL, next_sample - now); }
  // True when the transfer has been too slow for too long.
  bool stalled(long long now) {
    if (!enabled() || now < next_sample) return false;
    next_sample = now + 1000;
    samples.emplace_back(now, total);
    while (samples.size() > 6) samples.pop_front();
    auto [t0, b0] = samples.front();
    long long span = std::max(1LL, now - t0);
    if ((total - b0) * 1000 < static_cast<long long>(limit) * span) {
      if (slow_since < 0) slow_since = now;
      return now - slow_since >= seconds * 1000;
    }
    slow_since = -1;
    return false;
  }
};

// How often a request with a cancelled() check wakes up to ask it.
constexpr int kCancelPollMs = 100;

// Wait budget for one poll(): until the deadline and the next speed sample.
int poll_timeout(long long deadline, const SpeedCheck& speed, long long now) {
  long long wait = -1;
  if (deadline > 0) wait = std::max(0LL, deadline - now);
  if (speed.enabled()) {
    long long s = speed.next_in(now);
    wait = wait < 0 ? s : std::min(wait, s);
  }
  return wait < 0 ? -1 : static_cast<int>(std::min(wait, 60'000LL));
}

}  // namespace

PlainHttp::~PlainHttp() { drop_connection(); }

void PlainHttp::drop_connection() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  peer_.clear();
}

Status PlainHttp::connect_to(const Request& req, const HttpUrl& url, long long deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  std::string port = std::to_string(url.port);
  int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0 && hints.ai_flags & AI_ADDRCONFIG) {
    hints.ai_flags = AI_NUMERICSERV;  // loopback-only hosts have no "configured" address
    rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &list);
  }
  if (rc != 0 || !list) {
    return make_error(ErrorKind::kNetwork,
                      failure_message(failure_reason(TransportFailure::kResolve, req.url, false),
                                      req, rc ? gai_strerror(rc) : "no addresses"));
  }
  std::string last_error = "no usable address";
  bool timed_out = false;
  for (addrinfo* a = list; a && fd_ < 0; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_error = std::string("socket(): ") + std::strerror(errno);
      continue;
    }
    int err = 0;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
      err = errno;
      if (err == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        long long wait = std::max(0LL, deadline - now_ms());
        int n;
        do {
          n = ::poll(&p, 1, static_cast<int>(wait));
        } while (n < 0 && errno == EINTR);
        if (n == 0) {
          err = ETIMEDOUT;
          timed_out = true;
        } else {
          socklen_t len = sizeof err;
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        }
      }
    }
    if (err != 0) {
      last_error = "connect to " + url.authority() + ": " + std::strerror(err);
      ::close(fd);
      if (timed_out) break;
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    fd_ = fd;
    peer_ = url.authority();
    ++opened_;
  }
  ::freeaddrinfo(list);
  if (fd_ >= 0) return ok_status();
  auto why = timed_out ? TransportFailure::kTimeout : TransportFailure::kRefused;
  return make_error(ErrorKind::kNetwork,
                    failure_message(failure_reason(why, req.url, false), req, last_error));
}

Result<Response> PlainHttp::exchange(const Request& req, const HttpUrl& url,
                                     const std::string& wire, long long deadline,
                                     bool* retry_on_fresh) {
  *retry_on_fresh = false;
  Response resp;
  ResponseParser parser(req.method == "HEAD");
  SpeedCheck speed(req.low_speed_bytes, req.low_speed_seconds, now_ms());
  bool decided = false, streaming = false, too_big = false;
  auto sink = [&](std::string_view piece) {
    if (!decided) {
      int s = parser.head().status;
      streaming = req.on_body && s >= 200 && s < 300;
      decided = true;
    }
    resp.body_bytes += static_cast<int64_t>(piece.size());
    if (streaming) {
      if (req.on_body(piece)) return true;
      resp.aborted = true;
      return false;
    }
    if (resp.body.size() + piece.size() > kMaxBuffered) {
      too_big = true;
      return false;
    }
    resp.body.append(piece);
    return true;
  };
  auto fail = [&](TransportFailure why, const std::string& detail) -> Result<Response> {
    drop_connection();
    Error e(why == TransportFailure::kBadUrl ? ErrorKind::kBadInput : ErrorKind::kNetwork,
            failure_message(failure_reason(why, req.url, resp.body_bytes > 0), req, detail));
    if (parser.head_done()) e.http_status = parser.head().status;
    return e;
  };

  size_t sent = 0;
  bool send_failed = false;
  std::string send_error;
  char buf[16384];
  while (true) {
    long long now = now_ms();
    if (req.cancelled && req.cancelled()) {
      drop_connection();
      resp.aborted = true;
      resp.status = parser.head_done() ? parser.head().status : 0;
      resp.headers = parser.head().headers;
      return resp;
    }
    if (speed.stalled(now)) {
      return fail(TransportFailure::kTimeout, "less than " + std::to_string(req.low_speed_bytes) +
                                                  " bytes/s for " +
                                                  std::to_string(req.low_speed_seconds) + " s");
    }
    if (deadline > 0 && now >= deadline) {
      return fail(TransportFailure::kTimeout,
                  "no complete reply within " + std::to_string(req.timeout_ms) + " ms");
    }
    bool sending = !send_failed && sent < wire.size();
    pollfd p{fd_, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), 0};
    int wait = poll_timeout(deadline, speed, now);
    if (req.cancelled) wait = wait < 0 ? kCancelPollMs : std::min(wait, kCancelPollMs);
    int n = ::poll(&p, 1, wait);
    if (n < 0 && errno != EINTR) return fail(TransportFailure::kDropped, std::strerror(errno));
    if (n <= 0) continue;
    if (sending && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::send(fd_, wire.data() + sent, wire.size() - sent, MSG_NOSIGNAL);
      if (w > 0) {
        sent += static_cast<size_t>(w);
        speed.add(static_cast<size_t>(w));
      } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        // The server may have replied early (413) and closed: read what it sent.
        send_failed = true;
        send_error = std::string("send(): ") + std::strerror(errno);
      }
    }
    if (!(p.revents & (POLLIN | POLLERR | POLLHUP))) continue;
    ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      int err = errno;
      if (parser.bytes_seen() == 0) *retry_on_fresh = true;
      return fail(TransportFailure::kDropped, std::string("recv(): ") + std::strerror(err));
    }
    if (r == 0) {
      if (parser.bytes_seen() == 0) {
        *retry_on_fresh = true;
        return fail(TransportFailure::kGotNothing, send_error);
      }
      Status end = parser.finish();
      if (!end.ok()) {
        auto why = parser.truncated() ? TransportFailure::kDropped : TransportFailure::kGotNothing;
        return fail(why, end.error().message);
      }
    } else {
      speed.add(static_cast<size_t>(r));
      Status st = parser.feed(std::string_view(buf, static_cast<size_t>(r)), sink);
      if (!st.ok()) {
        drop_connection();
        Error e(ErrorKind::kNetwork,
                failure_message("the server at " + url.authority() + " sent an invalid HTTP reply",
                                req, st.error().message));
        if (parser.head_done()) e.http_status = parser.head().status;
        return e;
      }
    }
    if (too_big) {
      drop_connection();
      Error e(
          ErrorKind::kNetwork,
          failure_message("the reply from " + url.authority() + " is larger than 64 MiB", req, ""));
      e.http_status = parser.head().status;
      return e;
    }
    if (parser.done() || parser.aborted()) break;
  }
  resp.status = parser.head().status;
  resp.headers = parser.head().headers;
  if (!parser.done() || !parser.reusable() || sent < wire.size()) drop_connection();
  return resp;
}

Result<Response> PlainHttp::perform(const Request& req, const HttpUrl& url) {
  long long start = now_ms();
  long long deadline = req.timeout_ms > 0 ? start + req.timeout_ms : 0;
  auto wire = serialize(req, url);
  if (!wire.ok()) return wire.error();

  bool reused = false;
  if (fd_ >= 0 && peer_ == url.authority()) {
    // An idle keep-alive socket that is readable has been closed (or sent
    // junk): do not even try it.
    pollfd p{fd_, POLLIN, 0};
    reused = ::poll(&p, 1, 0) == 0;
  }
  if (!reused) drop_connection();
  for (int attempt = 0;; ++attempt) {
    if (fd_ < 0) {
      long long connect_deadline = start + std::max(1L, req.connect_timeout_ms);
      if (req.connect_timeout_ms <= 0) connect_deadline = start + 300000;  // curl's default
      if (deadline > 0) connect_deadline = std::min(connect_deadline, deadline);
      Status c = connect_to(req, url, connect_deadline);
      if (!c.ok()) return c.error();
    }
    bool retry_on_fresh = false;
    auto res = exchange(req, url, *wire, deadline, &retry_on_fresh);
    if (!res.ok() && reused && retry_on_fresh && attempt == 0) {
      reused = false;  // the server closed the idle connection as we reused it
      drop_connection();
      continue;
    }
    return res;
  }
}

}  // namespace bastion::http
