// Connection reuse, stale connections, odd chunked splits and aborts, on
// both transports; plus checks specific to the native plain-http path.
#include <gtest/gtest.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "unit/util/http_test_server.h"
#include "util/http_client.h"
#include "util/plain_http.h"

extern char** environ;

namespace bastion::http {
namespace {

using bastion::testing::KeepAliveServer;
using bastion::testing::RecordedRequest;
using bastion::testing::Step;

std::string ok_reply(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class KeepAlive : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { setenv("BASTION_HTTP_BACKEND", GetParam().c_str(), 1); }
  void TearDown() override { unsetenv("BASTION_HTTP_BACKEND"); }
};

INSTANTIATE_TEST_SUITE_P(Backends, KeepAlive, ::testing::Values("native", "curl"),
                         [](const auto& info) { return info.param; });

TEST_P(KeepAlive, RequestsOfOneClientShareAConnection) {
  KeepAliveServer server([](const RecordedRequest& r, int i, int) {
    return Step{{ok_reply("reply " + std::to_string(i) + " to " + r.body)}};
  });
  HttpClient client;
  for (int i = 0; i < 3; ++i) {
    Request req;
    req.method = "POST";
    req.url = server.url() + "/v1/chat/completions?x=1";
    req.body = "body" + std::to_string(i);
    auto r = client.perform(req);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->body, "reply " + std::to_string(i) + " to body" + std::to_string(i));
  }
  EXPECT_EQ(server.connections(), 1);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].path, "/v1/chat/completions?x=1");
  EXPECT_EQ(reqs[0].header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(reqs[0].header("user-agent"), "bastion");
}

TEST_P(KeepAlive, ConnectionCloseIsHonoured) {
  KeepAliveServer server([](const RecordedRequest&, int, int) {
    return Step{{"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"}};
  });
  HttpClient client;
  Request req;
  req.url = server.url();
  for (int i = 0; i < 2; ++i) {
    auto r = client.perform(req);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->body, "ok");
  }
  EXPECT_EQ(server.connections(), 2);
}

TEST_P(KeepAlive, StaleConnectionIsRetriedOnceOnAFreshOne) {
  // The server answers the first request, then closes that connection when
  // the second request arrives on it, without replying (an idle timeout
  // racing the client). The client must resend on a new connection.
  KeepAliveServer server([](const RecordedRequest&, int i, int conn) {
    if (conn == 0 && i == 1) return Step{{}, 0, true};
    return Step{{ok_reply("r" + std::to_string(i))}};
  });
  HttpClient client;
  Request req;
  req.method = "POST";
  req.url = server.url();
  req.body = "{}";
  auto first = client.perform(req);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = client.perform(req);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->body, "r2");
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST_P(KeepAlive, FreshConnectionClosedWithoutReplyIsNotRetried) {
  KeepAliveServer server([](const RecordedRequest&, int, int) { return Step{{}, 0, true}; });
  Request req;
  req.url = server.url() + "/v1/models";
  auto r = HttpClient().perform(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(r.error().message.find("closed the connection without replying"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_P(KeepAlive, ChunkedStreamSplitAtOddPlaces) {
  // Chunk boundaries, CRLFs and the size lines all straddle writes.
  KeepAliveServer server([](const RecordedRequest&, int, int) {
    return Step{{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream"
                 "\r\n\r\n1",
                 "0\r\ndata: {\"ab\":1}\n\n\r", "\n9;x=y\r\ndata: ", "2\r\n\r", "\n0\r\n\r\n"},
                10};
  });
  Request req;
  req.method = "POST";
  req.url = server.url();
  std::string got;
  int pieces = 0;
  req.on_body = [&](std::string_view s) {
    got += s;
    ++pieces;
    return true;
  };
  HttpClient client;
  auto r = client.perform(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(got, "data: {\"ab\":1}\n\ndata: 2\r\n");
  EXPECT_EQ(r->body_bytes, static_cast<int64_t>(got.size()));
  EXPECT_GE(pieces, 2);
  // The connection is still good for another request.
  req.on_body = nullptr;
  auto again = client.perform(req);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(server.connections(), 1);
}

TEST_P(KeepAlive, AbortClosesTheConnection) {
  KeepAliveServer server([](const RecordedRequest&, int i, int) {
    if (i == 0) {
      return Step{{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n",
                   "3\r\ntwo\r\n", "0\r\n\r\n"},
                  30};
    }
    return Step{{ok_reply("after")}};
  });
  HttpClient client;
  Request req;
  req.url = server.url();
  std::string got;
  req.on_body = [&](std::string_view s) {
    got += s;
    return false;
  };
  auto r = client.perform(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->aborted);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(got, "one");
  req.on_body = nullptr;
  auto next = client.perform(req);
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->body, "after");
  EXPECT_EQ(server.connections(), 2);  // the aborted stream's connection was not reused
}

TEST_P(KeepAlive, LowSpeedRuleStopsAStalledStream) {
  KeepAliveServer server([](const RecordedRequest&, int, int) {
    return Step{{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n", "0\r\n\r\n"},
                3000};
  });
  Request req;
  req.url = server.url();
  // Under 1000 bytes/s (averaged over the last seconds, as curl does) for 1 s.
  req.low_speed_bytes = 1000;
  req.low_speed_seconds = 1;
  req.on_body = [](std::string_view) { return true; };
  auto t0 = std::chrono::steady_clock::now();
  auto r = HttpClient().perform(req);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(r.error().message.find("stalled"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().http_status, 200);
  EXPECT_LT(ms, 2900);
}

TEST(PlainHttp, RejectsHeaderInjection) {
  auto url = parse_http_url("http://127.0.0.1:9/x");
  ASSERT_TRUE(url.ok());
  PlainHttp plain;
  Request req;
  req.url = "http://127.0.0.1:9/x";
  req.headers = {{"X-Evil", "a\r\nInjected: 1"}};
  auto r = plain.perform(req, *url);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadInput);
  EXPECT_EQ(plain.connections_opened(), 0);
  req.headers = {};
  req.method = "GET /x HTTP/1.1\r\n";
  EXPECT_EQ(plain.perform(req, *url).error().kind, ErrorKind::kBadInput);
}

TEST(PlainHttp, ConnectsToIpv6Literals) {
  // The test server listens on IPv4 only, so use a one-off IPv6 listener.
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    GTEST_SKIP() << "no IPv6 loopback here";
  }
  listen(fd, 1);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::thread t([fd] {
    int c = accept(fd, nullptr, nullptr);
    char buf[4096];
    std::string got;
    while (got.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, n);
    }
    std::string host = got.substr(got.find("Host: ") + 6);
    host = host.substr(0, host.find('\r'));
    std::string reply = ok_reply(host);
    send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    close(c);
  });
  std::string authority = "[::1]:" + std::to_string(ntohs(addr.sin6_port));
  setenv("BASTION_HTTP_BACKEND", "native", 1);
  auto r = get("http://" + authority + "/v1/models");
  unsetenv("BASTION_HTTP_BACKEND");
  t.join();
  close(fd);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, authority);
}

TEST(PlainHttp, CannotResolveUsesTheSharedWording) {
  auto r = get("http://nonexistent-host.invalid:8000/v1/models");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(r.error().message.find("cannot resolve host 'nonexistent-host.invalid'"),
            std::string::npos)
      << r.error().message;
}

// Runs in a child process (re-executing this test binary) so that libcurl
// loaded by other tests cannot hide a load by this one.
TEST(PlainHttp, PlainRequestsNeverLoadLibcurl) {
  if (!getenv("BASTION_TEST_NO_CURL_CHILD")) {
    std::string filter = "--gtest_filter=PlainHttp.PlainRequestsNeverLoadLibcurl";
    char* argv[] = {const_cast<char*>("/proc/self/exe"), filter.data(), nullptr};
    setenv("BASTION_TEST_NO_CURL_CHILD", "1", 1);
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv, environ);
    unsetenv("BASTION_TEST_NO_CURL_CHILD");
    ASSERT_EQ(rc, 0);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child test failed";
    return;
  }
  // A proxy is configured, but NO_PROXY exempts the host: still native.
  setenv("all_proxy", "http://127.0.0.1:9", 1);
  setenv("NO_PROXY", "example.com, .127.0.0.1", 1);
  KeepAliveServer server([](const RecordedRequest&, int, int) {
    return Step{
        {"HTTP/1.1 429 Too Many\r\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
         "Content-Length: 2\r\n\r\n{}"}};
  });
  auto r = get(server.url());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 429);
  EXPECT_DOUBLE_EQ(r->retry_after_seconds(), 0);  // a past date; parsed without libcurl
  auto maps = [] {
    std::ifstream in("/proc/self/maps");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  EXPECT_EQ(maps().find("libcurl"), std::string::npos);
  // The escape hatch: BASTION_HTTP_BACKEND=curl sends the same request via libcurl.
  unsetenv("all_proxy");
  setenv("BASTION_HTTP_BACKEND", "curl", 1);
  auto via_curl = get(server.url());
  unsetenv("BASTION_HTTP_BACKEND");
  ASSERT_TRUE(via_curl.ok()) << via_curl.error().message;
  EXPECT_EQ(via_curl->status, 429);
  EXPECT_NE(maps().find("libcurl"), std::string::npos);
}

}  // namespace
}  // namespace bastion::http

namespace bastion::http {
namespace {

TEST_P(KeepAlive, ConnectTimeoutIsATimeoutNamingTheAddress) {
  // A listener that never accepts, with its backlog filled: the kernel drops
  // further SYNs, so connect() hangs until connect_timeout_ms.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  listen(fd, 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(c);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/v1/models";
  req.connect_timeout_ms = 300;
  auto t0 = std::chrono::steady_clock::now();
  auto r = HttpClient().perform(req);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  for (int c : fillers) close(c);
  close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(r.error().message.find("timed out talking to 127.0.0.1:"), std::string::npos)
      << r.error().message;
  EXPECT_GE(ms, 250);
  EXPECT_LT(ms, 3000);
}

}  // namespace
}  // namespace bastion::http
