// Usage for replies whose server reported none (Ollama without usage, some
// proxies, dropped usage chunks): counted locally and flagged `estimated`,
// so budgets and cost displays still move and say they are approximate.
#pragma once

#include "llm/model_client.h"

namespace bastion::llm {

Usage estimate_usage(const ChatRequest& request, const Message& reply);

// Tokens the request will cost as prompt (system, messages, tool schemas).
int64_t estimate_request_tokens(const ChatRequest& request);

}  // namespace bastion::llm
