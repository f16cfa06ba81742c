// User configuration: ~/.config/bastion/config.toml (XDG), environment
// variables and flags, resolved into one provider and agent settings.
// Precedence: flags > environment > config file > probing local servers.
// Only the user's own config (never a repository file) chooses where API
// keys are sent.
//
// config.toml:
//   provider = "work"                 # default provider name
//   sandbox = "auto"                  # auto | landlock | bwrap | off
//   permission_mode = "default"
//   compact_threshold = 0.8
//   [providers.work]
//   protocol = "openai"               # or "anthropic"
//   base_url = "http://gpu-pool:8000/v1"
//   api_key_env = "WORK_KEY"          # or api_key = "..."
//   model = "qwen3-coder-480b"
//   fallback_models = ["qwen3-coder-30b"]
//   [budget]  daily_tokens = 0, daily_usd = 0, project_daily_tokens = 0
//   [models."name"]  context_window = ..., input_price = ...  (catalog overrides)
#pragma once

#include <string>
#include <vector>

#include "cli/options.h"
#include "llm/provider_config.h"
#include "util/json.h"
#include "util/result.h"

namespace bastion::cli {

struct UserConfig {
  std::string path;     // the file read, or "" when absent
  Json raw = Json::object();  // the whole file as JSON (for catalog overrides etc.)
  std::string default_provider;
  std::string sandbox, permission_mode;
  double compact_threshold = 0;
  Json providers = Json::object();  // name -> table
};

// Reads $XDG_CONFIG_HOME/bastion/config.toml. A missing file is not an
// error; a malformed one is (with the line and column).
Result<UserConfig> load_user_config();

// Where each setting came from, for `bastion doctor`.
struct ResolvedProvider {
  llm::ProviderConfig config;
  std::vector<std::string> sources;  // "model from --model", ...
  bool probed = false;
};

// Resolves the provider from flags, env and config. When nothing names a
// base URL, probes Ollama (11434), llama.cpp (8080) and vLLM (8000) on
// 127.0.0.1 via GET /models and uses the first that answers; when none does,
// returns a kConfig error saying exactly what to run or set.
Result<ResolvedProvider> resolve_provider(const AgentOptions& options, const UserConfig& config,
                                          bool allow_probe = true);

}  // namespace bastion::cli
