#include "http_io.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <thread>

namespace bastion::fake_server {
namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr size_t kMaxBodyBytes = 64 * 1024 * 1024;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string to_hex(size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zx", n);
  return buf;
}

void sleep_ms(int ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

std::string HttpRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

bool RequestReader::fill() {
  char tmp[16384];
  for (;;) {
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

bool RequestReader::read(HttpRequest* req, std::string* error) {
  error->clear();
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (buf_.size() > kMaxHeaderBytes) {
      *error = "request headers too large";
      return false;
    }
    if (!fill()) {
      if (!buf_.empty()) *error = "connection closed inside request headers";
      return false;
    }
  }
  std::string head = buf_.substr(0, end);
  buf_.erase(0, end + 4);

  size_t line_end = head.find("\r\n");
  std::string line = head.substr(0, line_end);
  size_t sp1 = line.find(' ');
  size_t sp2 = line.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) {
    *error = "malformed request line: " + line;
    return false;
  }
  req->method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string version = line.substr(sp2 + 1);
  size_t q = target.find('?');
  req->path = target.substr(0, q);
  req->query = q == std::string::npos ? "" : target.substr(q + 1);
  req->headers.clear();
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    if (eol == std::string::npos) eol = head.size();
    std::string h = head.substr(pos, eol - pos);
    pos = eol + 2;
    size_t colon = h.find(':');
    if (colon == std::string::npos) continue;
    req->headers[lower(trim(h.substr(0, colon)))] = trim(h.substr(colon + 1));
  }
  std::string conn = lower(req->header("connection"));
  req->keep_alive = version == "HTTP/1.0" ? conn == "keep-alive" : conn != "close";

  if (lower(req->header("expect")) == "100-continue") {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    ::send(fd_, kContinue, sizeof kContinue - 1, MSG_NOSIGNAL);
  }

  req->body.clear();
  if (lower(req->header("transfer-encoding")).find("chunked") != std::string::npos) {
    for (;;) {
      size_t eol;
      while ((eol = buf_.find("\r\n")) == std::string::npos)
        if (!fill()) {
          *error = "connection closed inside a chunked body";
          return false;
        }
      size_t size = std::strtoul(buf_.substr(0, eol).c_str(), nullptr, 16);
      while (buf_.size() < eol + 2 + size + 2)
        if (!fill()) {
          *error = "connection closed inside a chunked body";
          return false;
        }
      req->body.append(buf_, eol + 2, size);
      buf_.erase(0, eol + 2 + size + 2);
      if (size == 0) break;  // trailers are not supported (clients don't send them)
      if (req->body.size() > kMaxBodyBytes) {
        *error = "request body too large";
        return false;
      }
    }
  } else {
    size_t length = std::strtoull(req->header("content-length").c_str(), nullptr, 10);
    if (length > kMaxBodyBytes) {
      *error = "request body too large";
      return false;
    }
    while (buf_.size() < length)
      if (!fill()) {
        *error = "connection closed inside the request body";
        return false;
      }
    req->body = buf_.substr(0, length);
    buf_.erase(0, length);
  }
  return true;
}

const char* status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 418: return "I'm a teapot";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 529: return "Site Overloaded";
    default: return "Unknown";
  }
}

void close_connection(int fd, bool reset) {
  if (reset) {
    struct linger lg = {1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  } else {
    ::shutdown(fd, SHUT_RDWR);
  }
}

bool ResponseWriter::send_all(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      dropped_ = true;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

void ResponseWriter::drop() {
  close_connection(fd_, shape_.drop_reset);
  dropped_ = true;
}

bool ResponseWriter::start(int status,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           bool chunked, size_t content_length) {
  chunked_ = chunked;
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + status_text(status) + "\r\n";
  for (const auto& [k, v] : headers) head += k + ": " + v + "\r\n";
  if (chunked)
    head += "transfer-encoding: chunked\r\n";
  else
    head += "content-length: " + std::to_string(content_length) + "\r\n";
  head += "\r\n";
  if (shape_.drop_after_bytes == 0) {
    if (!send_all(head)) return false;
    drop();
    return false;
  }
  return send_all(head);
}

bool ResponseWriter::write_piece(const std::string& piece) {
  if (dropped_) return false;
  if (wrote_any_) sleep_ms(shape_.delay_ms);
  wrote_any_ = true;
  std::string out = piece;
  bool drop_now = false;
  if (shape_.drop_after_bytes >= 0 &&
      body_bytes_ + static_cast<int64_t>(piece.size()) >= shape_.drop_after_bytes) {
    out = piece.substr(0, static_cast<size_t>(shape_.drop_after_bytes - body_bytes_));
    drop_now = true;
  }
  if (!stalled_ && shape_.stall_after_bytes >= 0 &&
      body_bytes_ + static_cast<int64_t>(out.size()) > shape_.stall_after_bytes) {
    // Send up to the stall point, pause, then the rest.
    size_t first = static_cast<size_t>(shape_.stall_after_bytes - body_bytes_);
    stalled_ = true;
    if (first > 0) {
      std::string head = out.substr(0, first);
      if (!send_all(chunked_ ? (to_hex(head.size()) + "\r\n" + head + "\r\n") : head)) return false;
      body_bytes_ += static_cast<int64_t>(first);
    }
    sleep_ms(shape_.stall_ms);
    out.erase(0, first);
  }
  if (!out.empty()) {
    std::string wire = chunked_ ? (to_hex(out.size()) + "\r\n" + out + "\r\n") : out;
    if (!send_all(wire)) return false;
    body_bytes_ += static_cast<int64_t>(out.size());
  }
  if (drop_now) {
    drop();
    return false;
  }
  return true;
}

bool ResponseWriter::body(const std::string& frame) {
  if (shape_.chunk_bytes <= 0) return write_piece(frame);
  size_t n = static_cast<size_t>(shape_.chunk_bytes);
  for (size_t off = 0; off < frame.size(); off += n)
    if (!write_piece(frame.substr(off, n))) return false;
  return true;
}

bool ResponseWriter::finish() {
  if (dropped_) return false;
  if (!chunked_) return true;
  sleep_ms(shape_.delay_ms);
  return send_all("0\r\n\r\n");
}

}  // namespace bastion::fake_server
