#include "util/http_response_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bastion::http {
namespace {

struct Parsed {
  bool ok = false;
  std::string error;
  bool truncated = false;
  int status = 0;
  Headers headers;
  Headers trailers;
  std::string body;
  bool reusable = false;

  bool operator==(const Parsed& o) const {
    return ok == o.ok && error == o.error && truncated == o.truncated && status == o.status &&
           headers == o.headers && trailers == o.trailers && body == o.body &&
           reusable == o.reusable;
  }
};

// Feeds `pieces` in order, then reports the end of the connection when
// `close` (as a socket would).
Parsed parse_pieces(const std::vector<std::string>& pieces, bool close = true, bool head = false) {
  ResponseParser p(head);
  Parsed out;
  auto sink = [&](std::string_view s) {
    EXPECT_TRUE(p.head_done());
    out.body.append(s);
    return true;
  };
  Status st = ok_status();
  for (auto& piece : pieces) {
    st = p.feed(piece, sink);
    if (!st.ok()) break;
  }
  if (st.ok() && close && !p.done()) st = p.finish();
  out.ok = st.ok() && p.done();
  if (!st.ok()) out.error = st.error().message;
  out.truncated = p.truncated();
  out.status = p.head().status;
  out.headers = p.head().headers;
  out.trailers = p.trailers();
  out.reusable = p.reusable();
  return out;
}

Parsed parse(const std::string& raw, bool close = true, bool head = false) {
  return parse_pieces({raw}, close, head);
}

// Whole, byte by byte, and cut in two at every offset: the same result.
void expect_split_invariant(const std::string& raw, bool close = true) {
  Parsed whole = parse(raw, close);
  std::vector<std::string> bytes;
  for (char c : raw) bytes.emplace_back(1, c);
  EXPECT_EQ(parse_pieces(bytes, close), whole) << "byte by byte: " << raw;
  for (size_t i = 0; i <= raw.size(); ++i) {
    EXPECT_EQ(parse_pieces({raw.substr(0, i), raw.substr(i)}, close), whole)
        << "split at " << i << ": " << raw;
  }
}

const std::string kChunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n"
    "5;name=\"v;x\"\r\nhello\r\n6 ; ext\r\n world\r\nA\r\n0123456789\r\n0\r\n"
    "X-Checksum: abc\r\n\r\n";

TEST(ResponseParser, ContentLengthBody) {
  auto r = parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Mixed-Case: A b \r\n\r\nhello", false);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.headers, (Headers{{"content-length", "5"}, {"x-mixed-case", "A b"}}));
  EXPECT_TRUE(r.reusable);
}

TEST(ResponseParser, ChunkedWithExtensionsAndTrailers) {
  auto r = parse(kChunked, false);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.body, "hello world0123456789");
  EXPECT_EQ(r.trailers, (Headers{{"x-checksum", "abc"}}));
  EXPECT_TRUE(r.reusable);
}

TEST(ResponseParser, EverySplitPointGivesTheSameResult) {
  expect_split_invariant(kChunked, false);
  expect_split_invariant("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false);
  expect_split_invariant("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\n\r\nnope");
  expect_split_invariant("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n", false);
  // Errors too: the same message wherever the input is cut.
  expect_split_invariant("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n");
  expect_split_invariant("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort");
}

TEST(ResponseParser, LfOnlyLineEnds) {
  auto r = parse("HTTP/1.1 201 Created\nContent-Length: 2\nA: 1\n\nok", false);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.headers.size(), 2u);
}

TEST(ResponseParser, InterimRepliesAreSkipped) {
  auto r = parse(
      "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
      false);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers, (Headers{{"content-length", "1"}}));  // the 1xx headers are gone
}

TEST(ResponseParser, NoBodyForHead204And304) {
  auto head = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", false, /*head=*/true);
  EXPECT_TRUE(head.ok) << head.error;
  EXPECT_TRUE(head.reusable);
  for (const char* s : {"204 No Content", "304 Not Modified"}) {
    auto r = parse(std::string("HTTP/1.1 ") + s + "\r\nContent-Length: 10\r\n\r\n", false);
    EXPECT_TRUE(r.ok) << s << ": " << r.error;
    EXPECT_EQ(r.body, "");
  }
}

TEST(ResponseParser, BodyUntilCloseEndsWithTheConnection) {
  auto open = parse("HTTP/1.0 200 OK\r\n\r\nabc", false);
  EXPECT_FALSE(open.ok);  // not done until the peer closes
  auto r = parse("HTTP/1.0 200 OK\r\n\r\nabc", true);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.body, "abc");
  EXPECT_FALSE(r.reusable);
}

TEST(ResponseParser, ReuseFollowsConnectionHeaders) {
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").reusable);
  EXPECT_FALSE(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").reusable);
  EXPECT_TRUE(
      parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").reusable);
  // Bytes after the message: the connection cannot be trusted.
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1").reusable);
}

struct BadCase {
  const char* name;
  std::string raw;
  const char* error_part;
};

TEST(ResponseParser, RejectsMalformedReplies) {
  std::string huge = "HTTP/1.1 200 OK\r\n";
  while (huge.size() <= ResponseParser::kMaxHeadBytes)
    huge += "X-Filler: " + std::string(100, 'a') + "\r\n";
  const std::vector<BadCase> cases = {
      {"obs-fold", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\n\r\n", "line folding"},
      {"space before colon", "HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n", "header name"},
      {"no colon", "HTTP/1.1 200 OK\r\nnonsense\r\n\r\n", "malformed header"},
      {"bare CR", "HTTP/1.1 200 OK\r\nX-A: 1\r2\r\n\r\n", "bare CR"},
      {"NUL in value", std::string("HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n", 29),
       "control character"},
      {"HTTP/2 status line", "HTTP/2 200 OK\r\n\r\n", "status line"},
      {"not HTTP", "ICY 200 OK\r\n\r\n", "status line"},
      {"two-digit status", "HTTP/1.1 20 OK\r\n\r\n", "status line"},
      {"switching protocols", "HTTP/1.1 101 Switching Protocols\r\n\r\n", "101"},
      {"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
       "invalid Content-Length"},
      {"length with junk", "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n",
       "invalid Content-Length"},
      {"length overflow", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
       "invalid Content-Length"},
      {"conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
       "conflicting Content-Length"},
      {"conflicting list", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", "conflicting"},
      {"gzip coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
       "transfer-coding"},
      {"chunked twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
       "transfer-coding"},
      {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       "chunk size"},
      {"empty chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
       "chunk size"},
      {"signed chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n",
       "chunk size"},
      {"chunk size overflow",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n", "too large"},
      {"chunk longer than size",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", "longer"},
      {"header block over 64 KiB", huge, "longer than 65536"},
  };
  for (auto& c : cases) {
    auto r = parse(c.raw);
    EXPECT_FALSE(r.ok) << c.name;
    EXPECT_FALSE(r.truncated) << c.name;
    EXPECT_NE(r.error.find(c.error_part), std::string::npos) << c.name << ": " << r.error;
  }
}

TEST(ResponseParser, AcceptsRepeatedEqualLengths) {
  auto r = parse("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc", false);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.body, "abc");
}

TEST(ResponseParser, TruncatedRepliesAreReportedAsCut) {
  const std::vector<std::pair<std::string, const char*>> cases = {
      {"", "before a reply"},
      {"HTTP/1.1 200", "status line"},
      {"HTTP/1.1 200 OK\r\nContent-Le", "headers"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "3 of 10"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "chunked"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", "chunked"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n", "chunked"},
  };
  for (auto& [raw, part] : cases) {
    auto r = parse(raw);
    EXPECT_FALSE(r.ok) << raw;
    EXPECT_TRUE(r.truncated) << raw;
    EXPECT_NE(r.error.find(part), std::string::npos) << raw << ": " << r.error;
  }
}

TEST(ResponseParser, SinkReturningFalseStopsParsing) {
  ResponseParser p;
  std::string got;
  auto sink = [&](std::string_view s) {
    got.append(s);
    return false;
  };
  ASSERT_TRUE(
      p.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", sink).ok());
  ASSERT_TRUE(p.feed("3\r\ndef\r\n", sink).ok());
  EXPECT_TRUE(p.aborted());
  EXPECT_EQ(got, "abc");
  EXPECT_FALSE(p.reusable());
}

TEST(ResponseParser, ErrorsAreSticky) {
  ResponseParser p;
  auto sink = [](std::string_view) { return true; };
  auto first = p.feed("garbage\r\n", sink);
  ASSERT_FALSE(first.ok());
  auto again = p.feed("HTTP/1.1 200 OK\r\n\r\n", sink);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, first.error().message);
  EXPECT_FALSE(p.finish().ok());
}

}  // namespace
}  // namespace bastion::http
