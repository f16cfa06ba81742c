// https upstreams: the gateway speaks TLS to a loopback HTTPS upstream whose
// self-signed certificate is generated at test time (openssl req -x509),
// trusts it only through the upstream's ca_file, and refuses certificates
// that are untrusted or name another host.
#include <gtest/gtest.h>

#include "unit/gateway/gateway_fixture.h"
#include "unit/gateway/mini_upstream.h"
#include "util/subprocess.h"

namespace bastion::gateway {
namespace {

using testing::MiniUpstream;
using testing::RunningGateway;
using testing::UpRequest;
using testing::UpResponse;

struct Cert {
  std::string cert, key, error;
};

// A self-signed P-256 certificate for `san` (e.g. "IP:127.0.0.1").
Cert make_cert(const std::string& dir, const std::string& name, const std::string& cn, const std::string& san) {
  Cert c{dir + "/" + name + ".pem", dir + "/" + name + ".key", ""};
  ProcessSpec spec;
  spec.argv = {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
               "-keyout", c.key, "-out", c.cert, "-days", "2", "-subj", "/CN=" + cn, "-addext",
               "subjectAltName=" + san};
  spec.timeout_ms = 30000;
  auto r = run_process(spec);
  if (!r.ok()) c.error = r.error().message;
  else if (r->exit_code != 0) c.error = r->output;
  return c;
}

UpResponse openai_handler(const UpRequest& r) {
  Json body = Json::parse(r.body, nullptr, false);
  UpResponse resp;
  if (body.value("stream", false)) {
    resp.content_type = "text/event-stream";
    resp.pieces = testing::openai_sse({"Hel", "lo"}, 12, 2, true);
  } else {
    resp.pieces = {testing::openai_json("Hello", 12, 2)};
  }
  return resp;
}

std::string chat(bool stream) {
  return std::string("{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]") +
         (stream ? ",\"stream\":true}" : "}");
}

class GatewayTls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir();
    good_ = make_cert(dir_, "good", "127.0.0.1", "IP:127.0.0.1,DNS:localhost");
    ASSERT_TRUE(good_.error.empty()) << "openssl req failed: " << good_.error;
  }
  std::string dir_;
  Cert good_;
};

TEST_F(GatewayTls, HttpsUpstreamTrustedThroughCaFile) {
  MiniUpstream up(openai_handler, good_.cert, good_.key);
  ASSERT_FALSE(up.tls_failed());
  ASSERT_EQ(up.url().rfind("https://", 0), 0u);
  RunningGateway gw(testing::upstream_toml("pool", up.url(), "\"m1\"", "openai",
                                           "ca_file = \"" + good_.cert + "\"\napi_key_env = \"GW_TLS_KEY\""));
  setenv("GW_TLS_KEY", "sk-pool", 1);
  std::string key = gw.add_user({"tina"});
  auto r = gw.post("/v1/chat/completions", key, chat(false));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, testing::openai_json("Hello", 12, 2));
  auto s = gw.post("/v1/chat/completions", key, chat(true));
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_NE(s.body.find("\"Hel\""), std::string::npos);
  EXPECT_NE(s.body.find("[DONE]"), std::string::npos);
  ASSERT_EQ(up.count(), 2);
  auto seen = up.requests()[0];
  EXPECT_EQ(seen.path, "/v1/chat/completions");
  EXPECT_EQ(seen.headers["authorization"], "Bearer sk-pool");
  EXPECT_EQ(seen.headers["host"], "127.0.0.1:" + std::to_string(up.port()));
  EXPECT_EQ(up.handshakes_failed(), 0);
  gw.stop();
  Json u = gw.usage();
  EXPECT_EQ(u["users"][0]["requests"], 2);
  EXPECT_EQ(u["users"][0]["input_tokens"], 24);
  EXPECT_EQ(u["users"][0]["output_tokens"], 4);
}

TEST_F(GatewayTls, UntrustedCertificateIsRefused) {
  MiniUpstream up(openai_handler, good_.cert, good_.key);
  // No ca_file: the system trust store does not know this self-signed cert.
  RunningGateway gw(testing::upstream_toml("pool", up.url(), "\"m1\""));
  std::string key = gw.add_user({"ugo"});
  auto r = gw.post("/v1/chat/completions", key, chat(false));
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_NE(r.body.find("could be reached"), std::string::npos) << r.body;
  EXPECT_EQ(up.count(), 0) << "no request may be sent over an unverified connection";
}

TEST_F(GatewayTls, CertificateForAnotherHostIsRefused) {
  Cert other = make_cert(dir_, "other", "other.example", "DNS:other.example");
  ASSERT_TRUE(other.error.empty()) << other.error;
  MiniUpstream up(openai_handler, other.cert, other.key);
  RunningGateway gw(testing::upstream_toml("pool", up.url(), "\"m1\"", "openai", "ca_file = \"" + other.cert + "\""));
  std::string key = gw.add_user({"vic"});
  auto r = gw.post("/v1/chat/completions", key, chat(false));
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_EQ(up.count(), 0);
}

TEST_F(GatewayTls, FailsOverFromABadCertificateToAGoodUpstream) {
  Cert other = make_cert(dir_, "other", "other.example", "DNS:other.example");
  ASSERT_TRUE(other.error.empty()) << other.error;
  MiniUpstream bad(openai_handler, other.cert, other.key);
  MiniUpstream good(openai_handler, good_.cert, good_.key);
  RunningGateway gw("health_interval_seconds = 0\n" +
                    testing::upstream_toml("bad", bad.url(), "\"m1\"", "openai",
                                           "ca_file = \"" + other.cert + "\"\nweight = 1000") +
                    testing::upstream_toml("good", good.url(), "\"m1\"", "openai", "ca_file = \"" + good_.cert + "\""));
  std::string key = gw.add_user({"wes"});
  auto r = gw.post("/v1/chat/completions", key, chat(false));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(bad.count(), 0);
  EXPECT_EQ(good.count(), 1);
}

}  // namespace
}  // namespace bastion::gateway
