// Fault runs (issue #8): the upstream dies mid-stream, and the gateway is
// restarted (SIGTERM drain) under load. Each asserts that the usage table
// counts every request that reached an upstream exactly once: nothing lost,
// nothing double-counted. (PostgreSQL restarting is in pg_test.cc.)
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "unit/gateway/child_gateway.h"
#include "unit/gateway/gateway_fixture.h"
#include "unit/gateway/mini_upstream.h"

namespace bastion::gateway {
namespace {

using testing::MiniUpstream;
using testing::RunningGateway;
using testing::UpRequest;
using testing::UpResponse;

struct StreamResult {
  bool transport_ok = false;  // the HTTP exchange completed (status + whole body)
  int status = 0;
  std::string body;           // every byte received, even from a broken exchange
};

StreamResult post_stream(const std::string& url, const std::string& key, const std::string& body,
                         http::HttpClient& client) {
  StreamResult out;
  http::Request req;
  req.method = "POST";
  req.url = url;
  req.headers = {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}};
  req.body = body;
  req.timeout_ms = 20000;
  req.on_body = [&](std::string_view chunk) {
    out.body.append(chunk);
    return true;
  };
  auto r = client.perform(req);
  out.transport_ok = r.ok();
  if (r.ok()) out.status = r->status;
  return out;
}

const std::string kOpenAiStream =
    "{\"model\":\"m1\",\"stream\":true,\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}";
const std::string kAnthropicStream =
    "{\"model\":\"claude-x\",\"stream\":true,\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}";

// The gateway's prompt estimate when the upstream never said (gateway.cc).
int64_t prompt_estimate(const std::string& body) { return static_cast<int64_t>(body.size() / 3) + 1; }

TEST(GatewayFaults, UpstreamDiesMidStreamOpenAi) {
  std::atomic<int> calls{0};
  MiniUpstream up([&](const UpRequest&) {
    UpResponse r;
    r.content_type = "text/event-stream";
    r.pieces = testing::openai_sse({"Hello, wor", "ld and more"}, 21, 9, true);
    if (calls++ == 0) r.drop_after_pieces = 1;  // first request: dies after "Hello, wor"
    return r;
  });
  RunningGateway gw(testing::upstream_toml("u", up.url(), "\"m1\""));
  std::string key = gw.add_user({"dora"});
  http::HttpClient client;
  StreamResult cut = post_stream(gw.base() + "/v1/chat/completions", key, kOpenAiStream, client);
  // A clean end: HTTP 200 whose stream carries what arrived, then an error
  // event saying why (as providers report a failed stream), then the end.
  ASSERT_TRUE(cut.transport_ok) << cut.body;
  EXPECT_EQ(cut.status, 200);
  EXPECT_NE(cut.body.find("Hello, wor"), std::string::npos) << cut.body;
  EXPECT_NE(cut.body.find("\"upstream_disconnected\""), std::string::npos) << cut.body;
  EXPECT_EQ(cut.body.find("ld and more"), std::string::npos);
  EXPECT_EQ(cut.body.find("[DONE]"), std::string::npos);
  // The next request is whole.
  StreamResult whole = post_stream(gw.base() + "/v1/chat/completions", key, kOpenAiStream, client);
  ASSERT_TRUE(whole.transport_ok);
  EXPECT_NE(whole.body.find("[DONE]"), std::string::npos);
  gw.stop();
  Json u = gw.usage();
  ASSERT_EQ(u["users"].size(), 1u);
  // Recorded once each: the cut stream at what was received (prompt
  // estimate, 10 bytes of text = 3 tokens), the whole one at its usage.
  EXPECT_EQ(u["users"][0]["requests"], 2);
  EXPECT_EQ(u["users"][0]["input_tokens"], prompt_estimate(kOpenAiStream) + 21);
  EXPECT_EQ(u["users"][0]["output_tokens"], 3 + 9);
  EXPECT_EQ(up.count(), 2);
  EXPECT_NE(gw.cli({"audit", "verify"}).find("intact"), std::string::npos);
}

TEST(GatewayFaults, UpstreamDiesMidStreamAnthropicKeepsReportedInput) {
  MiniUpstream up([](const UpRequest&) {
    UpResponse r;
    r.content_type = "text/event-stream";
    r.pieces = testing::anthropic_sse("Sixteen bytes!!!", 40, 0, 30);
    r.drop_after_pieces = 3;  // message_start, block start, the text delta; no message_delta
    return r;
  });
  RunningGateway gw(testing::upstream_toml("a", up.url(), "\"claude-x\"", "anthropic"));
  std::string key = gw.add_user({"eve"});
  http::HttpClient client;
  StreamResult cut = post_stream(gw.base() + "/v1/messages", key, kAnthropicStream, client);
  ASSERT_TRUE(cut.transport_ok) << cut.body;
  EXPECT_NE(cut.body.find("Sixteen bytes!!!"), std::string::npos);
  EXPECT_NE(cut.body.find("event: error\ndata: {"), std::string::npos) << cut.body;
  EXPECT_NE(cut.body.find("\"upstream_disconnected\""), std::string::npos);
  EXPECT_EQ(cut.body.find("message_stop"), std::string::npos);
  gw.stop();
  Json u = gw.usage();
  ASSERT_EQ(u["users"].size(), 1u);
  EXPECT_EQ(u["users"][0]["requests"], 1);
  EXPECT_EQ(u["users"][0]["input_tokens"], 40);  // from message_start, not the estimate
  EXPECT_EQ(u["users"][0]["output_tokens"], 4);  // 16 bytes of text received
}

TEST(GatewayFaults, UpstreamDiesMidBodyNonStreaming) {
  MiniUpstream up([](const UpRequest&) {
    UpResponse r;
    std::string body = testing::openai_json("Hello!", 21, 3);
    r.pieces = {body.substr(0, 40), body.substr(40)};
    r.drop_after_pieces = 1;
    return r;
  });
  RunningGateway gw(testing::upstream_toml("u", up.url(), "\"m1\""));
  std::string key = gw.add_user({"finn"});
  std::string body = "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  auto r = http::post(gw.base() + "/v1/chat/completions",
                      {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}}, body, 20000);
  EXPECT_FALSE(r.ok()) << "a truncated JSON body must not look complete";
  gw.stop();
  Json u = gw.usage();
  ASSERT_EQ(u["users"].size(), 1u);
  EXPECT_EQ(u["users"][0]["requests"], 1);
  EXPECT_EQ(u["users"][0]["input_tokens"], prompt_estimate(body));
  EXPECT_EQ(u["users"][0]["output_tokens"], 10);  // 40 bytes relayed / 4
}

TEST(GatewayFaults, RestartUnderLoadDrainsAndMetersExactlyOnce) {
  MiniUpstream up([](const UpRequest&) {
    UpResponse r;
    r.content_type = "text/event-stream";
    r.pieces = testing::openai_sse({"a", "b", "c"}, 10, 5, true);
    r.delay_ms = 120;  // ~0.6 s per stream: many are in flight at the SIGTERM
    return r;
  });
  std::string dir = testing::make_temp_dir();
  int port = testing::free_port();
  std::string config = dir + "/gw.toml";
  ASSERT_TRUE(fs::write_file_atomic(config, "listen = \"127.0.0.1:" + std::to_string(port) + "\"\ndatabase = \"sqlite://" +
                                                dir + "/gw.db\"\nauth_cache_seconds = 0\nhealth_interval_seconds = 0\n" +
                                                testing::upstream_toml("u", up.url(), "\"m1\""))
                  .ok());
  std::ostringstream out, err;
  ASSERT_EQ(run_gateway_command({"--config", config, "user", "add", "gil"}, out, err), 0) << err.str();
  std::string key = out.str();
  while (!key.empty() && key.back() == '\n') key.pop_back();
  key = key.substr(key.rfind('\n') + 1);

  auto g1 = std::make_unique<testing::ChildGateway>(config, port, dir + "/g1.log");
  ASSERT_TRUE(g1->wait_ready());
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/v1/chat/completions";
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, refused{0}, broken{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t)
    clients.emplace_back([&] {
      http::HttpClient client;
      while (!stop) {
        StreamResult r = post_stream(url, key, kOpenAiStream, client);
        bool complete = r.transport_ok && r.status == 200 && r.body.find("[DONE]") != std::string::npos;
        if (complete) ++ok;
        else if (!r.transport_ok && r.body.empty()) {
          ++refused;  // no gateway listening for a moment: nothing was sent upstream
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        } else {
          ++broken;
        }
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  int before = ok;
  EXPECT_EQ(g1->stop(SIGTERM), 0) << "see " << dir << "/g1.log";  // waits for the drain
  g1.reset();
  testing::ChildGateway g2(config, port, dir + "/g2.log");
  ASSERT_TRUE(g2.wait_ready());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  for (auto& th : clients) th.join();
  EXPECT_EQ(g2.stop(SIGTERM), 0);

  EXPECT_GT(before, 0);
  EXPECT_GT(ok.load(), before) << "service resumed after the restart";
  EXPECT_EQ(broken, 0) << "a stream in flight at SIGTERM was cut instead of drained";
  std::ostringstream uout, uerr;
  ASSERT_EQ(run_gateway_command({"--config", config, "usage", "--by", "user", "--format", "json"}, uout, uerr), 0);
  Json u = Json::parse(uout.str());
  ASSERT_EQ(u["users"].size(), 1u);
  EXPECT_EQ(u["users"][0]["requests"], ok.load());
  EXPECT_EQ(u["users"][0]["input_tokens"], 10 * ok);
  EXPECT_EQ(u["users"][0]["output_tokens"], 5 * ok);
  EXPECT_EQ(up.count(), ok.load()) << "every request that reached the upstream was answered";
}

}  // namespace
}  // namespace bastion::gateway
