#include "llm/retrying_client.h"

#include <gtest/gtest.h>

#include <deque>

#include "llm/model_errors.h"
#include "llm/openai_chat.h"
#include "unit/llm/test_http_server.h"

namespace bastion::llm {
namespace {

// A scripted inner client: each chat() pops the next outcome.
class ScriptedClient : public ModelClient {
 public:
  std::deque<Result<ChatResponse>> outcomes;
  std::vector<std::string> models_asked;
  Result<ChatResponse> chat(const ChatRequest& r, const StreamSink&) override {
    models_asked.push_back(r.model);
    auto o = outcomes.front();
    outcomes.pop_front();
    return o;
  }
  Result<std::vector<std::string>> list_models() override { return std::vector<std::string>{}; }
  std::string endpoint() const override { return "openai at http://127.0.0.1:1/v1"; }
};

Error http(int status, double retry_after = -1) {
  Error e(status >= 500 || status == 429 ? ErrorKind::kModel : ErrorKind::kModel, "HTTP " + std::to_string(status));
  e.http_status = status;
  e.retry_after_seconds = retry_after;
  return e;
}

ChatResponse answer(const std::string& text) {
  ChatResponse r;
  r.message.role = Role::kAssistant;
  r.message.content = text;
  return r;
}

struct Fixture {
  std::vector<double> sleeps;
  RetryPolicy policy() {
    RetryPolicy p;
    p.sleep = [this](double s) { sleeps.push_back(s); };
    p.jitter = [] { return 0.0; };
    return p;
  }
};

// Esc during a long Retry-After must not wait the backoff out: the wait is
// sliced and the retry never happens.
TEST(RetryingClient, InterruptDuringBackoffStopsWithoutRetrying) {
  Fixture f;
  auto inner = std::make_unique<ScriptedClient>();
  ScriptedClient* script = inner.get();
  inner->outcomes = {http(429, 30), answer("never")};
  RetryingClient c(std::move(inner), {}, f.policy());
  StreamSink sink;
  sink.keep_going = [&] { return f.sleeps.size() < 5; };  // Esc after half a second of waiting
  ChatRequest req;
  req.model = "m";
  auto r = c.chat(req, sink);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 429);
  double waited = 0;
  for (double s : f.sleeps) waited += s;
  EXPECT_LT(waited, 1.0);
  EXPECT_EQ(script->outcomes.size(), 1u);  // the retry was never sent
}

TEST(RetryingClient, HonoursRetryAfterOn429) {
  Fixture f;
  auto inner = std::make_unique<ScriptedClient>();
  inner->outcomes = {http(429, 1), answer("done")};
  RetryingClient c(std::move(inner), {}, f.policy());
  std::vector<std::string> notices;
  StreamSink sink;
  sink.on_retry = [&](const std::string& n) { notices.push_back(n); };
  ChatRequest req;
  req.model = "m";
  auto r = c.chat(req, sink);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->message.content, "done");
  ASSERT_EQ(f.sleeps.size(), 1u);
  EXPECT_DOUBLE_EQ(f.sleeps[0], 1.0);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("HTTP 429"), std::string::npos);
}

TEST(RetryingClient, ExponentialBackoffIsBoundedAndGivesUpWithAClearMessage) {
  Fixture f;
  auto inner = std::make_unique<ScriptedClient>();
  for (int i = 0; i < 4; ++i) inner->outcomes.push_back(http(502));
  RetryPolicy p = f.policy();
  p.base_delay_seconds = 1;
  p.max_delay_seconds = 3;
  p.jitter = [] { return 0.999; };
  RetryingClient c(std::move(inner), {}, p);
  ChatRequest req;
  req.model = "m";
  auto r = c.chat(req, {});
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(f.sleeps.size(), 3u);  // 4 attempts, 3 waits
  EXPECT_NEAR(f.sleeps[0], 1.0, 0.01);
  EXPECT_NEAR(f.sleeps[1], 2.0, 0.01);
  EXPECT_NEAR(f.sleeps[2], 3.0, 0.01);  // capped
  EXPECT_NE(r.error().message.find("gave up after 4 attempts"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("127.0.0.1:1"), std::string::npos);
  EXPECT_NE(r.error().message.find("HTTP 502"), std::string::npos);
  EXPECT_EQ(r.error().http_status, 502);
}

TEST(RetryingClient, JitterStaysWithinHalfToFullDelay) {
  RetryPolicy p;
  p.jitter = [] { return 0.0; };
  RetryingClient lo(std::make_unique<ScriptedClient>(), {}, p);
  p.jitter = [] { return 0.99; };
  RetryingClient hi(std::make_unique<ScriptedClient>(), {}, p);
  Error e = http(500);
  EXPECT_NEAR(lo.delay_for(e, 3), 2.0, 1e-9);   // 4 s * 0.5
  EXPECT_NEAR(hi.delay_for(e, 3), 3.98, 1e-9);  // 4 s * 0.995
}

TEST(RetryingClient, NonTransientErrorsReturnAtOnceUnchanged) {
  Fixture f;
  auto inner = std::make_unique<ScriptedClient>();
  Error overflow(ErrorKind::kModel, "context window exceeded: too long");
  overflow.http_status = 400;
  inner->outcomes = {overflow};
  RetryingClient c(std::move(inner), {"fallback"}, f.policy());
  auto r = c.chat({}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is_context_overflow(r.error()));
  EXPECT_EQ(r.error().message, overflow.message);
  EXPECT_TRUE(f.sleeps.empty());
}

TEST(RetryingClient, RetryAfterTooLongIsNotWaited) {
  Fixture f;
  auto inner = std::make_unique<ScriptedClient>();
  inner->outcomes = {http(503, 3600)};
  RetryingClient c(std::move(inner), {}, f.policy());
  auto r = c.chat({}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(f.sleeps.empty());
}

TEST(RetryingClient, FallsBackToTheNextModelWhenThePrimaryKeepsFailing) {
  Fixture f;
  auto inner_owned = std::make_unique<ScriptedClient>();
  ScriptedClient* inner = inner_owned.get();
  RetryPolicy p = f.policy();
  p.max_attempts = 2;
  inner->outcomes = {http(503), http(503), answer("from fallback")};
  RetryingClient c(std::move(inner_owned), {"small-model"}, p);
  ChatRequest req;
  req.model = "big-model";
  auto r = c.chat(req, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->message.content, "from fallback");
  EXPECT_EQ(inner->models_asked, (std::vector<std::string>{"big-model", "big-model", "small-model"}));
}

TEST(RetryingClient, MissingModelFallsBackWithoutRetrying) {
  Fixture f;
  auto inner_owned = std::make_unique<ScriptedClient>();
  ScriptedClient* inner = inner_owned.get();
  Error nf(ErrorKind::kNotFound, "model 'x' not found");
  nf.http_status = 404;
  inner->outcomes = {nf, answer("ok")};
  RetryingClient c(std::move(inner_owned), {"y"}, f.policy());
  ChatRequest req;
  req.model = "x";
  ASSERT_TRUE(c.chat(req, {}).ok());
  EXPECT_TRUE(f.sleeps.empty());
  EXPECT_EQ(inner->models_asked.size(), 2u);
}

TEST(RetryingClient, DroppedStreamAgainstARealServerIsRetried) {
  using bastion::testing::http_head;
  using bastion::testing::Reply;
  bastion::testing::TestHttpServer server([](auto&, int i) {
    std::string ok = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"whole\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    if (i == 0) return Reply{{http_head(200), "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"half\"}}]}\n\n"}};
    if (i == 1) return bastion::testing::simple_reply(429, "{\"error\":\"busy\"}", "application/json", "Retry-After: 1\r\n");
    return Reply{{http_head(200), ok}};
  });
  ProviderConfig cfg;
  cfg.base_url = server.url() + "/v1";
  cfg.model = "m";
  Fixture f;
  RetryingClient c(std::make_unique<OpenAiChatClient>(cfg), {}, f.policy());
  int retries = 0;
  StreamSink sink;
  sink.on_retry = [&](const std::string&) { ++retries; };
  auto r = c.chat({}, sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->message.content, "whole");
  EXPECT_EQ(retries, 2);
  ASSERT_EQ(f.sleeps.size(), 2u);
  EXPECT_DOUBLE_EQ(f.sleeps[1], 1.0);  // Retry-After: 1
  EXPECT_EQ(server.requests().size(), 3u);
}

}  // namespace
}  // namespace bastion::llm
