#include "util/http_client.h"

#include <gtest/gtest.h>
#include <chrono>
#include <stdlib.h>

#include "unit/llm/test_http_server.h"

namespace bastion::http {
namespace {

using bastion::testing::http_head;
using bastion::testing::Reply;
using bastion::testing::simple_reply;
using bastion::testing::TestHttpServer;

// Every HttpClient test runs on both transports: the native plain-http one
// and libcurl (BASTION_HTTP_BACKEND=curl). They must behave the same.
class HttpClientBackends : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { setenv("BASTION_HTTP_BACKEND", GetParam().c_str(), 1); }
  void TearDown() override { unsetenv("BASTION_HTTP_BACKEND"); }
};

INSTANTIATE_TEST_SUITE_P(Backends, HttpClientBackends, ::testing::Values("native", "curl"),
                         [](const auto& info) { return info.param; });

TEST_P(HttpClientBackends, PostSendsBodyAndHeadersAndReturnsStatusAndHeaders) {
  TestHttpServer server([](auto&, int) {
    return simple_reply(429, "{\"error\":\"slow down\"}", "application/json",
                        "Retry-After: 7\r\n");
  });
  HttpClient client;
  Request req;
  req.method = "POST";
  req.url = server.url() + "/v1/chat";
  req.headers = {{"Authorization", "Bearer k"}, {"X-Extra", "1"}};
  req.body = "{\"a\":1}";
  auto r = client.perform(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->body, "{\"error\":\"slow down\"}");
  EXPECT_EQ(r->header("Retry-After"), "7");
  EXPECT_DOUBLE_EQ(r->retry_after_seconds(), 7);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].path, "/v1/chat");
  EXPECT_EQ(reqs[0].body, "{\"a\":1}");
  EXPECT_EQ(reqs[0].header("authorization"), "Bearer k");
  EXPECT_EQ(reqs[0].header("x-extra"), "1");
}

TEST_P(HttpClientBackends, StreamsSuccessfulBodyPieceByPiece) {
  TestHttpServer server([](auto&, int) {
    return Reply{{http_head(200), "data: 1\n\n", "data: 2\n\n", "data: 3\n\n"}, 20};
  });
  HttpClient client;
  Request req;
  req.method = "POST";
  req.url = server.url();
  std::string got;
  int calls = 0;
  req.on_body = [&](std::string_view s) {
    got += s;
    ++calls;
    return true;
  };
  auto r = client.perform(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(got, "data: 1\n\ndata: 2\n\ndata: 3\n\n");
  EXPECT_GE(calls, 2);  // pieces 20 ms apart arrive separately
  EXPECT_TRUE(r->body.empty());
}

TEST_P(HttpClientBackends, ErrorBodiesAreBufferedNotStreamed) {
  TestHttpServer server([](auto&, int) { return simple_reply(401, "{\"error\":\"bad key\"}"); });
  Request req;
  req.url = server.url();
  bool streamed = false;
  req.on_body = [&](std::string_view) { return streamed = true; };
  auto r = HttpClient().perform(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  EXPECT_FALSE(streamed);
  EXPECT_EQ(r->body, "{\"error\":\"bad key\"}");
}

TEST_P(HttpClientBackends, CallbackReturningFalseAbortsTransfer) {
  TestHttpServer server([](auto&, int) {
    return Reply{{http_head(200), "one", "two", "three"}, 30};
  });
  Request req;
  req.url = server.url();
  std::string got;
  req.on_body = [&](std::string_view s) {
    got += s;
    return false;
  };
  auto r = HttpClient().perform(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->aborted);
  EXPECT_EQ(got, "one");
}

// Esc must stop a model that has gone quiet: cancelled() is asked while the
// client waits, not only when bytes arrive.
Result<Response> perform_cancelled_after(const std::string& url, int cancel_ms, std::string* got,
                                         long long* elapsed_ms) {
  Request req;
  req.url = url;
  req.on_body = [got](std::string_view s) {
    *got += s;
    return true;
  };
  auto start = std::chrono::steady_clock::now();
  req.cancelled = [start, cancel_ms] {
    return std::chrono::steady_clock::now() - start > std::chrono::milliseconds(cancel_ms);
  };
  auto r = HttpClient().perform(req);
  *elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
                    .count();
  return r;
}

TEST_P(HttpClientBackends, CancelStopsAStreamThatWentQuiet) {
  TestHttpServer server([](auto&, int) { return Reply{{http_head(200) + "first", "never"}, 2500}; });
  std::string got;
  long long elapsed = 0;
  auto r = perform_cancelled_after(server.url(), 200, &got, &elapsed);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->aborted);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(got, "first");
  EXPECT_LT(elapsed, 2000);  // long before the server's next piece
}

TEST_P(HttpClientBackends, CancelStopsARequestTheServerNeverAnswers) {
  TestHttpServer server([](auto&, int) { return Reply{{"", http_head(200) + "late"}, 2500}; });
  std::string got;
  long long elapsed = 0;
  auto r = perform_cancelled_after(server.url(), 200, &got, &elapsed);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->aborted);
  EXPECT_EQ(got, "");
  EXPECT_LT(elapsed, 2000);
}

TEST_P(HttpClientBackends, ConnectionRefusedNamesTheAddress) {
  int port;
  { TestHttpServer server([](auto&, int) { return Reply{}; }); port = server.port(); }
  auto r = get("http://127.0.0.1:" + std::to_string(port) + "/v1/models");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(r.error().message.find("connection refused at 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("/v1/models"), std::string::npos);
}

TEST_P(HttpClientBackends, TimeoutIsANetworkErrorNamingTheAddress) {
  TestHttpServer server([](auto&, int) {
    return Reply{{http_head(200), "a", "b"}, 800};
  });
  Request req;
  req.url = server.url();
  req.timeout_ms = 200;
  req.on_body = [](std::string_view) { return true; };
  auto r = HttpClient().perform(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(server.port())),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().http_status, 200);
}

TEST_P(HttpClientBackends, DroppedContentLengthBodyIsAMidReplyError) {
  TestHttpServer server([](auto&, int) {
    return Reply{{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"}};
  });
  auto r = get(server.url());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(r.error().message.find("dropped"), std::string::npos) << r.error().message;
}

TEST_P(HttpClientBackends, MalformedUrlIsBadInput) {
  auto r = get("notaurl://x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadInput);
}

TEST_P(HttpClientBackends, UppercaseHttpProxyIsHonouredAndNoProxyBypassesIt) {
  // The "proxy" is a test server that records the absolute-form request line.
  TestHttpServer proxy([](auto&, int) { return simple_reply(200, "via proxy"); });
  TestHttpServer direct([](auto&, int) { return simple_reply(200, "direct"); });
  unsetenv("http_proxy");
  setenv("HTTP_PROXY", proxy.url().c_str(), 1);
  unsetenv("NO_PROXY");
  unsetenv("no_proxy");
  auto r = get(direct.url() + "/x");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "via proxy");
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_EQ(proxy.requests()[0].path, direct.url() + "/x");

  setenv("NO_PROXY", "127.0.0.1", 1);
  auto r2 = get(direct.url() + "/y");
  unsetenv("HTTP_PROXY");
  unsetenv("NO_PROXY");
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->body, "direct");
}

TEST_P(HttpClientBackends, MissingCaBundleFileIsReportedForHttps) {
  setenv("BASTION_CA_BUNDLE", "/nonexistent/ca.pem", 1);
  TestHttpServer server([](auto&, int) { return Reply{}; });
  auto r = get("https://127.0.0.1:" + std::to_string(server.port()) + "/");
  unsetenv("BASTION_CA_BUNDLE");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  // Only a CA file we were told to use can produce this advice.
  EXPECT_NE(r.error().message.find("BASTION_CA_BUNDLE"), std::string::npos) << r.error().message;
}

TEST(RetryAfter, ParsesSecondsAndHttpDates) {
  EXPECT_DOUBLE_EQ(parse_retry_after("1", 0), 1);
  EXPECT_DOUBLE_EQ(parse_retry_after(" 2.5 ", 0), 2.5);
  EXPECT_DOUBLE_EQ(parse_retry_after("garbage", 0), -1);
  EXPECT_DOUBLE_EQ(parse_retry_after("", 0), -1);
  // 1445412480 = Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_DOUBLE_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470), 10);
  EXPECT_DOUBLE_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490), 0);
  // The obsolete forms RFC 9110 still requires recipients to accept.
  EXPECT_DOUBLE_EQ(parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", 1445412470), 10);
  EXPECT_DOUBLE_EQ(parse_retry_after("Wed Oct 21 07:28:00 2015", 1445412470), 10);
  EXPECT_DOUBLE_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 PST", 0), -1);
}

}  // namespace
}  // namespace bastion::http
