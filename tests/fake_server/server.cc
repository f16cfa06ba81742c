#include "server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "anthropic_wire.h"
#include "aux_endpoints.h"
#include "expect.h"
#include "openai_wire.h"
#include "reply_plan.h"
#include "request_view.h"

namespace bastion::fake_server {
namespace {

using Json = nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

WireJson error_for(bool anthropic, int status, const std::string& message) {
  if (anthropic)
    return anthropic_error(status == 418 ? "expect_failed"
                           : status >= 500 ? "api_error"
                                           : "invalid_request_error",
                           message);
  return openai_error(message,
                      status == 418 ? "expect_failed"
                      : status >= 500 ? "server_error"
                                      : "invalid_request_error",
                      nullptr);
}

std::string crlf_lines(const std::string& frame) {
  std::string out;
  for (char c : frame) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

void sleep_ms(int ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

Server::Server(Scenario scenario, std::string log_path)
    : scenario_(std::move(scenario)),
      turns_(scenario_.turns),
      log_path_(std::move(log_path)),
      start_(std::chrono::steady_clock::now()) {}

std::string Server::listen(int port, int* bound_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return std::string("socket: ") + std::strerror(errno);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return std::string("bind 127.0.0.1: ") + std::strerror(errno);
  if (::listen(listen_fd_, 128) != 0) return std::string("listen: ") + std::strerror(errno);
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  *bound_port = ntohs(addr.sin_port);
  return "";
}

void Server::serve_forever() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE) continue;
      return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::thread([this, fd] { handle_connection(fd); }).detach();
  }
}

void Server::handle_connection(int fd) {
  RequestReader reader(fd);
  HttpRequest req;
  std::string error;
  while (reader.read(&req, &error)) {
    if (!handle(fd, req) || !req.keep_alive) break;
  }
  if (!error.empty()) log({{"connection_error", error}});
  ::close(fd);
}

void Server::log(const Json& line) {
  std::string text = line.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(log_mu_);
  int fd = ::open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0 && errno != EINTR) break;
    if (n > 0) off += static_cast<size_t>(n);
  }
  ::close(fd);
}

Json Server::log_entry(const HttpRequest& req, const Json& body) const {
  Json headers = Json::object();
  for (const auto& [k, v] : req.headers) headers[k] = v;
  Json entry = {{"method", req.method}, {"path", req.path}, {"headers", headers},
                {"body", body}, {"turn", nullptr},
                {"time_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start_).count()},
                {"wall_us", std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count()}};
  // Wall-clock time, so a benchmark can measure a client's time to first request.
  entry["unix_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  if (!req.query.empty()) entry["query"] = req.query;
  return entry;
}

bool Server::send_json(int fd, int status, const WireJson& body, bool anthropic,
                       const Headers& extra) {
  std::string text = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  Headers headers = {{"content-type", "application/json"},
                     {anthropic ? "request-id" : "x-request-id", make_id("req_", status, 0)}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  ResponseWriter w(fd, WireShape{});
  return w.start(status, headers, false, text.size()) && w.body(text);
}

bool Server::handle(int fd, const HttpRequest& req) {
  Json body = nullptr;  // parsed once here, logged and used by the handlers
  if (!req.body.empty()) {
    body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded()) body = req.body;  // logged as a raw string
  }
  bool anthropic = !req.header("anthropic-version").empty();
  if (req.path == "/v1/chat/completions" || req.path == "/v1/messages") {
    if (req.method != "POST") {
      log(log_entry(req, body));
      return send_json(fd, 405, error_for(anthropic, 405, "Method Not Allowed"), anthropic);
    }
    return handle_model(fd, req, body, req.path == "/v1/messages");
  }
  log(log_entry(req, body));
  if (req.path == "/v1/models" && req.method == "GET") {
    if (scenario_.models_status != 200) {
      Reply fault;
      fault.status = scenario_.models_status;
      return send_json(fd, fault.status,
                       anthropic ? anthropic_error_body(fault, "") : openai_error_body(fault, ""),
                       anthropic);
    }
    return send_json(fd, 200, models_body(scenario_.models, anthropic), anthropic);
  }
  if (req.path == "/v1/embeddings" && req.method == "POST") {
    std::string error;
    WireJson out = embeddings_body(body, scenario_.embedding_dims, &error);
    if (!error.empty())
      return send_json(fd, 400, openai_error(error, "invalid_request_error", nullptr), false);
    return send_json(fd, 200, out, false);
  }
  std::string message = "Unknown request URL: " + req.method + " " + req.path +
                        ". Please check the URL for typos, or see the docs at "
                        "https://platform.openai.com/docs/api-reference/.";
  WireJson err = anthropic ? anthropic_error("not_found_error", "Not Found")
                       : openai_error(message, "invalid_request_error", "unknown_url");
  return send_json(fd, 404, err, anthropic);
}

bool Server::handle_model(int fd, const HttpRequest& req, const Json& body, bool anthropic) {
  if (!body.is_object()) {
    Json entry = log_entry(req, req.body);
    entry["bad_request"] = "request body is not a JSON object";
    log(entry);
    return send_json(fd, 400, error_for(anthropic, 400, "We could not parse the JSON body of your request."), anthropic);
  }
  RequestView view = view_request(anthropic ? Protocol::kAnthropic : Protocol::kOpenAI, body);
  Json entry = log_entry(req, body);
  int index = 0;
  std::optional<Turn> turn = turns_.next(&index);
  if (!turn) {
    entry["scenario_exhausted"] = true;
    log(entry);
    std::string msg = "scenario exhausted: the scenario has " + std::to_string(turns_.size()) +
                      " turns and this is model request " + std::to_string(index + 1);
    return send_json(fd, 500, error_for(anthropic, 500, msg), anthropic);
  }
  entry["turn"] = index;
  std::string failure = check_expect(turn->expect, req, body, view);
  if (!failure.empty()) entry["expect_failed"] = failure;
  log(entry);
  if (!failure.empty()) {
    std::string msg = "fake server expectation failed on turn " + std::to_string(index) + ": " + failure;
    return send_json(fd, 418, error_for(anthropic, 418, msg), anthropic);
  }
  const Reply& r = turn->reply;
  if (r.empty_reply) {
    close_connection(fd, r.drop_reset);
    return false;
  }
  sleep_ms(r.hang_ms);
  WireShape shape{r.chunk_bytes, r.delay_ms, r.drop_after_bytes, r.drop_reset,
                  r.stall_after_bytes, r.stall_ms};
  Headers headers = {{anthropic ? "request-id" : "x-request-id", make_id("req_", index, 1)}};
  if (r.retry_after) headers.push_back({"retry-after", *r.retry_after});
  ResponseWriter w(fd, shape);
  if (r.status >= 400) {
    WireJson err = anthropic ? anthropic_error_body(r, view.model) : openai_error_body(r, view.model);
    std::string text = err.dump();
    headers.push_back({"content-type", "application/json"});
    return w.start(r.status, headers, false, text.size()) && w.body(text);
  }
  ReplyPlan plan = make_plan(r, view, index);
  if (!view.stream) {
    std::string text = (anthropic ? anthropic_response(plan) : openai_response(plan))
                           .dump(-1, ' ', false, Json::error_handler_t::replace);
    headers.push_back({"content-type", "application/json"});
    return w.start(r.status, headers, false, text.size()) && w.body(text);
  }
  std::vector<std::string> frames =
      !r.raw_frames.empty() ? r.raw_frames
      : anthropic           ? anthropic_stream_frames(plan)
                            : openai_stream_frames(plan);
  if (r.crlf)
    for (std::string& f : frames) f = crlf_lines(f);
  if (r.keepalive_comments) {
    std::vector<std::string> with;
    for (std::string& f : frames) {
      if (!with.empty()) with.push_back(r.crlf ? ": keep-alive\r\n\r\n" : ": keep-alive\n\n");
      with.push_back(std::move(f));
    }
    frames = std::move(with);
  }
  headers.push_back({"content-type", "text/event-stream; charset=utf-8"});
  headers.push_back({"cache-control", "no-cache"});
  if (!w.start(r.status, headers, true)) return false;
  for (const std::string& f : frames)
    if (!w.body(f)) return false;
  return w.finish();
}

}  // namespace bastion::fake_server
