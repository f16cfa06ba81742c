// Context management, cheapest first: prune old tool outputs to one-line
// digests, elide the middle of large outputs, and decide when the history
// must be compacted (see compaction.h for the compaction itself).
//
// Pruning rewrites earlier messages, which breaks the server's prompt cache
// from that point on, so it works in batches: nothing changes until
// `keep_last_results + batch` full results have piled up, then all but the
// last `keep_last_results` are digested at once. Between batches the prefix
// stays byte-identical and cacheable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llm/message.h"
#include "llm/model_client.h"

namespace bastion::agent {

struct PruneOptions {
  size_t keep_last_results = 6;  // newest tool results kept whole
  size_t batch = 6;              // prune only when this many more have piled up (0 = always)
  size_t min_bytes = 400;        // results this small are never worth pruning
};

// The marker every digest starts with; digests are never pruned again.
inline constexpr std::string_view kDigestPrefix = "[pruned] ";

// One line describing a tool result that was dropped, e.g.
// "[pruned] read src/main.cc: 12,345 bytes, 310 lines; first line: #include <x>".
// `call` is the assistant's tool call that produced it (may be null).
std::string tool_output_digest(const llm::Message& result, const llm::ToolCall* call);

// Replaces older tool results with digests per `options`. Returns the
// number of results pruned (0 when the batch threshold was not reached).
size_t prune_tool_outputs(std::vector<llm::Message>& messages, const PruneOptions& options = {});

// Keeps the head (60%) and tail (40%) of text longer than `max_bytes`, with a
// marker saying how much was dropped. Text within ~64 bytes of the limit is
// returned unchanged (a marker would cost more than it saves).
std::string elide_large_output(std::string_view text, size_t max_bytes);

// Elides every tool result longer than `max_bytes`. Returns how many changed.
size_t elide_large_outputs(std::vector<llm::Message>& messages, size_t max_bytes);

// True when used/window has reached `threshold` (0 < threshold <= 1; values
// outside fall back to 0.8). A zero window never compacts.
bool should_compact(int64_t used_tokens, int64_t context_window, double threshold = 0.8);

// Token counts with llm::count_tokens (exact Qwen3 when its data is present).
// A message costs its text, reasoning, tool-call names and arguments, plus a
// few tokens of chat-template framing.
int64_t message_tokens(const llm::Message& message);
int64_t history_tokens(const std::vector<llm::Message>& messages);
// System prompt + tool schemas + messages: what the server will count.
int64_t request_tokens(const llm::ChatRequest& request);

// The tool call in `messages` with this id (searching backwards), or null.
const llm::ToolCall* find_tool_call(const std::vector<llm::Message>& messages,
                                    const std::string& tool_call_id);

}  // namespace bastion::agent
