#include "util/http_response_parser.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "util/strings.h"

namespace bastion::http {
namespace {

constexpr size_t kMaxChunkLineBytes = 4096;       // size + extensions
constexpr int64_t kMaxLength = int64_t{1} << 62;  // any real body is far smaller

bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Lower-cased, trimmed, non-empty elements of a comma-separated list.
std::vector<std::string> list_tokens(std::string_view v) {
  std::vector<std::string> out;
  for (auto& part : str::split(v, ',')) {
    std::string_view t = str::trim(part);
    if (!t.empty()) out.push_back(str::to_lower(t));
  }
  return out;
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 60)) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (s.size() > 60) out += "...";
  return out;
}

}  // namespace

void ResponseParser::fail(std::string message) {
  if (state_ != State::kError) {
    state_ = State::kError;
    error_ = std::move(message);
  }
}

bool ResponseParser::take_line(std::string_view& in, size_t limit, const char* what) {
  size_t nl = in.find('\n');
  size_t take = nl == std::string_view::npos ? in.size() : nl + 1;
  size_t* counter = state_ == State::kChunkSize ? nullptr : &head_bytes_;
  size_t used = counter ? *counter : line_.size();
  if (used + take > limit) {
    fail(std::string(what) + " is longer than " + std::to_string(limit) + " bytes");
    return false;
  }
  if (counter) *counter += take;
  line_.append(in.data(), take);
  in.remove_prefix(take);
  if (nl == std::string_view::npos) return false;
  line_.pop_back();
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_.find('\r') != std::string::npos) {
    fail(std::string("a bare CR inside ") + what);
    return false;
  }
  return true;
}

bool ResponseParser::on_status_line() {
  std::string_view l = line_;
  if (l.empty() && head_.status == 0) return true;  // tolerate blank lines before a reply
  if (l.size() < 12 || l.substr(0, 7) != "HTTP/1." || !is_digit(l[7]) || l[8] != ' ' ||
      !is_digit(l[9]) || !is_digit(l[10]) || !is_digit(l[11]) || l[9] == '0' ||
      (l.size() > 12 && l[12] != ' ')) {
    fail("not an HTTP/1.x status line: '" + printable(l) + "'");
    return false;
  }
  head_.version_minor = l[7] - '0';
  head_.status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
  head_.reason = l.size() > 13 ? std::string(l.substr(13)) : "";
  state_ = State::kHeaderLine;
  return true;
}

bool ResponseParser::on_header_line() {
  std::string_view l = line_;
  if (l.empty()) return on_headers_done();
  if (l.front() == ' ' || l.front() == '\t') {
    fail("obsolete line folding (a header line starting with whitespace) is not allowed");
    return false;
  }
  size_t colon = l.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    fail("malformed header line '" + printable(l) + "'");
    return false;
  }
  for (size_t i = 0; i < colon; ++i) {
    if (!is_tchar(static_cast<unsigned char>(l[i]))) {
      fail("invalid character in header name '" + printable(l.substr(0, colon)) + "'");
      return false;
    }
  }
  std::string_view value = l.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) {
      fail("control character in the value of header '" + printable(l.substr(0, colon)) + "'");
      return false;
    }
  }
  Headers& target = state_ == State::kTrailer ? trailers_ : head_.headers;
  target.emplace_back(str::to_lower(l.substr(0, colon)), std::string(value));
  return true;
}

bool ResponseParser::on_headers_done() {
  int status = head_.status;
  if (status >= 100 && status < 200) {
    if (status == 101) {
      fail("unexpected 101 Switching Protocols (no upgrade was requested)");
      return false;
    }
    head_ = ResponseHead{};  // an interim reply: the real one follows
    head_bytes_ = 0;
    state_ = State::kStatusLine;
    return true;
  }
  bool chunked = false, has_te = false, has_length = false;
  bool saw_close = false, saw_keep_alive = false;
  int64_t length = -1;
  for (auto& [name, value] : head_.headers) {
    if (name == "transfer-encoding") {
      for (auto& coding : list_tokens(value)) {
        if (coding != "chunked" || chunked) {
          fail("unsupported transfer-coding '" + printable(value) + "' (only chunked is accepted)");
          return false;
        }
        chunked = true;
      }
      has_te = true;
    } else if (name == "content-length") {
      auto parts = str::split(value, ',');
      for (auto& part : parts) {
        std::string_view p = str::trim(part);
        int64_t n = 0;
        bool valid = !p.empty();
        for (char c : p) {
          if (!is_digit(c) || n > (kMaxLength - (c - '0')) / 10) {
            valid = false;
            break;
          }
          n = n * 10 + (c - '0');
        }
        if (!valid) {
          fail("invalid Content-Length '" + printable(value) + "'");
          return false;
        }
        if (has_length && n != length) {
          fail("conflicting Content-Length values (" + std::to_string(length) + " and " +
               std::to_string(n) + ")");
          return false;
        }
        length = n;
        has_length = true;
      }
    } else if (name == "connection") {
      for (auto& t : list_tokens(value)) {
        if (t == "close") saw_close = true;
        if (t == "keep-alive") saw_keep_alive = true;
      }
    }
  }
  if (has_te && !chunked) {
    fail("empty Transfer-Encoding header");
    return false;
  }
  close_requested_ = saw_close || (head_.version_minor == 0 && !saw_keep_alive);
  if (head_request_ || status == 204 || status == 304) {
    state_ = State::kDone;
  } else if (chunked) {
    // A length next to chunked framing is a smuggling trick: never reuse.
    if (has_length || head_.version_minor == 0) close_requested_ = true;
    state_ = State::kChunkSize;
  } else if (has_length) {
    remaining_ = length;
    state_ = length == 0 ? State::kDone : State::kBodyLength;
  } else {
    until_close_ = true;
    state_ = State::kBodyUntilClose;
  }
  return true;
}

bool ResponseParser::on_chunk_size_line() {
  std::string_view l = line_;
  int64_t size = 0;
  size_t i = 0;
  for (; i < l.size() && hex_value(l[i]) >= 0; ++i) {
    if (size > (kMaxLength >> 4)) {
      fail("chunk size '" + printable(l.substr(0, 40)) + "' is too large");
      return false;
    }
    size = size * 16 + hex_value(l[i]);
  }
  if (i == 0) {
    fail("invalid chunk size line '" + printable(l) + "'");
    return false;
  }
  std::string_view rest = l.substr(i);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  if (!rest.empty() && rest.front() != ';') {
    fail("invalid chunk size line '" + printable(l) + "'");
    return false;
  }
  for (char c : rest) {  // extensions are ignored, but must be text
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) {
      fail("control character in a chunk extension");
      return false;
    }
  }
  remaining_ = size;
  if (size == 0) {
    head_bytes_ = 0;
    state_ = State::kTrailer;
  } else {
    state_ = State::kChunkData;
  }
  return true;
}

bool ResponseParser::on_trailer_line() {
  if (line_.empty()) {
    state_ = State::kDone;
    return true;
  }
  return on_header_line();
}

bool ResponseParser::deliver(std::string_view piece, const BodySink& on_body) {
  if (piece.empty()) return true;
  body_bytes_ += static_cast<int64_t>(piece.size());
  if (on_body && !on_body(piece)) aborted_ = true;
  return !aborted_;
}

Status ResponseParser::feed(std::string_view data, const BodySink& on_body) {
  if (state_ == State::kError) return make_error(ErrorKind::kNetwork, error_);
  if (aborted_) return ok_status();
  if (state_ == State::kDone) {
    extra_bytes_ += data.size();
    return ok_status();
  }
  bytes_seen_ += static_cast<int64_t>(data.size());
  while (!data.empty() && !aborted_) {
    switch (state_) {
      case State::kStatusLine:
      case State::kHeaderLine:
      case State::kTrailer: {
        const char* what = state_ == State::kTrailer ? "the trailer block" : "the header block";
        if (!take_line(data, kMaxHeadBytes, what)) break;
        bool ok = state_ == State::kStatusLine   ? on_status_line()
                  : state_ == State::kHeaderLine ? on_header_line()
                                                 : on_trailer_line();
        line_.clear();
        if (!ok) break;
        continue;
      }
      case State::kChunkSize:
        if (!take_line(data, kMaxChunkLineBytes, "a chunk size line")) break;
        if (!on_chunk_size_line()) break;
        line_.clear();
        continue;
      case State::kChunkDataEnd: {
        // CRLF (or a bare LF) must follow exactly `size` bytes of data.
        char c = data.front();
        data.remove_prefix(1);
        if (c == '\r' && !saw_cr_) {
          saw_cr_ = true;
          continue;
        }
        if (c != '\n') {
          fail("chunk data is longer than its chunk size");
          break;
        }
        saw_cr_ = false;
        state_ = State::kChunkSize;
        continue;
      }
      case State::kBodyLength:
      case State::kChunkData: {
        size_t n = static_cast<size_t>(std::min<int64_t>(remaining_, data.size()));
        std::string_view piece = data.substr(0, n);
        data.remove_prefix(n);
        remaining_ -= static_cast<int64_t>(n);
        if (remaining_ == 0) {
          state_ = state_ == State::kBodyLength ? State::kDone : State::kChunkDataEnd;
        }
        deliver(piece, on_body);
        continue;
      }
      case State::kBodyUntilClose:
        deliver(data, on_body);
        data = {};
        continue;
      case State::kDone:
        extra_bytes_ += data.size();
        bytes_seen_ -= static_cast<int64_t>(data.size());
        data = {};
        continue;
      case State::kError:
        break;
    }
    if (state_ == State::kError) return make_error(ErrorKind::kNetwork, error_);
  }
  if (state_ == State::kError) return make_error(ErrorKind::kNetwork, error_);
  return ok_status();
}

Status ResponseParser::failed(std::string message) {
  fail(std::move(message));
  return make_error(ErrorKind::kNetwork, error_);
}

Status ResponseParser::finish() {
  switch (state_) {
    case State::kError:
      return make_error(ErrorKind::kNetwork, error_);
    case State::kDone:
      return ok_status();
    case State::kBodyUntilClose:
      state_ = State::kDone;
      return ok_status();
    default:
      break;
  }
  if (aborted_) return ok_status();
  truncated_ = true;
  switch (state_) {
    case State::kStatusLine:
      return failed(bytes_seen_ == 0 ? "the connection closed before a reply"
                                     : "the connection closed in the status line");
    case State::kHeaderLine:
      return failed("the connection closed in the headers");
    case State::kBodyLength:
      return failed("the connection closed after " + std::to_string(body_bytes_) + " of " +
                    std::to_string(body_bytes_ + remaining_) + " body bytes");
    default:
      return failed("the connection closed inside the chunked body after " +
                    std::to_string(body_bytes_) + " bytes");
  }
}

bool ResponseParser::reusable() const {
  return state_ == State::kDone && !aborted_ && !close_requested_ && !until_close_ &&
         extra_bytes_ == 0;
}

}  // namespace bastion::http
