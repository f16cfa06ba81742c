// A tiny HTTP/1.1 server on 127.0.0.1 (random port) for client tests.
//
// Each connection reads one request (headers + Content-Length body), records
// it, and asks the handler for a reply: a list of raw byte pieces written one
// by one (with an optional pause), then the connection closes. Because the
// reply is raw bytes, tests can send any framing: partial SSE frames, a body
// cut off mid-stream, or nothing at all.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bastion::testing {

struct RecordedRequest {
  std::string method, path, headers, body;
  std::string header(const std::string& name) const {
    std::string lower_h, lower_n;
    for (char c : headers) lower_h += static_cast<char>(tolower(c));
    for (char c : name) lower_n += static_cast<char>(tolower(c));
    auto p = lower_h.find("\n" + lower_n + ":");
    if (p == std::string::npos) return "";
    p += lower_n.size() + 2;
    auto e = headers.find('\r', p);
    std::string v = headers.substr(p, e - p);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    return v;
  }
};

struct Reply {
  std::vector<std::string> pieces;  // written in order
  int pause_ms = 0;                 // between pieces
};

// A complete HTTP response with the given status, headers and body; the body
// is streamed (no Content-Length, connection closes at the end).
inline std::string http_head(int status, const std::string& extra_headers = "",
                             const std::string& content_type = "text/event-stream") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + content_type +
         "\r\nConnection: close\r\n" + extra_headers + "\r\n";
}

inline Reply simple_reply(int status, const std::string& body,
                          const std::string& content_type = "application/json",
                          const std::string& extra_headers = "") {
  return Reply{{"HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + content_type +
                "\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\nConnection: close\r\n" + extra_headers + "\r\n" + body}};
}

class TestHttpServer {
 public:
  using Handler = std::function<Reply(const RecordedRequest&, int index)>;

  explicit TestHttpServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }

  ~TestHttpServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<RecordedRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void loop() {
    int index = 0;
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      int one = 1;
      setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      RecordedRequest req;
      if (read_request(c, &req)) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          requests_.push_back(req);
        }
        Reply reply = handler_(req, index++);
        for (size_t i = 0; i < reply.pieces.size(); ++i) {
          if (i > 0 && reply.pause_ms > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(reply.pause_ms));
          const std::string& p = reply.pieces[i];
          if (send(c, p.data(), p.size(), MSG_NOSIGNAL) < 0) break;
        }
      }
      shutdown(c, SHUT_WR);
      close(c);
    }
  }

  static bool read_request(int c, RecordedRequest* req) {
    std::string buf;
    char tmp[4096];
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf.append(tmp, n);
    }
    std::string head = buf.substr(0, head_end + 2);
    req->method = head.substr(0, head.find(' '));
    size_t p1 = head.find(' ') + 1;
    req->path = head.substr(p1, head.find(' ', p1) - p1);
    req->headers = head;
    size_t length = 0;
    std::string cl = req->header("content-length");
    if (!cl.empty()) length = std::stoul(cl);
    std::string body = buf.substr(head_end + 4);
    while (body.size() < length) {
      ssize_t n = recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      body.append(tmp, n);
    }
    req->body = body;
    return true;
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace bastion::testing
