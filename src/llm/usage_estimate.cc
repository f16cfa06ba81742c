#include "llm/usage_estimate.h"

#include "llm/tokenizer.h"

namespace bastion::llm {

namespace {
// Chat templates add a few tokens per message (<|im_start|>role\n ... <|im_end|>\n).
constexpr int64_t kPerMessageOverhead = 5;
}  // namespace

int64_t estimate_request_tokens(const ChatRequest& request) {
  int64_t n = count_tokens(request.system) + kPerMessageOverhead;
  for (const Message& m : request.messages) {
    n += kPerMessageOverhead + count_tokens(m.content);
    for (const ToolCall& c : m.tool_calls) n += count_tokens(c.name) + count_tokens(c.arguments) + 4;
  }
  for (const ToolSpec& t : request.tools) {
    n += count_tokens(t.name) + count_tokens(t.description) + count_tokens(dump_json(t.parameters)) + 8;
  }
  return n;
}

Usage estimate_usage(const ChatRequest& request, const Message& reply) {
  Usage u;
  u.estimated = true;
  u.input_tokens = estimate_request_tokens(request);
  u.reasoning_tokens = reply.reasoning.empty() ? 0 : count_tokens(reply.reasoning);
  u.output_tokens = count_tokens(reply.content) + u.reasoning_tokens;
  for (const ToolCall& c : reply.tool_calls) u.output_tokens += count_tokens(c.name) + count_tokens(c.arguments) + 4;
  return u;
}

}  // namespace bastion::llm
