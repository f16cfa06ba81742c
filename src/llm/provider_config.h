// ProviderConfig: everything needed to talk to one model endpoint, and the
// factory that turns it into a ModelClient.
//
// The CLI resolves flags, environment and config.toml into a ProviderConfig;
// nothing in the llm module reads configuration itself. `protocol` picks the
// wire format ("openai" = Chat Completions, "anthropic" = Messages); the
// base URL is used as given ("http://host:8000/v1" for OpenAI-compatible
// servers, "https://host" without /v1 for Anthropic).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "llm/model_client.h"
#include "util/result.h"

namespace bastion::llm {

struct ProviderConfig {
  std::string name;                         // config table name, for messages
  std::string protocol = "openai";          // "openai" | "anthropic"
  std::string base_url;
  std::string api_key;
  std::string model;
  std::vector<std::string> fallback_models; // tried in order when the primary keeps failing
  std::map<std::string, std::string> extra_headers;
  // The environment variable the key came from, named in 401 messages.
  std::string api_key_env = "BASTION_API_KEY";
};

// kConfig error when the config cannot work (unknown protocol, no base URL,
// a base URL that is not http(s)).
Status validate_provider_config(const ProviderConfig& config);

// The client for this provider: the protocol's client wrapped in retries
// (429/503 with Retry-After, 5xx, dropped streams) and model fallback. An
// unknown protocol is treated as "openai" (validate first to reject it).
std::unique_ptr<ModelClient> make_model_client(const ProviderConfig& config);

// The protocol's client alone, without retries (for probing and tests).
std::unique_ptr<ModelClient> make_raw_model_client(const ProviderConfig& config);

}  // namespace bastion::llm
