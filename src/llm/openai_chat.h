// OpenAiChatClient: the OpenAI Chat Completions protocol (POST
// {base}/chat/completions with stream: true), which vLLM, SGLang, llama.cpp,
// Ollama, DashScope's compatible mode and most gateways speak.
//
// It streams text and reasoning to the sink as they arrive, assembles tool
// calls from their fragments, and reads usage from the final usage chunk
// (estimating it, flagged `estimated`, when the server sends none). When the
// reply carries no structured tool calls, tool calls written as plain text
// (Qwen3-Coder XML, Hermes JSON) are recovered. HTTP errors become messages
// naming the endpoint, the status and the fix (see model_errors.h).
// Not thread-safe: one chat at a time per client (it reuses one connection).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "llm/model_client.h"
#include "llm/provider_config.h"
#include "util/http_client.h"

namespace bastion::llm {

class OpenAiChatClient : public ModelClient {
 public:
  explicit OpenAiChatClient(ProviderConfig config);

  Result<ChatResponse> chat(const ChatRequest& request, const StreamSink& sink) override;
  Result<std::vector<std::string>> list_models() override;
  std::string endpoint() const override;

 private:
  http::Headers headers(bool streaming) const;

  ProviderConfig config_;
  std::string base_;  // base_url without a trailing '/'
  http::HttpClient http_;
};

// Model ids from a GET /models body (OpenAI `data[].id`, Ollama `models[].name`).
std::vector<std::string> parse_model_list(const Json& body);

}  // namespace bastion::llm
