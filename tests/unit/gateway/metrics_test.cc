// Metrics: a finished request's figures recorded under one lock render
// exactly as the separate calls did.
#include "gateway/metrics.h"

#include <gtest/gtest.h>

namespace bastion::gateway {
namespace {

TEST(GatewayMetrics, FinishedRecordsWhatTheSeparateCallsDid) {
  Metrics one, many;
  const int64_t tokens[4] = {16, 5, 3, 0};
  for (int i = 0; i < 3; ++i) {
    one.finished("/v1/chat/completions", 200, 0.004 * i, i == 1 ? -1 : 0.002, "m\"1", tokens);
    many.request("/v1/chat/completions", 200);
    many.latency("/v1/chat/completions", 0.004 * i);
    if (i != 1) many.ttfb(0.002);
    many.tokens("m\"1", "input", 16);
    many.tokens("m\"1", "cached_input", 5);
    many.tokens("m\"1", "output", 3);
    many.tokens("m\"1", "reasoning", 0);
  }
  one.finished("/v1/embeddings", 502, 0.3, -1, "bge", tokens);
  many.request("/v1/embeddings", 502);
  many.latency("/v1/embeddings", 0.3);
  many.tokens("bge", "input", 16);
  many.tokens("bge", "cached_input", 5);
  many.tokens("bge", "output", 3);
  std::string text = one.render({{"u", true}});
  EXPECT_EQ(text, many.render({{"u", true}}));
  EXPECT_NE(text.find("gateway_requests_total{endpoint=\"/v1/chat/completions\",code=\"200\"} 3"), std::string::npos)
      << text;
  EXPECT_NE(text.find("gateway_tokens_total{model=\"m\\\"1\",kind=\"cached_input\"} 15"), std::string::npos) << text;
  EXPECT_EQ(text.find("kind=\"reasoning\""), std::string::npos) << "zero counts are not recorded";
  EXPECT_NE(text.find("gateway_upstream_ttfb_seconds_count 2"), std::string::npos) << text;
}

}  // namespace
}  // namespace bastion::gateway
