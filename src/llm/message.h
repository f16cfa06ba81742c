// The conversation model shared by every provider: messages, tool calls,
// tool specs and token usage. Providers translate these to and from their
// wire formats (OpenAI Chat Completions, Anthropic Messages); nothing above
// the llm module sees a wire format.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/json.h"

namespace bastion::llm {

enum class Role { kSystem, kUser, kAssistant, kTool };
const char* role_name(Role role);

struct ToolCall {
  std::string id;         // provider-assigned id (synthesised when missing)
  std::string name;
  std::string arguments;  // raw JSON text as the model wrote it
};

struct Message {
  Role role = Role::kUser;
  std::string content;              // text (for kTool: the tool result)
  std::string reasoning;            // thinking text, never shown as answer
  std::vector<ToolCall> tool_calls; // kAssistant only
  std::string tool_call_id;         // kTool only
  std::string tool_name;            // kTool only
  bool is_error = false;            // kTool only: the tool failed

  Json to_json() const;
  static Message from_json(const Json& j);
};

struct ToolSpec {
  std::string name;
  std::string description;
  Json parameters;  // JSON Schema object
};

struct Usage {
  int64_t input_tokens = 0;         // all prompt tokens, cached included
  int64_t cached_input_tokens = 0;  // the part served from the prompt cache
  int64_t output_tokens = 0;        // completion tokens, reasoning included
  int64_t reasoning_tokens = 0;
  bool estimated = false;           // true when the server reported nothing

  Usage& operator+=(const Usage& o);
  Json to_json() const;
};

}  // namespace bastion::llm
