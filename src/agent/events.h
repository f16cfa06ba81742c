// Events the agent loop emits while it works. Headless output formats
// (text, json, stream-json) and the terminal UI are all EventSinks.
#pragma once

#include <string>

#include "llm/message.h"
#include "tools/tool.h"

namespace bastion::agent {

struct AgentEvent {
  enum class Kind {
    kTextDelta,         // text: streamed answer text
    kReasoningDelta,    // text: streamed thinking
    kAssistantMessage,  // message: a complete assistant reply
    kToolCallStart,     // call: about to run (after approval)
    kToolResult,        // call + result
    kUsage,             // usage: one model request's usage
    kNotice,            // text: something the user should know (retry, refusal, compaction)
  };
  Kind kind;
  std::string text;
  const llm::Message* message = nullptr;
  const llm::ToolCall* call = nullptr;
  const tools::ToolResult* result = nullptr;
  llm::Usage usage;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const AgentEvent& event) = 0;
};

}  // namespace bastion::agent
