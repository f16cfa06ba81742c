// A tiny scripted HTTP/1.1 upstream for gateway tests: thread per
// connection on 127.0.0.1, one request per connection, replies produced by
// a handler (status, headers, body pieces with optional delays, or a drop
// mid-body). Records every request it saw. With a certificate and key it
// speaks HTTPS (OpenSSL), for the gateway's https upstreams.
#pragma once

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bastion::gateway::testing {

struct UpRequest {
  std::string method, path, body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct UpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::string> pieces;  // written in order
  int delay_ms = 0;                 // between pieces
  bool drop_after_first = false;    // close the socket after the first piece
  int drop_after_pieces = 0;        // > 0: close the socket after this many pieces
};

class MiniUpstream {
 public:
  using Handler = std::function<UpResponse(const UpRequest&)>;
  // cert_pem/key_pem: files; both set = HTTPS.
  explicit MiniUpstream(Handler h, const std::string& cert_pem = "", const std::string& key_pem = "")
      : handler_(std::move(h)) {
    if (!cert_pem.empty()) {
      tls_ = SSL_CTX_new(TLS_server_method());
      if (SSL_CTX_use_certificate_chain_file(tls_, cert_pem.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(tls_, key_pem.c_str(), SSL_FILETYPE_PEM) != 1) {
        SSL_CTX_free(tls_);
        tls_ = nullptr;
        tls_failed_ = true;
      }
    }
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 512);
    thread_ = std::thread([this] { loop(); });
  }
  ~MiniUpstream() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    std::lock_guard<std::mutex> l(mu_);
    for (auto& t : workers_) t.join();
    if (tls_) SSL_CTX_free(tls_);
  }
  bool tls_failed() const { return tls_failed_; }
  int handshakes_failed() const { return handshakes_failed_; }
  int port() const { return port_; }
  std::string url() const { return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_); }
  std::vector<UpRequest> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
  }
  int count() {
    std::lock_guard<std::mutex> l(mu_);
    return static_cast<int>(seen_.size());
  }

 private:
  void loop() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) break;
      std::lock_guard<std::mutex> l(mu_);
      workers_.emplace_back([this, c] { serve(c); });
    }
  }
  // One connection's byte stream, plain or TLS.
  struct Io {
    int fd;
    SSL* ssl = nullptr;
    ssize_t read(char* buf, size_t n) {
      if (!ssl) return ::recv(fd, buf, n, 0);
      int r = SSL_read(ssl, buf, static_cast<int>(n));
      return r > 0 ? r : -1;
    }
    ssize_t write(const char* buf, size_t n) {
      if (!ssl) return ::send(fd, buf, n, MSG_NOSIGNAL);
      int r = SSL_write(ssl, buf, static_cast<int>(n));
      return r > 0 ? r : -1;
    }
    void close() {
      if (ssl) SSL_free(ssl);
      ::close(fd);
    }
  };
  static bool send_all(Io& io, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = io.write(s.data() + off, s.size() - off);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  void serve(int c) {
    Io io{c};
    if (tls_) {
      io.ssl = SSL_new(tls_);
      SSL_set_fd(io.ssl, c);
      if (SSL_accept(io.ssl) != 1) {
        ++handshakes_failed_;
        io.close();
        return;
      }
    }
    std::string buf;
    char tmp[8192];
    size_t hdr_end;
    while ((hdr_end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = io.read(tmp, sizeof tmp);
      if (n <= 0) {
        io.close();
        return;
      }
      buf.append(tmp, static_cast<size_t>(n));
    }
    UpRequest r;
    std::string head = buf.substr(0, hdr_end);
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
    r.method = first.substr(0, sp1);
    r.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string k = line.substr(0, colon);
        for (auto& ch : k) ch = static_cast<char>(tolower(ch));
        std::string v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        r.headers[k] = v;
      }
      pos = e + 2;
    }
    size_t want = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    r.body = buf.substr(hdr_end + 4);
    while (r.body.size() < want) {
      ssize_t n = io.read(tmp, sizeof tmp);
      if (n <= 0) break;
      r.body.append(tmp, static_cast<size_t>(n));
    }
    if (r.method != "GET") {  // health checks are not recorded
      std::lock_guard<std::mutex> l(mu_);
      seen_.push_back(r);
    }
    UpResponse resp;
    if (r.method == "GET") {  // health checks
      resp.pieces = {"{\"object\":\"list\",\"data\":[]}"};
    } else {
      resp = handler_(r);
    }
    std::string total;
    for (auto& p : resp.pieces) total += p;
    if (resp.drop_after_first) resp.drop_after_pieces = 1;
    bool chunked = resp.drop_after_pieces > 0 || resp.delay_ms > 0;
    std::string h = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\nContent-Type: " + resp.content_type +
                    "\r\nConnection: close\r\n";
    h += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: " + std::to_string(total.size()) + "\r\n\r\n";
    send_all(io, h);
    for (size_t i = 0; i < resp.pieces.size(); ++i) {
      const std::string& p = resp.pieces[i];
      if (chunked) {
        char len[32];
        snprintf(len, sizeof len, "%zx\r\n", p.size());
        if (!send_all(io, len + p + "\r\n")) break;
      } else if (!send_all(io, p)) {
        break;
      }
      if (resp.drop_after_pieces > 0 && static_cast<int>(i) + 1 >= resp.drop_after_pieces) {
        ::shutdown(c, SHUT_RDWR);
        io.close();
        return;
      }
      if (resp.delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(resp.delay_ms));
    }
    if (chunked) send_all(io, "0\r\n\r\n");
    if (io.ssl) SSL_shutdown(io.ssl);
    ::shutdown(c, SHUT_WR);
    while (io.read(tmp, sizeof tmp) > 0) {
    }
    io.close();
  }

  Handler handler_;
  SSL_CTX* tls_ = nullptr;
  bool tls_failed_ = false;
  std::atomic<int> handshakes_failed_{0};
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<UpRequest> seen_;
};

// Canned OpenAI / Anthropic replies.
inline std::string openai_json(const std::string& text, int in, int out, int cached = 0, int reasoning = 0) {
  return "{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
         "\"assistant\",\"content\":\"" + text + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" +
         std::to_string(in) + ",\"completion_tokens\":" + std::to_string(out) +
         ",\"prompt_tokens_details\":{\"cached_tokens\":" + std::to_string(cached) +
         "},\"completion_tokens_details\":{\"reasoning_tokens\":" + std::to_string(reasoning) + "}}}";
}

inline std::vector<std::string> openai_sse(const std::vector<std::string>& words, int in, int out, bool usage) {
  std::vector<std::string> v;
  for (auto& w : words)
    v.push_back("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
                "{\"content\":\"" + w + "\"}}]}\n\n");
  if (usage)
    v.push_back("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":"
                "{\"prompt_tokens\":" + std::to_string(in) + ",\"completion_tokens\":" + std::to_string(out) + "}}\n\n");
  v.push_back("data: [DONE]\n\n");
  return v;
}

inline std::vector<std::string> anthropic_sse(const std::string& text, int in, int cache_read, int out) {
  return {
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m1\",\"type\":\"message\","
      "\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":" + std::to_string(in) +
          ",\"cache_read_input_tokens\":" + std::to_string(cache_read) + ",\"output_tokens\":1}}}\n\n",
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
      "{\"type\":\"text\",\"text\":\"\"}}\n\n",
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
      "{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}\n\n",
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
      "\"usage\":{\"output_tokens\":" + std::to_string(out) + "}}\n\n",
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"};
}

}  // namespace bastion::gateway::testing
