// AnthropicMessagesClient: the Anthropic Messages protocol (POST
// {base}/v1/messages with stream: true, `x-api-key`, `anthropic-version:
// 2023-06-01`), spoken by Anthropic itself and by Anthropic-compatible
// endpoints (DashScope, DeepSeek, Kimi, GLM gateways, LiteLLM).
//
// Like OpenAiChatClient it streams text and thinking to the sink, joins
// tool_use input fragments, reads usage (including cache reads, so prompt
// caching shows up as cached_input_tokens) and recovers text tool calls when
// the reply has no tool_use block. The base URL is given without /v1.
// Not thread-safe: one chat at a time per client.
#pragma once

#include "llm/model_client.h"
#include "llm/provider_config.h"
#include "util/http_client.h"

namespace bastion::llm {

class AnthropicMessagesClient : public ModelClient {
 public:
  explicit AnthropicMessagesClient(ProviderConfig config);

  Result<ChatResponse> chat(const ChatRequest& request, const StreamSink& sink) override;
  Result<std::vector<std::string>> list_models() override;
  std::string endpoint() const override;

 private:
  http::Headers headers() const;

  ProviderConfig config_;
  std::string base_;  // without trailing '/' and without a trailing /v1
  http::HttpClient http_;
};

}  // namespace bastion::llm
