// Compaction: when the history nears the model's context window, the model
// summarises the work so far and the history is replaced by that summary.
//
// What must never be lost is not left to the model: the AGENTS.md rules, the
// todo list, the files changed so far with their current status, and the
// user's latest request are injected verbatim by code around the model's
// summary (peers' compaction forgets rules and task state; see
// claude-code #3841, #13919). The model only writes the narrative: what was
// tried, learned and decided, and what comes next.
//
// Flow in the agent loop:
//   auto req = build_compaction_request(normal_request, {});
//   auto resp = client.chat(req, {});             // record it in the ledger as "compaction"
//   auto summary = compaction_summary(*resp);     // error: retry once with keep_tools=false
//   history = apply_compaction(*summary, state);  // state from collect_preserved_state()
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "llm/message.h"
#include "llm/model_client.h"
#include "tools/tool.h"
#include "util/result.h"

namespace bastion::agent {

struct FileChange {
  std::string path;    // as the tools named it (workspace-relative when possible)
  std::string status;  // "edited", "written", "deleted", or a caller's own word
};

// The facts that survive every compaction verbatim.
struct PreservedState {
  std::string rules;                   // AGENTS.md text ("" when the system prompt carries it)
  std::vector<tools::TodoItem> todos;  // the todo list as it is now
  std::vector<FileChange> files_changed;
  std::string user_intent;             // the user's latest request, verbatim
};

// The last message the user typed (skipping earlier compaction summaries).
std::string latest_user_intent(const std::vector<llm::Message>& messages);

// Files touched by successful edit/write tool calls in `messages`, in first-
// touch order, merged with `known` (earlier compactions' list). Status is
// "deleted" when the file no longer exists under `workspace`, else "written"
// (last change by a write tool) or "edited".
std::vector<FileChange> files_changed_in(const std::vector<llm::Message>& messages,
                                         const std::string& workspace,
                                         const std::vector<FileChange>& known = {});

// Everything above in one call; `known_files` is the list carried over from
// the previous compaction (pass last_preserved.files_changed).
PreservedState collect_preserved_state(const std::vector<llm::Message>& messages,
                                       const std::string& rules,
                                       const std::vector<tools::TodoItem>& todos,
                                       const std::string& workspace,
                                       const std::vector<FileChange>& known_files = {});

struct CompactionOptions {
  // Keep the base request's system prompt and tools so the server's prompt
  // cache still hits; the instruction tells the model not to call tools.
  bool keep_tools = true;
  // When > 0 and the request would exceed it (e.g. after a "context too
  // long" error), shrink the history first: prune tool outputs, elide long
  // messages, then drop the oldest turns.
  int64_t max_input_tokens = 0;
  int max_summary_tokens = 2000;
};

// The request that asks the model for a summary of `base.messages`.
llm::ChatRequest build_compaction_request(const llm::ChatRequest& base,
                                          const CompactionOptions& options = {});

// The summary text from the model's reply. kModel error when the reply has
// no text (e.g. it called a tool instead).
Result<std::string> compaction_summary(const llm::ChatResponse& response);

// The new history: one user message holding the preserved state (verbatim,
// built by code) and the model's summary, ending with an instruction to
// continue.
std::vector<llm::Message> apply_compaction(const std::string& model_summary,
                                           const PreservedState& state);

// The preserved-state block alone (used by apply_compaction).
std::string render_preserved_state(const PreservedState& state);

// Marks the first line of a compacted history's summary message.
inline constexpr const char* kCompactedMarker = "[Context compacted]";

}  // namespace bastion::agent
