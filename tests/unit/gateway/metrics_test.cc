// Metrics: what a finished request records, as Prometheus renders it.
#include "gateway/metrics.h"

#include <gtest/gtest.h>

namespace bastion::gateway {
namespace {

bool has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(GatewayMetrics, FinishedRecordsCountsLatencyTtfbAndTokens) {
  Metrics m;
  const int64_t tokens[4] = {16, 5, 3, 0};
  for (int i = 0; i < 3; ++i)
    m.finished("/v1/chat/completions", 200, 0.004 * i, i == 1 ? -1 : 0.002, "m\"1", tokens);
  m.finished("/v1/embeddings", 502, 0.3, -1, "bge", tokens);
  m.request("/v1/embeddings", 401);
  std::string text = m.render({{"u", true}});
  EXPECT_TRUE(has(text, "gateway_requests_total{endpoint=\"/v1/chat/completions\",code=\"200\"} 3\n")) << text;
  EXPECT_TRUE(has(text, "gateway_requests_total{endpoint=\"/v1/embeddings\",code=\"502\"} 1\n")) << text;
  EXPECT_TRUE(has(text, "gateway_requests_total{endpoint=\"/v1/embeddings\",code=\"401\"} 1\n")) << text;
  EXPECT_TRUE(has(text, "gateway_tokens_total{model=\"m\\\"1\",kind=\"cached_input\"} 15\n")) << text;
  EXPECT_TRUE(has(text, "gateway_tokens_total{model=\"bge\",kind=\"output\"} 3\n")) << text;
  EXPECT_FALSE(has(text, "kind=\"reasoning\"")) << "zero counts are not recorded";
  EXPECT_TRUE(has(text, "gateway_request_duration_seconds_count{endpoint=\"/v1/chat/completions\"} 3\n")) << text;
  EXPECT_TRUE(has(text, "gateway_request_duration_seconds_count{endpoint=\"/v1/embeddings\"} 1\n")) << text;
  EXPECT_TRUE(has(text, "gateway_upstream_ttfb_seconds_count 2\n")) << text;
}

}  // namespace
}  // namespace bastion::gateway
