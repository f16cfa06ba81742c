#include "util/http_url.h"

#include <gtest/gtest.h>

#include "util/http_date.h"

namespace bastion::http {
namespace {

TEST(HttpUrl, ParsesHostPortAndTarget) {
  auto u = parse_http_url("HTTP://Example.com:8000/v1/chat?x=1#frag");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "Example.com");
  EXPECT_EQ(u->port, 8000);
  EXPECT_EQ(u->target, "/v1/chat?x=1");
  EXPECT_EQ(u->authority(), "Example.com:8000");
  EXPECT_EQ(u->host_header(), "Example.com:8000");

  auto d = parse_http_url("http://localhost");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 80);
  EXPECT_EQ(d->target, "/");
  EXPECT_EQ(d->host_header(), "localhost");

  auto q = parse_http_url("http://h?a=b");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->target, "/?a=b");
}

TEST(HttpUrl, ParsesIpv6Literals) {
  auto u = parse_http_url("http://[::1]:11434/api");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->host, "::1");
  EXPECT_TRUE(u->ipv6);
  EXPECT_EQ(u->authority(), "[::1]:11434");
  auto d = parse_http_url("http://[fe80::1]/");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->host_header(), "[fe80::1]");
}

TEST(HttpUrl, NotesUserinfo) {
  auto u = parse_http_url("http://user:pw@host:1/");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->has_userinfo);
  EXPECT_EQ(u->host, "host");
}

TEST(HttpUrl, RejectsMalformedUrls) {
  for (const char* bad : {"ftp://x/", "no-scheme", "http://", "http://:80/", "http://h:0/",
                          "http://h:65536/", "http://h:12ab/", "http://[::1/", "http://[zz]/",
                          "http://[::1]x/", "http://h /x", "http://h/\n"}) {
    auto u = parse_http_url(bad);
    EXPECT_FALSE(u.ok()) << bad;
    if (!u.ok()) {
      EXPECT_EQ(u.error().kind, ErrorKind::kBadInput) << bad;
    }
  }
}

TEST(NoProxy, FollowsCurlRules) {
  EXPECT_TRUE(no_proxy_matches("anything.example", "*"));
  EXPECT_TRUE(no_proxy_matches("localhost", "example.com,localhost"));
  EXPECT_TRUE(no_proxy_matches("LOCALHOST", " localhost "));
  EXPECT_TRUE(no_proxy_matches("api.corp.example", "corp.example"));
  EXPECT_TRUE(no_proxy_matches("api.corp.example", ".corp.example"));
  EXPECT_TRUE(no_proxy_matches("corp.example", ".corp.example"));
  EXPECT_TRUE(no_proxy_matches("::1", "[::1]"));
  EXPECT_TRUE(no_proxy_matches("10.0.0.5", "a.b 10.0.0.5"));
  EXPECT_FALSE(no_proxy_matches("evilcorp.example", "corp.example"));
  EXPECT_FALSE(no_proxy_matches("corp.example.net", "corp.example"));
  EXPECT_FALSE(no_proxy_matches("host", ""));
  EXPECT_FALSE(no_proxy_matches("host", ",,"));
  EXPECT_FALSE(no_proxy_matches("host", "*.host"));
}

TEST(NoProxy, DecidesWhetherTheProxyApplies) {
  for (const char* v :
       {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"})
    unsetenv(v);
  EXPECT_FALSE(http_proxy_applies("127.0.0.1"));
  setenv("ALL_PROXY", "http://proxy:3128", 1);
  EXPECT_TRUE(http_proxy_applies("127.0.0.1"));
  setenv("no_proxy", "127.0.0.1", 1);
  EXPECT_FALSE(http_proxy_applies("127.0.0.1"));
  EXPECT_TRUE(http_proxy_applies("10.1.1.1"));
  unsetenv("ALL_PROXY");
  setenv("HTTP_PROXY", "", 1);  // empty means unset
  EXPECT_FALSE(http_proxy_applies("10.1.1.1"));
  unsetenv("HTTP_PROXY");
  unsetenv("no_proxy");
}

TEST(TransportFailure, WordingMatchesWhatRetryPolicyLooksFor) {
  Request req;
  req.method = "POST";
  req.url = "http://127.0.0.1:8000/v1/chat";
  EXPECT_EQ(failure_message(failure_reason(TransportFailure::kRefused, req.url, false), req, "x"),
            "connection refused at 127.0.0.1:8000 (POST http://127.0.0.1:8000/v1/chat): x");
  EXPECT_EQ(failure_reason(TransportFailure::kTimeout, req.url, true),
            "the stream from 127.0.0.1:8000 stalled (timeout)");
  EXPECT_EQ(failure_reason(TransportFailure::kDropped, req.url, true),
            "the connection to 127.0.0.1:8000 dropped mid-reply");
  EXPECT_EQ(failure_reason(TransportFailure::kResolve, "http://nohost/", false),
            "cannot resolve host 'nohost' (DNS lookup failed)");
}

TEST(HttpDate, ParsesTheThreeForms) {
  // 784111777 = Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example)
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT"), 1835481599);
  EXPECT_EQ(parse_http_date("Tuesday, 01-Jan-30 00:00:00 GMT"), 1893456000);
}

TEST(HttpDate, RejectsBadDates) {
  for (const char* bad :
       {"", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 2023 08:00:00 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:49 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun Nov  6 08:49:37 94", "1994-11-06T08:49:37Z"}) {
    EXPECT_FALSE(parse_http_date(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace bastion::http
