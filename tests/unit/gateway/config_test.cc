#include "gateway/config.h"

#include <gtest/gtest.h>

namespace bastion::gateway {
namespace {

TEST(GatewayConfig, ParsesAFullFile) {
  auto c = parse_config(R"(
listen = "127.0.0.1:9999"
database = "sqlite:///tmp/x.db"
redact_prompts = true
allowed_models = ["qwen*", "claude-x"]
[quotas]
daily_tokens = 1000
rpm = 5
[quotas.team]
tpm = 50000
[teams.infra]
rpm = 100
[prices."qwen*"]
input = 1.0
output = 2.0
[[upstream]]
name = "a"
url = "http://127.0.0.1:8000/v1"
protocol = "openai"
models = ["qwen3"]
weight = 3
max_concurrency = 10
[[upstream]]
name = "b"
url = "http://localhost:9000"
protocol = "anthropic"
)", "t.toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->listen_port, "9999");
  EXPECT_TRUE(c->redact_prompts);
  EXPECT_EQ(c->user_defaults.daily_tokens, 1000);
  EXPECT_EQ(c->user_defaults.rpm, 5);
  EXPECT_EQ(c->team_defaults.tpm, 50000);
  EXPECT_EQ(c->teams["infra"].rpm, 100);
  EXPECT_EQ(c->teams["infra"].tpm, 50000);  // inherits the team default
  ASSERT_EQ(c->upstreams.size(), 2u);
  EXPECT_EQ(c->upstreams[0].path_prefix, "/v1");
  EXPECT_EQ(c->upstreams[0].port, "8000");
  EXPECT_EQ(c->upstreams[0].weight, 3);
  EXPECT_EQ(c->upstreams[1].protocol, Protocol::kAnthropic);
  EXPECT_EQ(c->upstreams[1].port, "9000");
  EXPECT_EQ(c->upstreams[1].path_prefix, "");
  EXPECT_DOUBLE_EQ(price_for(*c, "qwen3-coder").output, 2.0);
  EXPECT_DOUBLE_EQ(price_for(*c, "other").output, 0.0);
}

TEST(GatewayConfig, ReportsMistakes) {
  EXPECT_FALSE(parse_config("listen = \"nope\"", "t").ok());
  EXPECT_FALSE(parse_config("database = \"mysql://x\"", "t").ok());
  EXPECT_FALSE(parse_config("[[upstream]]\nname=\"a\"\nurl=\"ftp://x\"", "t").ok());
  EXPECT_FALSE(parse_config("[[upstream]]\nname=\"a\"\nurl=\"http://x:1\"\nprotocol=\"grpc\"", "t").ok());
  EXPECT_FALSE(parse_config("[quotas]\nbogus = 1", "t").ok());
  auto bad = parse_config("listen = ", "conf.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("conf.toml"), std::string::npos);
}

TEST(GatewayConfig, HttpsUpstreamsAndCaFile) {
  auto c = parse_config("[[upstream]]\nname=\"a\"\nurl=\"https://pool.internal/v1\"\n"
                        "[[upstream]]\nname=\"b\"\nurl=\"https://pool2.internal:8443\"\nca_file=\"/etc/hostname\"\n"
                        "[[upstream]]\nname=\"c\"\nurl=\"http://plain:80\"\n",
                        "t");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->upstreams[0].tls);
  EXPECT_EQ(c->upstreams[0].host, "pool.internal");
  EXPECT_EQ(c->upstreams[0].port, "443");
  EXPECT_EQ(c->upstreams[0].path_prefix, "/v1");
  EXPECT_EQ(c->upstreams[1].port, "8443");
  EXPECT_EQ(c->upstreams[1].ca_file, "/etc/hostname");
  EXPECT_FALSE(c->upstreams[2].tls);
  auto plain_ca = parse_config("[[upstream]]\nname=\"a\"\nurl=\"http://x:1\"\nca_file=\"/etc/hostname\"\n", "t");
  ASSERT_FALSE(plain_ca.ok());
  EXPECT_NE(plain_ca.error().message.find("ca_file needs an https:// url"), std::string::npos);
  auto missing = parse_config("[[upstream]]\nname=\"a\"\nurl=\"https://x\"\nca_file=\"/nonexistent/ca.pem\"\n", "t");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace bastion::gateway
