// A scripted HTTP/1.1 server on 127.0.0.1 that keeps connections open, for
// the HttpClient keep-alive tests (tests/unit/llm/test_http_server.h closes
// every connection after one reply).
//
// Each connection runs on its own thread and reads requests one after the
// other; the handler sees the request, its overall index and the index of
// the connection it came on, and answers with raw byte pieces, optionally
// closing the connection afterwards (or instead of answering).
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

#include "unit/llm/test_http_server.h"

namespace bastion::testing {

struct Step {
  std::vector<std::string> pieces;
  int pause_ms = 0;          // between pieces
  bool close_after = false;  // close the connection after the pieces
};

class KeepAliveServer {
 public:
  using Handler = std::function<Step(const RecordedRequest&, int request, int connection)>;

  explicit KeepAliveServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~KeepAliveServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int c : open_) shutdown(c, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }
  std::vector<RecordedRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void accept_loop() {
    while (true) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      int one = 1;
      setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      int index = connections_++;
      std::lock_guard<std::mutex> lock(mu_);
      open_.push_back(c);
      workers_.emplace_back([this, c, index] { serve(c, index); });
    }
  }

  void serve(int c, int connection) {
    std::string buf;
    while (true) {
      RecordedRequest req;
      if (!read_request(c, buf, &req)) break;
      int index;
      {
        std::lock_guard<std::mutex> lock(mu_);
        index = static_cast<int>(requests_.size());
        requests_.push_back(req);
      }
      Step step = handler_(req, index, connection);
      bool ok = true;
      for (size_t i = 0; i < step.pieces.size() && ok; ++i) {
        if (i > 0 && step.pause_ms > 0)
          std::this_thread::sleep_for(std::chrono::milliseconds(step.pause_ms));
        const std::string& p = step.pieces[i];
        ok = send(c, p.data(), p.size(), MSG_NOSIGNAL) >= 0;
      }
      if (!ok || step.close_after) break;
    }
    shutdown(c, SHUT_WR);
    char sink[256];
    while (recv(c, sink, sizeof sink, 0) > 0) {
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& o : open_) {
      if (o == c) o = -1;
    }
    close(c);
  }

  // Reads one request (head + Content-Length body) from `buf` + the socket;
  // bytes after it stay in `buf`.
  static bool read_request(int c, std::string& buf, RecordedRequest* req) {
    char tmp[4096];
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
    }
    std::string head = buf.substr(0, head_end + 2);
    req->method = head.substr(0, head.find(' '));
    size_t p1 = head.find(' ') + 1;
    req->path = head.substr(p1, head.find(' ', p1) - p1);
    req->headers = head;
    std::string cl = req->header("content-length");
    size_t length = cl.empty() ? 0 : std::stoul(cl);
    while (buf.size() < head_end + 4 + length) {
      ssize_t n = recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
    }
    req->body = buf.substr(head_end + 4, length);
    buf.erase(0, head_end + 4 + length);
    return true;
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> open_;
  std::vector<std::thread> workers_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace bastion::testing
