// Building an OpenAI Chat Completions request body from a ChatRequest.
//
// The system prompt goes first, tools are wrapped as
// {"type":"function","function":{...}}, assistant turns carry their
// tool_calls (arguments as JSON text, "{}" when empty) and tool results are
// `role: tool` messages tied to their call id. Reasoning from earlier turns is
// not sent back (DeepSeek rejects it, and it only costs tokens).
#pragma once

#include "llm/model_client.h"
#include "util/json.h"

namespace bastion::llm {

Json build_openai_request(const ChatRequest& request, bool stream);

// The `messages` array alone (system first), shared with token estimates.
Json openai_messages(const ChatRequest& request);

}  // namespace bastion::llm
