#include "gateway/server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>
#include <thread>

namespace bastion::gateway {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

namespace {

constexpr size_t kRelayChunk = 16 * 1024;
constexpr size_t kMaxAuditBody = 1 << 20;
constexpr int kCheckpointIntervalMs = 200;  // SQLite WAL, off the request threads

// Appends `data` as one HTTP/1.1 chunk.
void append_chunk(std::string& out, std::string_view data) {
  char size[24];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  out.append(size, static_cast<size_t>(n));
  out.append(data);
  out.append("\r\n");
}

struct Conn {
  explicit Conn(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  bool busy = false;
};

std::string api_key_of(const http::request<http::string_body>& req) {
  auto auth = req[http::field::authorization];
  if (auth.size() > 7 && beast::iequals(auth.substr(0, 7), "Bearer ")) return std::string(auth.substr(7));
  auto x = req["x-api-key"];
  return std::string(x);
}

}  // namespace

struct Server::Impl {
  Impl(Gateway& g, int workers_n) : gw(g), workers(workers_n), acceptor(ioc), signals(ioc) {}

  Gateway& gw;
  net::io_context ioc;
  net::thread_pool workers;
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::vector<std::unique_ptr<ssl::context>> tls;  // per upstream; null for http://
  // Idle keep-alive connections to http:// upstreams, per upstream, newest
  // last. Reusing them saves a TCP handshake (and the upstream's accept)
  // per request.
  struct Idle {
    tcp::socket socket;
    int64_t since_ms;
  };
  std::mutex idle_mu;
  std::vector<std::vector<Idle>> idle;
  std::atomic<bool> draining{false};
  std::atomic<int> active{0};
  std::mutex conns_mu;
  std::map<uint64_t, std::weak_ptr<Conn>> conns;
  uint64_t next_conn = 0;

  // Runs blocking `f` on the worker pool and resumes on the caller's executor.
  template <class F>
  awaitable<std::invoke_result_t<F>> on_worker(F f) {
    std::optional<std::invoke_result_t<F>> result;
    co_await net::async_initiate<decltype(use_awaitable), void()>(
        [&](auto handler) {
          net::post(workers, [&, h = std::move(handler)]() mutable {
            result.emplace(f());
            auto ex = net::get_associated_executor(h);
            net::post(ex, std::move(h));
          });
        },
        use_awaitable);
    co_return std::move(*result);
  }

  // Admission without a worker (SQLite, key in the auth cache, small
  // body): the body is parsed here and the coroutine resumes when the
  // committer has committed the reservation. Saves two thread hand-offs
  // per request; larger bodies (parsing, redaction) still go to a worker.
  static constexpr size_t kInlineAdmitMaxBody = 16 * 1024;
  awaitable<std::variant<Admitted, Refusal>> admit_inline(const std::string& path, UserRecord user,
                                                          const std::string& body) {
    std::optional<std::variant<Admitted, Refusal>> result;
    co_await net::async_initiate<decltype(use_awaitable), void()>(
        [&](auto handler) {
          auto ex = net::get_associated_executor(handler);
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          gw.admit_async(path, std::move(user), body, [&result, h, ex](std::variant<Admitted, Refusal> r) {
            result.emplace(std::move(r));
            net::post(ex, std::move(*h));
          });
        },
        use_awaitable);
    co_return std::move(*result);
  }

  awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      // A strand per connection only when several threads run the
      // io_context; with one, every handler already runs in turn and a
      // strand adds a lock and a queue to each of them.
      net::any_io_executor ex = gw.config().threads > 1 ? net::any_io_executor(net::make_strand(ioc))
                                                         : net::any_io_executor(ioc.get_executor());
      tcp::socket s = co_await acceptor.async_accept(ex, net::redirect_error(use_awaitable, ec));
      if (ec) {
        if (draining || ec == net::error::operation_aborted) co_return;
        continue;
      }
      s.set_option(tcp::no_delay(true), ec);
      auto c = std::make_shared<Conn>(std::move(s));
      uint64_t id;
      {
        std::lock_guard<std::mutex> l(conns_mu);
        id = next_conn++;
        conns[id] = c;
      }
      net::co_spawn(c->stream.get_executor(), session(c, id), net::detached);
    }
  }

  awaitable<bool> send_simple(Conn& c, int status, const std::string& type, std::string body, bool keep,
                              int retry_after = -1) {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::server, "bastion-gateway");
    res.set(http::field::content_type, type);
    if (retry_after >= 0) res.set(http::field::retry_after, std::to_string(retry_after));
    res.keep_alive(keep);
    res.body() = std::move(body);
    res.prepare_payload();
    beast::error_code ec;
    co_await http::async_write(c.stream, res, net::redirect_error(use_awaitable, ec));
    co_return !ec;
  }

  awaitable<void> session(std::shared_ptr<Conn> c, uint64_t id) {
    beast::flat_buffer buf;
    for (;;) {
      c->busy = false;
      if (draining) break;
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      c->stream.expires_after(std::chrono::seconds(120));
      beast::error_code ec;
      co_await http::async_read(c->stream, buf, parser, net::redirect_error(use_awaitable, ec));
      if (ec) break;
      c->busy = true;
      c->stream.expires_never();
      ++active;
      auto req = parser.release();
      bool keep = req.keep_alive() && !draining;
      bool ok = co_await handle(*c, req, keep);
      --active;
      if (!ok || !keep) break;
    }
    beast::error_code ec;
    c->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    c->stream.close();
    std::lock_guard<std::mutex> l(conns_mu);
    conns.erase(id);
  }

  awaitable<bool> handle(Conn& c, http::request<http::string_body>& req, bool& keep) {
    std::string target(req.target());
    std::string path = target.substr(0, target.find('?'));
    if (req.method() == http::verb::get && path == "/healthz")
      co_return co_await send_simple(c, 200, "application/json", "{\"status\":\"ok\"}", keep);
    if (req.method() == http::verb::get && path == "/metrics") {
      std::vector<std::pair<std::string, bool>> health;
      for (size_t i = 0; i < gw.router().size(); ++i)
        health.emplace_back(gw.router().at(static_cast<int>(i)).config.name, gw.router().healthy(static_cast<int>(i)));
      co_return co_await send_simple(c, 200, "text/plain; version=0.0.4", gw.metrics().render(health), keep);
    }
    std::string key = api_key_of(req);
    if (req.method() == http::verb::get && path == "/v1/models") {
      auto r = co_await on_worker([&] { return gw.models(key); });
      if (auto* ref = std::get_if<Refusal>(&r)) co_return co_await send_simple(c, ref->status, "application/json", ref->body, keep);
      co_return co_await send_simple(c, 200, "application/json", std::get<std::string>(r), keep);
    }
    if (req.method() != http::verb::post || path.rfind("/v1/", 0) != 0) {
      co_return co_await send_simple(
          c, 404, "application/json",
          Gateway::error_body(Protocol::kOpenAi, "not_found_error", "no route for " + std::string(req.method_string()) + " " + path),
          keep);
    }
    std::variant<Admitted, Refusal> adm;
    if (auto user = gw.cached_user(key); user && req.body().size() <= kInlineAdmitMaxBody)
      adm = co_await admit_inline(path, std::move(*user), req.body());
    else
      adm = co_await on_worker([&] { return gw.admit(path, key, req.body()); });
    if (auto* ref = std::get_if<Refusal>(&adm)) {
      if (ref->status >= 400) gw.metrics().request(path, ref->status);
      co_return co_await send_simple(c, ref->status, "application/json", ref->body, keep, ref->retry_after);
    }
    Admitted a = std::get<Admitted>(std::move(adm));
    ++gw.metrics().in_flight;
    Outcome o;
    bool ok = co_await proxy(c, req, a, o, keep);
    --gw.metrics().in_flight;
    if (gw.store().settles_async()) {
      gw.finish(a, o);  // SQLite: queues the settlement for the group commit, no waiting
    } else {
      auto* g = &gw;  // PostgreSQL: finish() waits for the database
      net::post(workers, [g, a = std::move(a), o = std::move(o)] { g->finish(a, o); });
    }
    co_return ok;
  }

  static constexpr size_t kMaxIdlePerUpstream = 256;
  static constexpr int64_t kIdleMaxMs = 20000;  // under common upstream keep-alive timeouts

  // Moves an idle connection of upstream `idx` into `into` (a fresh stream
  // on the caller's strand, so its timer runs there). False if none.
  bool take_idle(int idx, beast::tcp_stream& into) {
    std::lock_guard<std::mutex> l(idle_mu);
    auto& v = idle[static_cast<size_t>(idx)];
    int64_t now = steady_ms();
    while (!v.empty()) {
      Idle i = std::move(v.back());
      v.pop_back();
      if (now - i.since_ms < kIdleMaxMs) {
        into.socket() = std::move(i.socket);
        return true;
      }
    }
    return false;
  }

  void put_idle(int idx, beast::tcp_stream& s) {
    s.expires_never();
    std::lock_guard<std::mutex> l(idle_mu);
    auto& v = idle[static_cast<size_t>(idx)];
    if (v.size() >= kMaxIdlePerUpstream || draining) return;
    v.push_back(Idle{s.release_socket(), steady_ms()});
  }

  // The request as the upstream gets it: its path prefix, its key instead
  // of the client's, the protocol headers passed on.
  http::request<http::string_body> upstream_request(const http::request<http::string_body>& req, const Admitted& a,
                                                     const UpstreamState& u) {
    std::string rest = a.path;
    if (u.config.path_prefix.size() >= 3 && u.config.path_prefix.compare(u.config.path_prefix.size() - 3, 3, "/v1") == 0)
      rest = a.path.substr(3);
    http::request<http::string_body> ureq{http::verb::post, u.config.path_prefix + rest, 11};
    ureq.set(http::field::host, host_header(u));
    ureq.set(http::field::content_type, "application/json");
    ureq.set(http::field::user_agent, "bastion-gateway");
    for (const char* h : {"anthropic-version", "anthropic-beta", "accept"})
      if (auto v = req[h]; !v.empty()) ureq.set(h, v);
    if (a.protocol == Protocol::kAnthropic && req["anthropic-version"].empty()) ureq.set("anthropic-version", "2023-06-01");
    if (!u.config.api_key_env.empty()) {
      const char* k = std::getenv(u.config.api_key_env.c_str());
      if (k && *k) {
        if (a.protocol == Protocol::kAnthropic) ureq.set("x-api-key", k);
        else ureq.set(http::field::authorization, std::string("Bearer ") + k);
      }
    }
    ureq.body() = a.upstream_body;
    ureq.prepare_payload();
    return ureq;
  }

  static std::string host_header(const UpstreamState& u) {
    bool default_port = u.config.port == (u.config.tls ? "443" : "80");
    return default_port ? u.config.host : u.config.host + ":" + u.config.port;
  }

  // Client side of TLS to an https upstream: SNI, and the certificate must
  // chain to the trust store (or ca_file) and name the host.
  awaitable<void> tls_handshake(beast::ssl_stream<beast::tcp_stream>& ts, const UpstreamState& u,
                                beast::error_code& ec) {
    if (!SSL_set_tlsext_host_name(ts.native_handle(), u.config.host.c_str())) {
      ec = beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category());
      co_return;
    }
    ts.set_verify_callback(ssl::host_name_verification(u.config.host));
    beast::get_lowest_layer(ts).expires_after(std::chrono::milliseconds(gw.config().upstream_connect_timeout_ms));
    co_await ts.async_handshake(ssl::stream_base::client, net::redirect_error(use_awaitable, ec));
  }

  enum class Attempt { kDone, kNext, kStale };

  // Sends the request on a connected upstream stream (TCP or TLS) and
  // relays the reply. kNext: nothing reached the client, try another
  // upstream (no response, or a 5xx kept in `fallback`).
  template <class Stream>
  awaitable<Attempt> exchange(Conn& c, Stream& up, http::request<http::string_body>& ureq, int idx, Admitted& a,
                              Outcome& o, bool& keep, int64_t start,
                              std::optional<std::pair<int, std::string>>& fallback, bool& ok, bool reused,
                              bool& reusable) {
    Router& router = gw.router();
    UpstreamState& u = router.at(idx);
    beast::error_code ec;
    beast::get_lowest_layer(up).expires_after(std::chrono::seconds(600));
    co_await http::async_write(up, ureq, net::redirect_error(use_awaitable, ec));
    // Room for a whole reply of up to kRelayChunk from the first read: an
    // empty flat_buffer reads 512 bytes at a time, so a ~550-byte completion
    // took two reads and went to the client in two writes. Not for streams:
    // thousands may be held open at once, and each would keep the block's
    // first page (~2.7 KiB per stream more RSS at 1,000 streams).
    beast::flat_buffer ubuf;
    if (!a.stream) ubuf.reserve(kRelayChunk);
    http::response_parser<http::buffer_body> p;
    p.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (!ec) co_await http::async_read_header(up, ubuf, p, net::redirect_error(use_awaitable, ec));
    if (ec && reused && ubuf.size() == 0) co_return Attempt::kStale;
    if (ec) {
      router.mark_down(idx);
      gw.metrics().upstream_error(u.config.name, "no_response");
      gw.log({{"level", "warn"}, {"msg", "upstream gave no response"}, {"upstream", u.config.name}, {"error", ec.message()}});
      co_return Attempt::kNext;
    }
    int status = p.get().result_int();
    if (status >= 500) {
      // Read the (small) error body so it can be passed on if no other
      // upstream takes the request.
      std::string body;
      char tmp[4096];
      while (!p.is_done() && body.size() < 65536) {
        p.get().body().data = tmp;
        p.get().body().size = sizeof tmp;
        co_await http::async_read(up, ubuf, p, net::redirect_error(use_awaitable, ec));
        if (ec == http::error::need_buffer) ec = {};
        if (ec) break;
        body.append(tmp, sizeof tmp - p.get().body().size);
      }
      router.mark_down(idx);
      gw.metrics().upstream_error(u.config.name, "http_" + std::to_string(status));
      fallback = std::make_pair(status, std::move(body));
      co_return Attempt::kNext;
    }
    router.mark_up(idx);
    o.ttfb_ms = steady_ms() - start;
    o.http_status = status;
    ok = co_await relay(c, up, ubuf, p, a, o, keep);
    reusable = p.is_done() && p.keep_alive() && o.kind != "client_abort" && o.kind != "upstream_error";
    co_return Attempt::kDone;
  }

  // Relays the admitted request to an upstream, failing over on connect
  // errors and 5xx before any byte reached the client.
  awaitable<bool> proxy(Conn& c, http::request<http::string_body>& req, Admitted& a, Outcome& o, bool& keep) {
    auto ex = co_await net::this_coro::executor;
    Router& router = gw.router();
    std::vector<int> tried;
    std::optional<std::pair<int, std::string>> fallback;  // last 5xx (status, body)
    int64_t start = steady_ms();
    for (;;) {
      Router::Pick pick = router.acquire(a.model, a.protocol, tried);
      if (pick.failure) break;
      int idx = pick.index;
      tried.push_back(idx);
      UpstreamState& u = router.at(idx);
      o.upstream = u.config.name;
      struct SlotGuard {
        Router& r;
        int i;
        ~SlotGuard() { r.release(i); }
      } slot{router, idx};

      beast::error_code ec;
      beast::tcp_stream up(ex);
      bool reused = !u.config.tls && take_idle(idx, up);
      if (!reused) {
        tcp::resolver resolver(ex);
        auto results = co_await resolver.async_resolve(u.config.host, u.config.port, net::redirect_error(use_awaitable, ec));
        if (!ec) {
          up.expires_after(std::chrono::milliseconds(gw.config().upstream_connect_timeout_ms));
          co_await up.async_connect(results, net::redirect_error(use_awaitable, ec));
        }
        // A reused connection has it already (one syscall per request).
        if (!ec) up.socket().set_option(tcp::no_delay(true), ec);
      }
      if (ec) {
        router.mark_down(idx);
        gw.metrics().upstream_error(u.config.name, "connect");
        gw.log({{"level", "warn"}, {"msg", "upstream connect failed"}, {"upstream", u.config.name}, {"error", ec.message()}});
        continue;
      }
      http::request<http::string_body> ureq = upstream_request(req, a, u);
      bool ok = false, reusable = false;
      Attempt step;
      if (ssl::context* ctx = tls[static_cast<size_t>(idx)].get()) {
        beast::ssl_stream<beast::tcp_stream> ts(std::move(up), *ctx);
        co_await tls_handshake(ts, u, ec);
        if (ec) {
          router.mark_down(idx);
          gw.metrics().upstream_error(u.config.name, "tls");
          gw.log({{"level", "warn"}, {"msg", "upstream TLS handshake failed"}, {"upstream", u.config.name},
                  {"error", ec.message()}});
          continue;
        }
        step = co_await exchange(c, ts, ureq, idx, a, o, keep, start, fallback, ok, false, reusable);
      } else {
        step = co_await exchange(c, up, ureq, idx, a, o, keep, start, fallback, ok, reused, reusable);
        if (reusable) put_idle(idx, up);
      }
      if (step == Attempt::kStale) {
        tried.pop_back();  // a kept-alive connection the upstream had closed: not a failure
        continue;
      }
      if (step == Attempt::kNext) continue;
      co_return ok;
    }
    if (fallback) {
      o.http_status = fallback->first;
      o.kind = "upstream_error";
      co_return co_await send_simple(c, fallback->first, "application/json", fallback->second, keep);
    }
    o.kind = "no_upstream";
    o.http_status = tried.empty() ? 503 : 502;
    std::string msg = tried.empty() ? "every upstream for model '" + a.model + "' is at its concurrency limit"
                                    : "no upstream for model '" + a.model + "' could be reached";
    co_return co_await send_simple(c, o.http_status, "application/json",
                                   Gateway::error_body(a.protocol, tried.empty() ? "overloaded_error" : "api_error", msg), keep,
                                   tried.empty() ? 1 : -1);
  }

  template <class Stream>
  awaitable<bool> relay(Conn& c, Stream& up, beast::flat_buffer& ubuf,
                        http::response_parser<http::buffer_body>& p, Admitted& a, Outcome& o, bool& keep) {
    auto& uh = p.get();
    std::string ctype(uh[http::field::content_type]);
    bool sse = ctype.find("text/event-stream") != std::string::npos;
    // A stream may be held open for minutes: it keeps only what its events
    // need (thousands of streams at once), not the first read's room.
    if (sse && ubuf.capacity() >= kRelayChunk) ubuf.shrink_to_fit();
    http::response<http::empty_body> res{uh.result(), 11};
    res.set(http::field::server, "bastion-gateway");
    if (!ctype.empty()) res.set(http::field::content_type, ctype);
    for (auto f : {http::field::cache_control, http::field::retry_after})
      if (auto v = uh[f]; !v.empty()) res.set(f, v);
    res.set("x-request-id", a.request_id);
    res.chunked(true);
    res.keep_alive(keep);
    beast::error_code ec, uec;
    // A stream's header goes out at once. Any other reply's header waits
    // for its first bytes and leaves with them, and a reply that is
    // complete by then leaves in one write with its last chunk: one
    // segment for the client to wake up for instead of three.
    std::string head;
    bool last_sent = false;
    if (sse) {
      http::response_serializer<http::empty_body> sr{res};
      co_await http::async_write_header(c.stream, sr, net::redirect_error(use_awaitable, ec));
      if (ec) {
        o.kind = "client_abort";
        co_return false;
      }
    } else {
      std::ostringstream os;
      os << res.base();
      head = os.str();
    }
    StreamMeter meter(a.protocol, sse && a.strip_usage);
    if (sse) ++gw.metrics().open_streams;
    std::string whole;  // non-SSE bodies, kept to read usage
    char tmp[kRelayChunk];
    bool client_gone = false;
    while (!p.is_done()) {
      uh.body().data = tmp;
      uh.body().size = sizeof tmp;
      // read_some: hand over whatever arrived; async_read would wait to fill tmp.
      co_await http::async_read_some(up, ubuf, p, net::redirect_error(use_awaitable, uec));
      if (uec == http::error::need_buffer) uec = {};
      if (uec) break;
      size_t n = sizeof tmp - uh.body().size;
      if (n == 0) continue;
      std::string_view data(tmp, n);
      o.streamed_bytes += static_cast<int64_t>(n);
      std::string filtered;
      if (sse) {
        filtered = meter.feed(data);
        if (!a.strip_usage) filtered.clear();  // forward `data` itself
      } else if (whole.size() < (64u << 20)) {
        whole.append(data);
      }
      if (a.strip_usage && sse && filtered.empty()) continue;
      if (!sse) {
        std::string out = std::move(head);
        head.clear();
        append_chunk(out, data);
        if (p.is_done()) {
          out.append("0\r\n\r\n");
          last_sent = true;
        }
        co_await net::async_write(c.stream, net::buffer(out), net::redirect_error(use_awaitable, ec));
        if (ec) {
          client_gone = true;
          break;
        }
        continue;
      }
      net::const_buffer out = (sse && a.strip_usage) ? net::const_buffer(filtered.data(), filtered.size())
                                                      : net::const_buffer(data.data(), data.size());
      co_await net::async_write(c.stream, http::make_chunk(out), net::redirect_error(use_awaitable, ec));
      if (ec) {
        client_gone = true;
        break;
      }
    }
    if (sse) --gw.metrics().open_streams;
    if (!head.empty() && !client_gone) {  // a reply without body bytes: its header now
      co_await net::async_write(c.stream, net::buffer(head), net::redirect_error(use_awaitable, ec));
      if (ec) client_gone = true;
    }
    if (sse) {
      std::string rest = meter.finish();
      if (!rest.empty() && !client_gone && !uec)
        co_await net::async_write(c.stream, http::make_chunk(net::buffer(rest)), net::redirect_error(use_awaitable, ec));
      o.usage = meter.usage();
      o.text_bytes = meter.text_bytes();
    } else {
      o.usage = usage_from_body(whole, a.protocol);
    }
    if (gw.config().audit_bodies) o.response_body = whole.substr(0, kMaxAuditBody);
    if (client_gone) {
      o.kind = "client_abort";
      co_return false;
    }
    if (uec) {
      o.kind = "upstream_error";
      gw.metrics().upstream_error(o.upstream, "midstream");
      gw.log({{"level", "warn"}, {"msg", "upstream failed mid-reply"}, {"upstream", o.upstream},
              {"request_id", a.request_id}, {"error", uec.message()}});
      if (!sse) co_return false;  // no final chunk: the client sees a truncated body, not a complete one
      // A stream ends the way providers end a failed stream: an error event
      // in the client's protocol, then the end of the body.
      std::string err = Gateway::error_body(a.protocol, "api_error",
                                            "the upstream connection was lost mid-stream (" + uec.message() + ")",
                                            {{"code", "upstream_disconnected"}});
      std::string event = a.protocol == Protocol::kAnthropic ? "event: error\ndata: " + err + "\n\n"
                                                             : "data: " + err + "\n\n";
      co_await net::async_write(c.stream, http::make_chunk(net::buffer(event)), net::redirect_error(use_awaitable, ec));
      if (!ec) co_await net::async_write(c.stream, http::make_chunk_last(), net::redirect_error(use_awaitable, ec));
      co_return false;
    }
    o.kind = o.http_status < 400 ? "ok" : "error";
    if (!last_sent) co_await net::async_write(c.stream, http::make_chunk_last(), net::redirect_error(use_awaitable, ec));
    co_return !ec;
  }

  // Writes settlements that failed while the database was unreachable.
  awaitable<void> settle_retry_loop() {
    net::steady_timer timer(ioc);
    while (!draining) {
      timer.expires_after(std::chrono::seconds(1));
      beast::error_code ec;
      co_await timer.async_wait(net::redirect_error(use_awaitable, ec));
      if (gw.unsettled() > 0) net::post(workers, [g = &gw] { g->retry_unsettled(); });
    }
  }

  // GET health_path on a connected stream; true when it answers below 500.
  template <class Stream>
  awaitable<bool> health_get(Stream& s, const UpstreamState& u) {
    const std::string& hp = u.config.health_path;
    std::string target = u.config.path_prefix.empty() || hp.rfind("/v1", 0) != 0 ? hp : u.config.path_prefix + hp.substr(3);
    http::request<http::empty_body> hreq{http::verb::get, target, 11};
    hreq.set(http::field::host, host_header(u));
    beast::error_code ec;
    co_await http::async_write(s, hreq, net::redirect_error(use_awaitable, ec));
    beast::flat_buffer b;
    http::response<http::string_body> hres;
    if (!ec) co_await http::async_read(s, b, hres, net::redirect_error(use_awaitable, ec));
    co_return !ec && hres.result_int() < 500;
  }

  awaitable<void> health_loop() {
    net::steady_timer timer(ioc);
    auto ex = co_await net::this_coro::executor;
    while (!draining) {
      for (size_t i = 0; i < gw.router().size() && !draining; ++i) {
        UpstreamState& u = gw.router().at(static_cast<int>(i));
        beast::tcp_stream s(ex);
        tcp::resolver resolver(ex);
        beast::error_code ec;
        auto results = co_await resolver.async_resolve(u.config.host, u.config.port, net::redirect_error(use_awaitable, ec));
        s.expires_after(std::chrono::seconds(2));
        if (!ec) co_await s.async_connect(results, net::redirect_error(use_awaitable, ec));
        bool up = false;
        if (!ec && tls[i]) {
          beast::ssl_stream<beast::tcp_stream> ts(std::move(s), *tls[i]);
          co_await tls_handshake(ts, u, ec);
          beast::get_lowest_layer(ts).expires_after(std::chrono::seconds(2));
          if (!ec) up = co_await health_get(ts, u);
        } else if (!ec) {
          up = co_await health_get(s, u);
        }
        if (up) gw.router().mark_up(static_cast<int>(i));
        else gw.router().mark_down(static_cast<int>(i));
      }
      timer.expires_after(std::chrono::seconds(gw.config().health_interval_seconds));
      beast::error_code ec;
      co_await timer.async_wait(net::redirect_error(use_awaitable, ec));
    }
  }

  void begin_drain() {
    if (draining.exchange(true)) return;
    gw.log({{"msg", "draining"}, {"active", active.load()}});
    beast::error_code ec;
    acceptor.close(ec);
    std::lock_guard<std::mutex> l(conns_mu);
    for (auto& [id, w] : conns) {
      if (auto c = w.lock()) {
        net::post(c->stream.get_executor(), [c] {
          if (!c->busy) c->stream.cancel();
        });
      }
    }
    auto deadline = steady_ms() + gw.config().drain_seconds * 1000LL;
    auto timer = std::make_shared<net::steady_timer>(ioc);
    auto tick = std::make_shared<std::function<void()>>();
    *tick = [this, timer, deadline, tick] {
      if (active.load() == 0 || steady_ms() >= deadline) {
        ioc.stop();
        return;
      }
      timer->expires_after(std::chrono::milliseconds(20));
      timer->async_wait([tick](const beast::error_code&) { (*tick)(); });
    };
    (*tick)();
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::create(Gateway& gateway) {
  auto impl = std::make_unique<Impl>(gateway, gateway.config().db_pool);
  const GatewayConfig& cfg = gateway.config();
  if (auto s = gateway.store().checkpoint_in_background(kCheckpointIntervalMs); !s) return s.error();
  beast::error_code ec;
  impl->idle.resize(gateway.router().size());
  for (size_t i = 0; i < gateway.router().size(); ++i) {
    const UpstreamConfig& u = gateway.router().at(static_cast<int>(i)).config;
    if (!u.tls) {
      impl->tls.emplace_back();
      continue;
    }
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ctx->set_verify_mode(ssl::verify_peer);
    if (u.ca_file.empty()) ctx->set_default_verify_paths(ec);
    else ctx->load_verify_file(u.ca_file, ec);
    if (ec)
      return Error(ErrorKind::kConfig, "upstream '" + u.name + "': cannot load " +
                                           (u.ca_file.empty() ? std::string("the system CA store") : "ca_file " + u.ca_file) +
                                           ": " + ec.message());
    impl->tls.push_back(std::move(ctx));
  }
  auto addr = net::ip::make_address(cfg.listen_host, ec);
  if (ec) return Error(ErrorKind::kConfig, "listen: bad address " + cfg.listen_host);
  int port = std::atoi(cfg.listen_port.c_str());
  tcp::endpoint ep(addr, static_cast<unsigned short>(port));
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(4096, ec);
  if (ec) return Error(ErrorKind::kNetwork, "cannot listen on " + cfg.listen_host + ":" + cfg.listen_port + ": " + ec.message());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

int Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run(bool handle_signals) {
  Impl& m = *impl_;
  net::co_spawn(m.ioc, m.accept_loop(), net::detached);
  net::co_spawn(m.ioc, m.settle_retry_loop(), net::detached);
  if (m.gw.config().health_interval_seconds > 0 && m.gw.router().size() > 0)
    net::co_spawn(m.ioc, m.health_loop(), net::detached);
  if (handle_signals) {
    m.signals.add(SIGTERM);
    m.signals.add(SIGINT);
    m.signals.async_wait([&m](const beast::error_code& ec, int) {
      if (!ec) m.begin_drain();
    });
  }
  m.gw.log({{"msg", "listening"}, {"port", port()}});
  // Reservations admitted on the io thread are committed there too, once
  // per round of the event loop (no hand-off to the committer thread and
  // back); see GatewayStore::commit_on.
  m.gw.store().commit_on([&m](std::function<void()> f) { net::post(m.ioc, std::move(f)); });
  std::vector<std::thread> extra;
  for (int i = 1; i < m.gw.config().threads; ++i) extra.emplace_back([&m] { m.ioc.run(); });
  m.ioc.run();
  for (auto& t : extra) t.join();
  m.gw.store().commit_on(nullptr);
  m.workers.join();  // settle every finished request before returning
  m.gw.store().flush();  // and the settlements queued for the group commit
  // Settlements still queued by a database outage get a last few seconds.
  for (int64_t deadline = steady_ms() + 5000; m.gw.retry_unsettled() > 0 && steady_ms() < deadline;)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  if (size_t lost = m.gw.unsettled())
    m.gw.log({{"level", "error"}, {"msg", "database unreachable at shutdown: settlements not written"},
              {"count", lost}, {"note", "their reservations stay charged at the estimate"}});
  m.gw.log({{"msg", "stopped"}});
}

void Server::stop() {
  Impl* m = impl_.get();
  net::post(m->ioc, [m] { m->begin_drain(); });
}

}  // namespace bastion::gateway
