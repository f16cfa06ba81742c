#include "llm/provider_config.h"

#include "llm/anthropic_messages.h"
#include "llm/openai_chat.h"
#include "llm/retrying_client.h"
#include "util/strings.h"

namespace bastion::llm {

Status validate_provider_config(const ProviderConfig& c) {
  std::string who = c.name.empty() ? "the provider" : "provider '" + c.name + "'";
  if (c.protocol != "openai" && c.protocol != "anthropic") {
    return make_error(ErrorKind::kConfig, who + " has protocol '" + c.protocol +
                                              "'; use \"openai\" or \"anthropic\"");
  }
  if (c.base_url.empty()) {
    return make_error(ErrorKind::kConfig,
                      who + " has no base URL; set BASTION_BASE_URL or base_url in config.toml");
  }
  std::string lower = str::to_lower(c.base_url);
  if (!str::starts_with(lower, "http://") && !str::starts_with(lower, "https://")) {
    return make_error(ErrorKind::kConfig, who + " has base URL '" + c.base_url +
                                              "', which must start with http:// or https://");
  }
  return ok_status();
}

std::unique_ptr<ModelClient> make_raw_model_client(const ProviderConfig& config) {
  if (config.protocol == "anthropic") return std::make_unique<AnthropicMessagesClient>(config);
  return std::make_unique<OpenAiChatClient>(config);
}

std::unique_ptr<ModelClient> make_model_client(const ProviderConfig& config) {
  return std::make_unique<RetryingClient>(make_raw_model_client(config), config.fallback_models);
}

}  // namespace bastion::llm
