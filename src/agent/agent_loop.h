// The agent loop: send the conversation to the model, run the tool calls it
// asks for (after the permission engine and, when needed, the user approve),
// feed the results back, and repeat until the model gives a final answer.
//
// Everything around the loop plugs in through AgentHooks (persistence,
// audit, metering, budgets, runaway guard, compaction) and EventSink
// (headless output formats, the terminal UI), so later features (subagents,
// Quest mode, MCP tools) reuse this loop unchanged.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/events.h"
#include "llm/model_client.h"
#include "policy/permissions.h"
#include "tools/registry.h"
#include "tools/tool.h"

namespace bastion::agent {

// Answers a permission question the engine could not decide alone.
struct Approval {
  bool approved = false;
  bool always = false;  // allow this kind of call for the rest of the session
  std::string note;     // optional note passed to the model on refusal
};
using Approver = std::function<Approval(const tools::Tool& tool, const tools::CallSubject& subject,
                                        const Json& args)>;

struct AgentConfig {
  std::string model;
  std::string system_prompt;
  int max_turns = 0;  // model requests per run(); 0 = unlimited
  int max_output_tokens = 0;
};

// What stopped a run.
enum class StopReason { kFinalAnswer, kMaxTurns, kBudget, kRunaway, kInterrupted, kError };
const char* stop_reason_name(StopReason reason);

struct RunOutcome {
  StopReason reason = StopReason::kFinalAnswer;
  std::string final_text;  // the last assistant answer
  std::string error;       // set unless kFinalAnswer
  int model_requests = 0;
};

struct AgentHooks {
  // A new user prompt starts a run (e.g. to forget loop patterns: the user
  // asking again is not the model looping).
  std::function<void(const std::string& prompt)> on_user_prompt;
  // The session's first prompt only: extra context for the model (e.g. a
  // compact repo map of what the prompt names), appended to the prompt.
  // "" adds nothing.
  std::function<std::string(const std::string& prompt)> first_prompt_context;
  // Persist messages that completed a step (the user prompt; an assistant
  // reply together with its tool results). Failure aborts the run.
  std::function<Status(const std::vector<llm::Message>&)> persist;
  // Every model response, for the ledger and budgets. Returning a message
  // stops the run with kBudget (e.g. "token budget of 50000 reached").
  std::function<std::optional<std::string>(const llm::ChatResponse&)> on_model_response;
  // After each tool result: return {warn text} to tell the model, or a stop
  // reason (second) to end the run with kRunaway.
  std::function<std::pair<std::string, std::string>(const llm::ToolCall&, const tools::ToolResult&)>
      on_tool_result;
  // Before each request: may shrink the history (prune, compact). `force` is
  // true after the server said the context is too long.
  std::function<void(std::vector<llm::Message>& history, bool force)> manage_context;
  // One short line appended to the last user/tool message each request
  // (remaining budget and context), or "".
  std::function<std::string()> status_note;
  // Audit trail: (record type, data).
  std::function<void(const std::string&, const Json&)> audit;
  // Returns true when the user interrupted (Esc).
  std::function<bool()> interrupted;
};

class Agent {
 public:
  Agent(llm::ModelClient& client, tools::ToolRegistry& registry, policy::PermissionEngine& permissions,
        tools::ToolContext& context, AgentConfig config);

  void set_hooks(AgentHooks hooks) { hooks_ = std::move(hooks); }
  void set_event_sink(EventSink* sink) { sink_ = sink; }
  void set_approver(Approver approver) { approver_ = std::move(approver); }
  void set_history(std::vector<llm::Message> history) { history_ = std::move(history); }
  const std::vector<llm::Message>& history() const { return history_; }
  std::vector<llm::Message>& mutable_history() { return history_; }
  const llm::Usage& total_usage() const { return total_usage_; }
  const AgentConfig& config() const { return config_; }
  AgentConfig& mutable_config() { return config_; }

  // Runs one user prompt to completion.
  RunOutcome run(const std::string& user_prompt);

 private:
  Result<llm::ChatResponse> request_model();
  std::vector<llm::Message> run_tool_calls(const std::vector<llm::ToolCall>& calls,
                                           std::string* stop_reason);
  llm::Message run_one_tool(const llm::ToolCall& call);
  void emit(AgentEvent event);

  llm::ModelClient& client_;
  tools::ToolRegistry& registry_;
  policy::PermissionEngine& permissions_;
  tools::ToolContext& context_;
  AgentConfig config_;
  AgentHooks hooks_;
  EventSink* sink_ = nullptr;
  Approver approver_;
  std::vector<llm::Message> history_;
  llm::Usage total_usage_;
};

}  // namespace bastion::agent
