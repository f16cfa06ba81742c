// ModelClient: the one interface the agent uses to talk to a model.
//
// A request is the whole conversation plus tool specs; the reply streams
// through a StreamSink (text, reasoning, tool-call progress) and ends as a
// ChatResponse holding the assistant message and the server-reported usage.
// Implementations: OpenAI Chat Completions, Anthropic Messages, and the
// retrying/fallback wrapper. Tests point them at the scripted fake server.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "llm/message.h"
#include "util/result.h"

namespace bastion::llm {

struct ChatRequest {
  std::string model;
  std::string system;                 // stable system prompt (cacheable prefix)
  std::vector<Message> messages;      // user/assistant/tool turns
  std::vector<ToolSpec> tools;
  int max_output_tokens = 0;          // 0 = server default
  double temperature = -1;            // < 0 = server default
};

// Streaming callbacks. All optional; called on the thread that called chat().
struct StreamSink {
  std::function<void(const std::string&)> on_text;
  std::function<void(const std::string&)> on_reasoning;
  // A tool call's name became known (arguments still streaming).
  std::function<void(const std::string& id, const std::string& name)> on_tool_call_start;
  // Return false to abort the stream (e.g. the user pressed Esc).
  std::function<bool()> keep_going;
  // The reply so far is discarded and the request sent again (a dropped
  // stream, a 429/503): a UI should clear the partial text. `notice` says why
  // and when ("HTTP 429 from …; retrying in 2.0 s").
  std::function<void(const std::string& notice)> on_retry;
};

struct ChatResponse {
  Message message;                 // role kAssistant
  Usage usage;
  std::string finish_reason;       // "stop", "tool_calls", "length", ...
  std::string model;               // model name the server reported
  int64_t latency_ms = 0;
};

class ModelClient {
 public:
  virtual ~ModelClient() = default;
  virtual Result<ChatResponse> chat(const ChatRequest& request, const StreamSink& sink) = 0;
  // Names of models the endpoint serves (GET /models), for probing/doctor.
  virtual Result<std::vector<std::string>> list_models() = 0;
  // Human-readable endpoint description for error messages ("openai at URL").
  virtual std::string endpoint() const = 0;
};

}  // namespace bastion::llm
