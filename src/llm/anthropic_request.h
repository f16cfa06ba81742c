// Building an Anthropic Messages request body from a ChatRequest.
//
// Tools become {name, description, input_schema}; assistant tool calls become
// tool_use blocks with parsed input; tool results become tool_result blocks
// in a user turn (consecutive same-role turns are merged, as the API demands
// strict alternation). Prompt caching: cache_control breakpoints go on the
// last tool, the system prompt and the last block of the newest message, so
// every request reuses the previous one's prefix.
#pragma once

#include "llm/model_client.h"
#include "util/json.h"

namespace bastion::llm {

Json build_anthropic_request(const ChatRequest& request, bool stream);

}  // namespace bastion::llm
