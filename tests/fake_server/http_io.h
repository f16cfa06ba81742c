// Minimal HTTP/1.1 over a raw socket, so the fake server controls every byte
// on the wire: where TCP writes split, how long it pauses between them, and
// when it drops the connection. Reads requests (Content-Length or chunked
// bodies, Expect: 100-continue, keep-alive) and writes responses either with
// Content-Length or as chunked streams shaped by a WireShape.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace bastion::fake_server {

struct HttpRequest {
  std::string method;
  std::string path;    // without the query string
  std::string query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool keep_alive = true;

  std::string header(const std::string& lower_name) const;
};

// Reads requests from one connection, keeping bytes that belong to the next.
class RequestReader {
 public:
  explicit RequestReader(int fd) : fd_(fd) {}
  // False on EOF or a malformed request (*error says which; "" for EOF).
  bool read(HttpRequest* req, std::string* error);

 private:
  bool fill();  // reads more bytes into buf_; false on EOF/error
  int fd_;
  std::string buf_;
};

// How a response body goes out.
struct WireShape {
  int chunk_bytes = 0;             // 0 = one write per frame
  int delay_ms = 0;                // between writes
  int64_t drop_after_bytes = -1;   // body bytes before the connection is cut
  bool drop_reset = false;         // cut with RST rather than FIN
  int64_t stall_after_bytes = -1;
  int stall_ms = 0;
};

// Writes one response. Every method returns false once the connection is
// gone (peer closed, or the shape dropped it on purpose).
class ResponseWriter {
 public:
  ResponseWriter(int fd, WireShape shape) : fd_(fd), shape_(shape) {}

  // Sends the status line and headers. With `chunked`, the body is sent with
  // Transfer-Encoding: chunked and each write becomes one HTTP chunk.
  bool start(int status, const std::vector<std::pair<std::string, std::string>>& headers,
             bool chunked, size_t content_length = 0);
  // Sends body bytes, split and paced by the shape.
  bool body(const std::string& frame);
  // Ends a chunked body (the zero-size chunk).
  bool finish();
  bool dropped() const { return dropped_; }

 private:
  bool write_piece(const std::string& piece);
  bool send_all(const std::string& data);
  void drop();

  int fd_;
  WireShape shape_;
  bool chunked_ = false;
  bool dropped_ = false;
  bool stalled_ = false;
  bool wrote_any_ = false;
  int64_t body_bytes_ = 0;
};

const char* status_text(int status);

// Closes a connection immediately, optionally with a RST.
void close_connection(int fd, bool reset);

}  // namespace bastion::fake_server
