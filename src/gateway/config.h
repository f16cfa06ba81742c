// The gateway's configuration, read once from a TOML file at start-up.
//
// One file describes a whole deployment: where to listen, which database
// holds users and metering (SQLite for one machine, PostgreSQL for several
// gateway processes), the upstream model pools, default quotas, prices for
// chargeback and central policy. Every mistake in the file is reported as a
// kConfig error naming the key, before the server opens a socket.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/result.h"

namespace bastion::gateway {

enum class Protocol { kOpenAi, kAnthropic };

struct UpstreamConfig {
  std::string name;
  std::string url;                  // http(s)://host:port[/prefix]
  Protocol protocol = Protocol::kOpenAi;
  std::vector<std::string> models;  // empty = serves every model
  std::string api_key_env;          // env var holding the upstream's key ("" = none)
  int weight = 1;
  int max_concurrency = 0;          // 0 = unlimited
  std::string health_path = "/v1/models";
  // PEM file of CA certificates trusted for this https upstream (a private
  // CA); "" = the system's trust store.
  std::string ca_file;
  // Parsed from url.
  bool tls = false;                 // https://
  std::string host;
  std::string port;
  std::string path_prefix;          // "" or e.g. "/v1"
};

// Limits; 0 means unlimited.
struct Limits {
  int64_t daily_tokens = 0;
  double monthly_usd = 0;
  int64_t rpm = 0;
  int64_t tpm = 0;
};

// Per-million-token prices in USD.
struct Price {
  double input = 0;
  double cached_input = -1;  // -1 = same as input
  double output = 0;
};

struct GatewayConfig {
  std::string listen_host = "127.0.0.1";
  std::string listen_port = "8787";
  std::string database = "sqlite://gateway.db";
  std::vector<UpstreamConfig> upstreams;
  Limits user_defaults;                        // [quotas] defaults for new users
  Limits team_defaults;                        // [quotas.team] for every team
  std::map<std::string, Limits> teams;         // [teams.NAME] overrides
  std::map<std::string, Price> prices;         // [prices."model"]
  std::vector<std::string> allowed_models;     // empty = all routed models
  bool redact_prompts = false;
  bool audit_bodies = false;
  int threads = 1;                             // io threads
  int db_pool = 4;                             // DB connections / worker threads
  int auth_cache_seconds = 5;                  // key lookups cached this long
  int health_interval_seconds = 10;            // 0 = no active health checks
  int upstream_connect_timeout_ms = 5000;
  int default_max_tokens = 4096;               // reservation estimate when absent
  int drain_seconds = 30;                      // graceful-shutdown drain limit
  int stale_reservation_seconds = 600;         // pending rows older are abandoned
};

// Parses TOML text; `origin` names the file in error messages.
Result<GatewayConfig> parse_config(const std::string& toml_text, const std::string& origin);
Result<GatewayConfig> load_config(const std::string& path);

// Price lookup: exact model, then the longest prefix ending in '*'
// ("qwen*"), else zero.
Price price_for(const GatewayConfig& config, const std::string& model);

const char* protocol_name(Protocol p);

}  // namespace bastion::gateway
