// End-to-end: clients -> in-process gateway -> scripted upstream.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "unit/gateway/gateway_fixture.h"
#include "unit/gateway/mini_upstream.h"

namespace bastion::gateway {
namespace {

using testing::MiniUpstream;
using testing::RunningGateway;
using testing::UpRequest;
using testing::UpResponse;

std::string chat(bool stream, const std::string& model = "m1", const std::string& extra = "") {
  return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" +
         (stream ? ",\"stream\":true" : "") + extra + "}";
}

UpResponse openai_handler(const UpRequest& r) {
  Json body = Json::parse(r.body, nullptr, false);
  UpResponse resp;
  if (body.value("stream", false)) {
    resp.content_type = "text/event-stream";
    bool usage = body.contains("stream_options") && body["stream_options"].value("include_usage", false);
    resp.pieces = testing::openai_sse({"Hel", "lo", "!"}, 21, 3, usage);
  } else {
    resp.pieces = {testing::openai_json("Hello!", 21, 3, 5, 1)};
  }
  return resp;
}

TEST(GatewayProxy, RejectsBadKeysWith401) {
  MiniUpstream up(openai_handler);
  RunningGateway gw(testing::upstream_toml("u", up.url(), "\"m1\""));
  auto r = gw.post("/v1/chat/completions", "bgw_bogus", chat(false));
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("invalid API key"), std::string::npos);
  auto none = http::post(gw.base() + "/v1/chat/completions", {}, chat(false));
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(up.count(), 0);
}

TEST(GatewayProxy, NonStreamingIsRelayedAndMetered) {
  MiniUpstream up(openai_handler);
  RunningGateway gw(testing::upstream_toml("u", up.url(), "\"m1\"", "openai", "api_key_env = \"GW_TEST_UPKEY\"") +
                    "[prices.m1]\ninput = 1000000.0\noutput = 2000000.0\n");
  setenv("GW_TEST_UPKEY", "sk-upstream", 1);
  std::string key = gw.add_user({"alice", "--team", "core"});
  auto r = gw.post("/v1/chat/completions", key, chat(false));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, testing::openai_json("Hello!", 21, 3, 5, 1));
  ASSERT_EQ(up.count(), 1);
  auto seen = up.requests()[0];
  EXPECT_EQ(seen.path, "/v1/chat/completions");
  EXPECT_EQ(seen.headers["authorization"], "Bearer sk-upstream");  // the client's key never leaves
  gw.stop();  // drains and settles
  Json u = gw.usage();
  ASSERT_EQ(u["users"].size(), 1u);
  EXPECT_EQ(u["users"][0]["user"], "alice");
  EXPECT_EQ(u["users"][0]["input_tokens"], 21);
  EXPECT_EQ(u["users"][0]["output_tokens"], 3);
  EXPECT_EQ(u["users"][0]["cached_tokens"], 5);
  EXPECT_EQ(u["users"][0]["reasoning_tokens"], 1);
  EXPECT_EQ(u["users"][0]["requests"], 1);
  // 16 uncached input at $1/token... priced per million: (16*1e6 + 5*1e6 + 3*2e6)/1e6
  EXPECT_DOUBLE_EQ(u["users"][0]["cost"].get<double>(), 16 + 5 + 6);
  EXPECT_EQ(gw.usage("team")["teams"][0]["team"], "core");
  EXPECT_EQ(gw.usage("model")["models"][0]["model"], "m1");
  EXPECT_EQ(gw.usage("day")["days"].size(), 1u);
}

TEST(GatewayProxy, StreamingAddsIncludeUsageAndHidesIt) {
  MiniUpstream up(openai_handler);
  RunningGateway gw(testing::upstream_toml("u", up.url(), "\"m1\""));
  std::string key = gw.add_user({"bob"});
  auto r = gw.post("/v1/chat/completions", key, chat(true));
  ASSERT_EQ(r.status, 200);
  std::string expected;
  for (auto& p : testing::openai_sse({"Hel", "lo", "!"}, 21, 3, false)) expected += p;
  EXPECT_EQ(r.body, expected);
  Json sent = Json::parse(up.requests()[0].body);
  EXPECT_TRUE(sent["stream_options"]["include_usage"].get<bool>());
  // A client that asked for usage gets it.
  auto r2 = gw.post("/v1/chat/completions", key, chat(true, "m1", ",\"stream_options\":{\"include_usage\":true}"));
  EXPECT_NE(r2.body.find("\"usage\""), std::string::npos);
  gw.stop();
  Json u = gw.usage();
  EXPECT_EQ(u["users"][0]["input_tokens"], 42);
  EXPECT_EQ(u["users"][0]["output_tokens"], 6);
  EXPECT_EQ(u["users"][0]["requests"], 2);
}

TEST(GatewayProxy, StreamsAreNotBuffered) {
  MiniUpstream up([](const UpRequest&) {
    UpResponse r;
    r.content_type = "text/event-stream";
    r.pieces = testing::openai_sse({"a", "b"}, 1, 1, true);
    r.delay_ms = 400;
    return r;
  });
  RunningGateway gw(testing::upstream_toml("u", up.url(), "\"m1\""));
  std::string key = gw.add_user({"carol"});
  http::Request req;
  req.method = "POST";
  req.url = gw.base() + "/v1/chat/completions";
  req.headers = {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}};
  req.body = chat(true);
  auto t0 = std::chrono::steady_clock::now();
  int64_t first_ms = -1;
  req.on_body = [&](std::string_view) {
    if (first_ms < 0)
      first_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    return true;
  };
  http::HttpClient client;
  auto r = client.perform(req);
  ASSERT_TRUE(r.ok());
  auto total = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(total, 1000);
  EXPECT_GE(first_ms, 0);
  EXPECT_LT(first_ms, 300) << "total " << total;  // the first event arrived long before the end
}

TEST(GatewayProxy, AnthropicMessagesStreamMetered) {
  MiniUpstream up([](const UpRequest& r) {
    UpResponse resp;
    resp.content_type = "text/event-stream";
    resp.pieces = testing::anthropic_sse("hey", 10, 30, 7);
    return resp;
  });
  RunningGateway gw(testing::upstream_toml("a", up.url(), "\"claude-x\"", "anthropic", "api_key_env = \"GW_TEST_ANT\""));
  setenv("GW_TEST_ANT", "ant-key", 1);
  std::string key = gw.add_user({"dave"});
  auto r = gw.post("/v1/messages", "", "{\"model\":\"claude-x\",\"max_tokens\":100,\"stream\":true,\"messages\":[]}",
                   {{"x-api-key", key}, {"anthropic-version", "2023-06-01"}});
  ASSERT_EQ(r.status, 200);
  std::string expected;
  for (auto& p : testing::anthropic_sse("hey", 10, 30, 7)) expected += p;
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(up.requests()[0].headers["x-api-key"], "ant-key");
  gw.stop();
  Json u = gw.usage();
  EXPECT_EQ(u["users"][0]["input_tokens"], 40);
  EXPECT_EQ(u["users"][0]["cached_tokens"], 30);
  EXPECT_EQ(u["users"][0]["output_tokens"], 7);
}

TEST(GatewayProxy, QuotaExhaustionGives429WithLimitAndReset) {
  MiniUpstream up(openai_handler);
  RunningGateway gw(testing::upstream_toml("u", up.url(), "\"m1\""));
  std::string key = gw.add_user({"erin", "--daily-tokens", "30"});
  auto r1 = gw.post("/v1/chat/completions", key, chat(false, "m1", ",\"max_tokens\":5"));
  ASSERT_EQ(r1.status, 200);
  // 24 tokens used, but the settle happens after the reply: wait for it.
  for (int i = 0; i < 100 && gw.usage()["users"].empty(); ++i) usleep(20000);
  auto r2 = gw.post("/v1/chat/completions", key, chat(false, "m1", ",\"max_tokens\":5"));
  ASSERT_EQ(r2.status, 200);
  for (int i = 0; i < 100 && gw.usage()["users"][0]["requests"] != 2; ++i) usleep(20000);
  auto r3 = gw.post("/v1/chat/completions", key, chat(false));
  ASSERT_EQ(r3.status, 429);
  Json e = Json::parse(r3.body)["error"];
  EXPECT_EQ(e["limit"], "daily_tokens");
  EXPECT_EQ(e["scope"], "user");
  EXPECT_TRUE(e["resets_at"].get<std::string>().find("T00:00:00Z") != std::string::npos);
  EXPECT_FALSE(r3.header("retry-after").empty());
  EXPECT_EQ(up.count(), 2);
}

// With the auth cache on, a known key is admitted on the io thread and
// its reservation awaited from the committer (Gateway::admit_async): the
// same answers, metering and audit entries as the worker path.
TEST(GatewayProxy, CachedKeysAreAdmittedInlineWithTheSameResults) {
  MiniUpstream up(openai_handler);
  RunningGateway gw("auth_cache_seconds = 60\nallowed_models = [\"m1\"]\n" +
                    testing::upstream_toml("u", up.url(), "\"m1\", \"m2\""));
  std::string key = gw.add_user({"ida", "--daily-tokens", "60"});
  // The first request fills the cache (worker path); the rest go inline.
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(gw.post("/v1/chat/completions", key, chat(false, "m1", ",\"max_tokens\":5")).status, 200);
  EXPECT_EQ(gw.post("/v1/chat/completions", key, chat(false, "m2")).status, 403);
  EXPECT_EQ(gw.post("/v1/chat/completions", key, "not json").status, 400);
  for (int i = 0; i < 100 && gw.usage()["users"][0]["requests"] != 2; ++i) usleep(20000);
  // 48 of 60 tokens used: one more is admitted (the counter is below the
  // limit), the next one is refused.
  EXPECT_EQ(gw.post("/v1/chat/completions", key, chat(false, "m1", ",\"max_tokens\":5")).status, 200);
  for (int i = 0; i < 100 && gw.usage()["users"][0]["requests"] != 3; ++i) usleep(20000);
  auto r = gw.post("/v1/chat/completions", key, chat(false, "m1", ",\"max_tokens\":5"));
  ASSERT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(Json::parse(r.body)["error"]["limit"], "daily_tokens");
  EXPECT_FALSE(r.header("retry-after").empty());
  EXPECT_EQ(up.count(), 3);
  gw.stop();
  Json u = gw.usage();
  EXPECT_EQ(u["users"][0]["requests"], 3);
  EXPECT_EQ(u["users"][0]["input_tokens"], 63);
  std::string verify = gw.cli({"audit", "verify"});
  EXPECT_NE(verify.find("ok: 5 entries"), std::string::npos) << verify;  // 3 requests + 403 + 429
}

// One JSON line per request on stderr, each whole (the lines of a group
// commit are written together, after its callbacks), none lost at stop.
TEST(GatewayProxy, EveryRequestLogsOneWholeLine) {
  MiniUpstream up(openai_handler);
  std::string path = testing::make_temp_dir() + "/stderr.log";
  std::fflush(stderr);
  int saved = ::dup(2);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ::dup2(fd, 2);
  ::close(fd);
  {
    RunningGateway gw("auth_cache_seconds = 60\n" + testing::upstream_toml("u", up.url(), "\"m1\""));
    std::string key = gw.add_user({"lou"});
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t)
      ts.emplace_back([&] {
        for (int i = 0; i < 10; ++i) EXPECT_EQ(gw.post("/v1/chat/completions", key, chat(false)).status, 200);
      });
    for (auto& t : ts) t.join();
  }
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  auto read = fs::read_file(path);
  ASSERT_TRUE(read.ok());
  std::string text = *read;
  std::set<std::string> ids;
  size_t lines = 0;
  for (size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    Json j = Json::parse(text.substr(pos, nl - pos), nullptr, false);
    ASSERT_TRUE(j.is_object()) << text.substr(pos, nl - pos);
    ++lines;
    if (j.value("msg", "") == "request") ids.insert(j.value("request_id", ""));
  }
  EXPECT_EQ(ids.size(), 40u) << text;
  EXPECT_EQ(text.empty() ? '\n' : text.back(), '\n');
  EXPECT_GT(lines, 40u);  // and "listening", "stopped"
}

TEST(GatewayProxy, ModelAllowlistsGive403) {
  MiniUpstream up(openai_handler);
  RunningGateway gw("allowed_models = [\"m1\", \"m2\"]\n" +
                    testing::upstream_toml("u", up.url(), "\"m1\", \"m2\", \"m3\""));
  std::string key = gw.add_user({"fay", "--models", "m1"});
  EXPECT_EQ(gw.post("/v1/chat/completions", key, chat(false, "m1")).status, 200);
  EXPECT_EQ(gw.post("/v1/chat/completions", key, chat(false, "m2")).status, 403);  // user list
  std::string key2 = gw.add_user({"gus"});
  EXPECT_EQ(gw.post("/v1/chat/completions", key2, chat(false, "m3")).status, 403);  // org allowlist
  EXPECT_EQ(gw.post("/v1/chat/completions", key2, chat(false, "nope")).status, 403);
  auto models = http::get(gw.base() + "/v1/models", {{"Authorization", "Bearer " + key2}});
  Json m = Json::parse(models->body);
  EXPECT_EQ(m["data"].size(), 2u);
}

TEST(GatewayProxy, DisabledAndRotatedKeys) {
  MiniUpstream up(openai_handler);
  RunningGateway gw(testing::upstream_toml("u", up.url(), "\"m1\""));
  std::string key = gw.add_user({"hal"});
  EXPECT_EQ(gw.post("/v1/chat/completions", key, chat(false)).status, 200);
  std::string out = gw.cli({"user", "rotate", "hal"});
  std::string key2 = out.substr(out.rfind('\n', out.size() - 2) + 1);
  key2.pop_back();
  EXPECT_EQ(gw.post("/v1/chat/completions", key, chat(false)).status, 401);
  EXPECT_EQ(gw.post("/v1/chat/completions", key2, chat(false)).status, 200);
  gw.cli({"user", "disable", "hal"});
  EXPECT_EQ(gw.post("/v1/chat/completions", key2, chat(false)).status, 401);
  EXPECT_NE(gw.cli({"user", "list"}).find("disabled"), std::string::npos);
}

TEST(GatewayProxy, EmbeddingsAndHealthAndMetrics) {
  MiniUpstream up([](const UpRequest&) {
    UpResponse r;
    r.pieces = {R"({"object":"list","data":[{"embedding":[0.1,0.2]}],"usage":{"prompt_tokens":4,"total_tokens":4}})"};
    return r;
  });
  RunningGateway gw(testing::upstream_toml("u", up.url(), "\"emb\""));
  std::string key = gw.add_user({"ivy"});
  auto r = gw.post("/v1/embeddings", key, R"({"model":"emb","input":"hello"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(http::get(gw.base() + "/healthz")->status, 200);
  for (int i = 0; i < 100 && gw.usage()["users"].empty(); ++i) usleep(20000);
  std::string metrics = http::get(gw.base() + "/metrics")->body;
  EXPECT_NE(metrics.find("gateway_requests_total{endpoint=\"/v1/embeddings\",code=\"200\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("gateway_tokens_total{model=\"emb\",kind=\"input\"} 4"), std::string::npos);
  EXPECT_NE(metrics.find("gateway_request_duration_seconds_count"), std::string::npos);
  EXPECT_EQ(gw.usage()["users"][0]["input_tokens"], 4);
}

// A non-streaming reply that the upstream sent whole leaves the gateway in
// one write: status line, headers, the body chunk and the last chunk. The
// client is already blocked in recv() when the reply goes out, so a header
// written on its own would wake it with the header alone.
// `text` is the reply's content; each of the 10 requests gets its own connection.
void expect_reply_in_one_segment(const std::string& text) {
  MiniUpstream up([&](const UpRequest&) {
    UpResponse resp;
    resp.pieces = {testing::openai_json(text, 21, 3)};
    return resp;
  });
  RunningGateway gw(testing::upstream_toml("u", up.url(), "\"m1\""));
  std::string key = gw.add_user({"nina"});
  int port = std::stoi(gw.base().substr(gw.base().rfind(':') + 1));
  std::string body = chat(false);
  for (int i = 0; i < 10; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                      "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);  // one read: whatever the first segment carried
    ::close(fd);
    ASSERT_GT(n, 0);
    std::string got(buf, static_cast<size_t>(n));
    EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
    EXPECT_NE(got.find("\"" + text + "\""), std::string::npos)
        << "request " << i << " got only " << n << " bytes: " << got.substr(0, 400);
    EXPECT_EQ(got.size() >= 5 ? got.substr(got.size() - 5) : got, "0\r\n\r\n") << got.substr(0, 400);
  }
}

TEST(GatewayProxy, NonStreamingReplyLeavesInOneWrite) { expect_reply_in_one_segment("Hello!"); }

// A reply of several KiB, which the upstream sends in one write, is read in
// one go and leaves in one write too (the upstream's bytes used to be read
// 512 at a time, each piece relayed on its own: one more read and write
// per request even for a ~550-byte completion).
TEST(GatewayProxy, ALargerNonStreamingReplyLeavesInOneWrite) { expect_reply_in_one_segment(std::string(12000, 'x')); }

}  // namespace
}  // namespace bastion::gateway
