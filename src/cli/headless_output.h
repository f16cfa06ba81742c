// Output formats for `bastion -p`, with the meaning Claude Code and Qoder CLI
// give them: `text` prints the final answer; `json` prints one result object
// at the end; `stream-json` prints one JSON event per line as things happen
// (init, assistant messages, tool results, the final result).
#pragma once

#include <cstdio>
#include <string>

#include "agent/agent_loop.h"
#include "agent/events.h"

namespace bastion::cli {

struct RunSummary {
  std::string session_id;
  std::string model;
  agent::RunOutcome outcome;
  llm::Usage usage;
  double cost_usd = 0;
  int64_t duration_ms = 0;
  size_t redactions = 0;
  std::string context_note;  // e.g. context fill, for live figures
  int64_t context_tokens = 0;
  int64_t context_window = 0;
};

class HeadlessOutput : public agent::EventSink {
 public:
  HeadlessOutput(std::string format, FILE* out) : format_(std::move(format)), out_(out) {}
  void start(const std::string& session_id, const std::string& model, const std::string& cwd,
             const std::vector<std::string>& tools, const std::string& permission_mode);
  void on_event(const agent::AgentEvent& event) override;
  // Prints the final result in the chosen format.
  void finish(const RunSummary& summary);

 private:
  void line(const Json& j);
  std::string format_;
  FILE* out_;
  std::string session_id_;
};

Json result_object(const RunSummary& summary);

}  // namespace bastion::cli
