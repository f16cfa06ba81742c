// Several gateway processes sharing one real PostgreSQL: metering is exact
// and a quota is never overspent by more than one request, under concurrent
// load spread over both processes; and PostgreSQL restarting while a
// gateway serves (fault run): 503s during the outage, nothing lost or
// double-counted.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "unit/gateway/child_gateway.h"
#include "unit/gateway/gateway_fixture.h"
#include "unit/gateway/mini_upstream.h"
#include "util/subprocess.h"

namespace bastion::gateway {
namespace {

using namespace testing;

std::string source_dir() {
  if (const char* d = std::getenv("BASTION_SOURCE_DIR")) return d;
  std::string f = __FILE__;  // .../tests/unit/gateway/pg_test.cc
  return f.substr(0, f.rfind("/tests/unit/gateway/"));
}

bool have_postgres() {
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec))
    if (std::filesystem::exists(e.path() / "bin" / "initdb")) return true;
  return false;
}

// Starts one PostgreSQL for the whole binary (scripts/pg_start.sh).
class PgEnv : public ::testing::Environment {
 public:
  static std::string url;
  static std::string skip_reason;
  static std::string dir;
  static int port;
  // Runs scripts/pg_start.sh (or pg_stop.sh) for this server; "" on success.
  static std::string script(const std::string& name, bool purge = false) {
    ProcessSpec spec;
    spec.argv = {"bash", source_dir() + "/scripts/" + name};
    spec.env = {"PGTEST_DIR=" + dir, "PGTEST_PORT=" + std::to_string(port), "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                "PGTEST_DB=gateway_test", std::string("PGTEST_PURGE=") + (purge ? "1" : "0")};
    spec.timeout_ms = 180000;
    auto r = run_process(spec);
    if (!r.ok()) return r.error().message;
    if (r->exit_code != 0) return name + " failed: " + r->output;
    last_output = r->output;
    return "";
  }
  static std::string last_output;
  void SetUp() override {
    if (std::getenv("BASTION_GW_CHILD_CONFIG")) return;
    if (!have_postgres()) {
      skip_reason = "PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin/initdb)";
      return;
    }
    dir = "/tmp/gwpg_" + std::to_string(getpid());
    port = free_port();
    if (std::string e = script("pg_start.sh"); !e.empty()) {
      skip_reason.clear();
      url.clear();
      ADD_FAILURE() << e;
      return;
    }
    size_t p = last_output.find("PGTEST_URL=");
    url = last_output.substr(p + 11, last_output.find('\n', p) - p - 11);
  }
  void TearDown() override {
    if (!dir.empty()) (void)script("pg_stop.sh", true);
  }
};
std::string PgEnv::url;
std::string PgEnv::skip_reason;
std::string PgEnv::dir;
int PgEnv::port = 0;
std::string PgEnv::last_output;
const auto* kPgEnv = ::testing::AddGlobalTestEnvironment(new PgEnv);

class GatewayPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PgEnv::skip_reason.empty()) GTEST_SKIP() << PgEnv::skip_reason;
    ASSERT_FALSE(PgEnv::url.empty()) << "PostgreSQL did not start";
  }
};

UpResponse fixed_usage(const UpRequest& r) {
  Json body = Json::parse(r.body, nullptr, false);
  UpResponse resp;
  if (body.value("stream", false)) {
    resp.content_type = "text/event-stream";
    resp.pieces = openai_sse({"x", "y"}, 10, 5, true);
  } else {
    resp.pieces = {openai_json("xy", 10, 5)};
  }
  return resp;
}

TEST_F(GatewayPostgres, TwoProcessesMeterExactlyAndHoldQuotas) {
  MiniUpstream up(fixed_usage);
  std::string dir = make_temp_dir();
  int p1 = free_port(), p2 = free_port();
  std::string common = "database = \"" + PgEnv::url + "\"\nauth_cache_seconds = 0\nhealth_interval_seconds = 0\n" +
                       upstream_toml("u", up.url(), "\"m1\"");
  std::string c1 = dir + "/g1.toml", c2 = dir + "/g2.toml";
  ASSERT_TRUE(fs::write_file_atomic(c1, "listen = \"127.0.0.1:" + std::to_string(p1) + "\"\n" + common).ok());
  ASSERT_TRUE(fs::write_file_atomic(c2, "listen = \"127.0.0.1:" + std::to_string(p2) + "\"\n" + common).ok());
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", c1});
    std::ostringstream out, err;
    EXPECT_EQ(run_gateway_command(args, out, err), 0) << err.str();
    return out.str();
  };
  auto last_line = [](std::string s) {
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s.substr(s.rfind('\n') + 1);
  };
  std::string free_key = last_line(cli({"user", "add", "pg_free", "--team", "t1"}));
  std::string quota_key = last_line(cli({"user", "add", "pg_quota", "--team", "t1", "--daily-tokens", "300"}));

  ChildGateway g1(c1, p1, dir + "/g1.log"), g2(c2, p2, dir + "/g2.log");
  ASSERT_TRUE(g1.wait_ready()) << "gateway 1 did not start; see " << dir << "/g1.log";
  ASSERT_TRUE(g2.wait_ready()) << "gateway 2 did not start; see " << dir << "/g2.log";

  std::atomic<int> free_ok{0}, quota_ok{0}, quota_429{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      http::HttpClient client;
      for (int i = 0; i < 20; ++i) {
        bool quota = (i % 2) == 1;
        bool stream = (i % 4) >= 2;
        http::Request req;
        req.method = "POST";
        req.url = ((t + i) % 2 ? g1.base() : g2.base()) + "/v1/chat/completions";
        req.headers = {{"Authorization", "Bearer " + (quota ? quota_key : free_key)},
                       {"Content-Type", "application/json"}};
        req.body = std::string("{\"model\":\"m1\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]") +
                   (stream ? ",\"stream\":true}" : "}");
        auto r = client.perform(req);
        if (!r.ok()) {
          ++other;
          continue;
        }
        if (r->status == 200) ++(quota ? quota_ok : free_ok);
        else if (r->status == 429 && quota) ++quota_429;
        else ++other;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(g1.stop(), 0);
  EXPECT_EQ(g2.stop(), 0);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(free_ok, 80);
  EXPECT_GT(quota_429, 0);

  Json usage = Json::parse(cli({"usage", "--by", "user", "--format", "json"}));
  std::map<std::string, Json> by;
  for (auto& u : usage["users"]) by[u["user"]] = u;
  EXPECT_EQ(by["pg_free"]["requests"], free_ok.load());
  EXPECT_EQ(by["pg_free"]["input_tokens"], 10 * free_ok);
  EXPECT_EQ(by["pg_free"]["output_tokens"], 5 * free_ok);
  EXPECT_EQ(by["pg_quota"]["requests"], quota_ok.load());
  int64_t spent = by["pg_quota"]["input_tokens"].get<int64_t>() + by["pg_quota"]["output_tokens"].get<int64_t>();
  EXPECT_EQ(spent, 15 * quota_ok);
  EXPECT_LE(spent, 300 + 15) << "quota overspent by more than one request";
  Json teams = Json::parse(cli({"usage", "--by", "team", "--format", "json"}));
  EXPECT_EQ(teams["teams"][0]["requests"], free_ok + quota_ok);
  EXPECT_NE(cli({"audit", "verify"}).find("intact"), std::string::npos);
  EXPECT_EQ(up.count(), free_ok + quota_ok);
}

TEST_F(GatewayPostgres, RestartWhileServingGives503ThenResumesAndMetersOnce) {
  MiniUpstream up([](const UpRequest& r) {
    UpResponse resp = fixed_usage(r);
    if (r.body.find("slow") != std::string::npos) resp.delay_ms = 1000;  // spans the outage
    return resp;
  });
  RunningGateway gw("health_interval_seconds = 0\n" + upstream_toml("u", up.url(), "\"m1\""), PgEnv::url);
  std::string key = gw.add_user({"pg_restart"});
  auto body = [](const std::string& text, bool stream) {
    return "{\"model\":\"m1\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]" +
           (stream ? ",\"stream\":true}" : "}");
  };
  int ok = 0;
  for (int i = 0; i < 3; ++i) ok += gw.post("/v1/chat/completions", key, body("before", false)).status == 200;
  EXPECT_EQ(ok, 3);

  // A stream admitted before the outage ends during it: its settlement
  // waits in memory until the database is back.
  http::Response slow;
  std::thread streamer([&] { slow = gw.post("/v1/chat/completions", key, body("slow", true)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(PgEnv::script("pg_stop.sh"), "");
  auto during = gw.post("/v1/chat/completions", key, body("during", false));
  EXPECT_EQ(during.status, 503);
  Json err = Json::parse(during.body, nullptr, false);
  ASSERT_TRUE(err.is_object()) << during.body;
  EXPECT_EQ(err["error"]["type"], "api_error");
  EXPECT_NE(err["error"]["message"].get<std::string>().find("database unavailable"), std::string::npos);
  streamer.join();
  EXPECT_EQ(slow.status, 200);
  EXPECT_NE(slow.body.find("[DONE]"), std::string::npos);
  ++ok;
  for (int i = 0; i < 50 && gw.gateway().unsettled() == 0; ++i)  // finish() runs just after the last byte
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(gw.gateway().unsettled(), 1u) << "the stream's settlement should be waiting for the database";

  ASSERT_EQ(PgEnv::script("pg_start.sh"), "");
  // Pooled connections broke with the restart: the first request after it
  // must already succeed (the store reconnects and retries once).
  for (int i = 0; i < 3; ++i) {
    auto r = gw.post("/v1/chat/completions", key, body("after", i == 1));
    EXPECT_EQ(r.status, 200) << r.body;
    ok += r.status == 200;
  }
  for (int i = 0; i < 100 && gw.gateway().unsettled() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(gw.gateway().unsettled(), 0u);
  gw.stop();

  Json usage = gw.usage();
  Json mine;
  for (auto& u : usage["users"])
    if (u["user"] == "pg_restart") mine = u;
  ASSERT_TRUE(mine.is_object()) << usage.dump();
  EXPECT_EQ(ok, 7);
  EXPECT_EQ(mine["requests"], ok);
  EXPECT_EQ(mine["input_tokens"], 10 * ok);
  EXPECT_EQ(mine["output_tokens"], 5 * ok);
  EXPECT_EQ(up.count(), ok);  // the 503 never reached the upstream
  EXPECT_NE(gw.cli({"audit", "verify"}).find("intact"), std::string::npos);
}

}  // namespace
}  // namespace bastion::gateway
