// Runs a whole gateway (SQLite store + Beast server) in-process on a free
// loopback port for end-to-end tests, with helpers to add users and to
// send requests through it with the project's libcurl client.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>
#include <thread>

#include "gateway/admin.h"
#include "gateway/gateway.h"
#include "gateway/server.h"
#include "util/fs.h"
#include "util/http_client.h"

namespace bastion::gateway::testing {

inline std::string make_temp_dir() {
  char tmpl[] = "/tmp/gwtestXXXXXX";
  return mkdtemp(tmpl);
}

class RunningGateway {
 public:
  // `toml` is the config without listen/database lines.
  explicit RunningGateway(const std::string& toml, const std::string& database = "") {
    dir_ = make_temp_dir();
    std::string db = database.empty() ? "sqlite://" + dir_ + "/gw.db" : database;
    config_path_ = dir_ + "/gateway.toml";
    // Keys are looked up every time unless the test sets auth_cache_seconds
    // (a cached key is admitted on the io thread: Gateway::admit_async).
    std::string cache = toml.find("auth_cache_seconds") == std::string::npos ? "auth_cache_seconds = 0\n" : "";
    std::string text = "listen = \"127.0.0.1:0\"\ndatabase = \"" + db + "\"\n" + cache + toml;
    EXPECT_TRUE(fs::write_file_atomic(config_path_, text).ok());
    auto cfg = load_config(config_path_);
    EXPECT_TRUE(cfg.ok()) << (cfg.ok() ? "" : cfg.error().message);
    auto store = GatewayStore::open(cfg->database, cfg->db_pool);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    gw_ = std::make_unique<Gateway>(*cfg, std::move(*store));
    auto server = Server::create(*gw_);
    EXPECT_TRUE(server.ok());
    server_ = std::move(*server);
    thread_ = std::thread([this] { server_->run(false); });
  }
  ~RunningGateway() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  Gateway& gateway() { return *gw_; }
  const std::string& config_path() const { return config_path_; }

  // Runs a `bastion gateway` command in-process; returns stdout.
  std::string cli(std::vector<std::string> args, int* rc = nullptr) {
    args.insert(args.begin(), {"--config", config_path_});
    std::ostringstream out, err;
    int code = run_gateway_command(args, out, err);
    if (rc) *rc = code;
    else EXPECT_EQ(code, 0) << err.str();
    return out.str();
  }
  // Adds a user and returns the key (the last line).
  std::string add_user(std::vector<std::string> args) {
    args.insert(args.begin(), {"user", "add"});
    std::string out = cli(args);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out.substr(out.rfind('\n') + 1);
  }

  http::Response post(const std::string& path, const std::string& key, const std::string& body,
                      http::Headers extra = {}) {
    extra.emplace_back("Authorization", "Bearer " + key);
    extra.emplace_back("Content-Type", "application/json");
    auto r = http::post(base() + path, extra, body, 20000);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : http::Response{};
  }

  Json usage(const std::string& by = "user") {
    return Json::parse(cli({"usage", "--by", by, "--format", "json"}));
  }

 private:
  std::string dir_, config_path_;
  std::unique_ptr<Gateway> gw_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

inline std::string upstream_toml(const std::string& name, const std::string& url, const std::string& models,
                                 const std::string& protocol = "openai", const std::string& extra = "") {
  return "[[upstream]]\nname = \"" + name + "\"\nurl = \"" + url + "\"\nprotocol = \"" + protocol +
         "\"\nmodels = [" + models + "]\n" + extra + "\n";
}

}  // namespace bastion::gateway::testing
