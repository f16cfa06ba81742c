// ResponseParser: an incremental HTTP/1.1 response parser with no sockets.
//
// The native plain-http transport (util/plain_http.h) reads whatever the
// socket hands it and feeds those pieces here; the parser finds the status
// line and headers, decides how the body is framed (RFC 9112 §6.3: chunked,
// Content-Length, or until the peer closes; none for HEAD/1xx/204/304) and
// passes the decoded body to a callback as it arrives. Keeping it free of
// I/O lets tests and the fuzzer cut a reply at every byte boundary.
//
// It is strict where leniency has caused request smuggling and hangs in
// other clients: obs-fold continuation lines, whitespace before a header
// colon, conflicting or signed Content-Length values, transfer-codings other
// than chunked, oversized chunk sizes and header blocks over 64 KiB are all
// rejected with an Error{kNetwork} whose message says what was wrong. It is
// lenient where RFC 9112 allows: bare-LF line ends, a missing reason phrase,
// chunk extensions (ignored) and trailers (kept, not merged into headers).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "util/http_client.h"
#include "util/result.h"

namespace bastion::http {

struct ResponseHead {
  int status = 0;
  int version_minor = 1;  // HTTP/1.<minor>
  std::string reason;
  Headers headers;  // names lower-cased, in arrival order
};

class ResponseParser {
 public:
  // Body bytes, in order, split anywhere. Return false to stop parsing
  // (aborted() becomes true and later feeds are ignored).
  using BodySink = std::function<bool(std::string_view piece)>;

  static constexpr size_t kMaxHeadBytes = 64 * 1024;  // status line + headers (and trailers)

  // `head_request`: the request was HEAD, so the reply has no body whatever
  // its headers say.
  explicit ResponseParser(bool head_request = false) : head_request_(head_request) {}

  // Consumes `data`. Body pieces go to `on_body`; by the time the first one
  // is delivered head() is complete, so the sink may look at the status.
  // Returns the first protocol error; after an error every call returns it.
  // Bytes after a complete message are not consumed (see extra_bytes()).
  Status feed(std::string_view data, const BodySink& on_body);

  // The peer closed the connection. Completes a read-until-close body;
  // otherwise a message that is not complete is an error (truncated()).
  Status finish();

  bool head_done() const { return state_ > State::kHeaderLine; }
  bool done() const { return state_ == State::kDone; }
  bool aborted() const { return aborted_; }
  // finish() found the message cut short (as opposed to malformed).
  bool truncated() const { return truncated_; }
  // Bytes seen at all (including 1xx heads): zero means the peer sent nothing.
  int64_t bytes_seen() const { return bytes_seen_; }
  // Decoded body bytes delivered so far.
  int64_t body_bytes() const { return body_bytes_; }
  // Bytes that followed a complete message in the last feed (the connection
  // then cannot be trusted for another request).
  size_t extra_bytes() const { return extra_bytes_; }

  const ResponseHead& head() const { return head_; }
  const Headers& trailers() const { return trailers_; }

  // After done(): the connection may carry another request (HTTP/1.1
  // without "Connection: close", or HTTP/1.0 with keep-alive; body framed
  // by length or chunks; nothing extra arrived).
  bool reusable() const;

 private:
  enum class State {
    kStatusLine,
    kHeaderLine,
    kBodyLength,
    kBodyUntilClose,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailer,
    kDone,
    kError,
  };

  // Appends input up to and including '\n' to line_. Returns true when a
  // whole line (without its CRLF/LF) is in line_; false when more is needed
  // or an error was set.
  bool take_line(std::string_view& in, size_t limit, const char* what);
  void fail(std::string message);      // enters kError (the first message wins)
  Status failed(std::string message);  // fail() and return the error
  bool on_status_line();
  bool on_header_line();
  bool on_headers_done();
  bool on_chunk_size_line();
  bool on_trailer_line();
  bool deliver(std::string_view piece, const BodySink& on_body);

  bool head_request_;
  State state_ = State::kStatusLine;
  ResponseHead head_;
  Headers trailers_;
  std::string line_;
  size_t head_bytes_ = 0;  // of the head (or trailer block) being read
  int64_t remaining_ = 0;  // of the Content-Length body or current chunk
  int64_t body_bytes_ = 0;
  int64_t bytes_seen_ = 0;
  size_t extra_bytes_ = 0;
  bool saw_cr_ = false;       // the CR of the CRLF after chunk data
  bool until_close_ = false;  // body framed by the connection closing
  bool close_requested_ = false;
  bool aborted_ = false;
  bool truncated_ = false;
  std::string error_;
};

}  // namespace bastion::http
