// Tool calls written as plain text, and <think> blocks inside answers.
//
// A server without a tool-call parser (llama.cpp without --jinja, vLLM
// without --tool-call-parser, some Ollama templates) hands back the model's
// raw output: tool calls appear inside the message text, and thinking models
// wrap their reasoning in <think>…</think>. This recognises the two common
// tool-call forms and turns them into real ToolCalls:
//   - Qwen3-Coder XML: <tool_call><function=NAME><parameter=KEY>value
//     </parameter>…</function></tool_call>. Values are raw text (code, JSON,
//     several lines); they are converted to JSON using the tool's schema type.
//   - Hermes / Qwen2.5 JSON: <tool_call>{"name":…, "arguments":{…}}</tool_call>.
// A <think> block is moved to the reasoning, also when it never closes or
// when only its closing tag appears (the template opened it in the prompt).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "llm/message.h"

namespace bastion::llm {

struct TextExtraction {
  std::string content;    // the answer with tool-call blocks and <think> removed
  std::string reasoning;  // text from <think> blocks
  std::vector<ToolCall> calls;
};

// Moves <think> blocks out of `text`.
void split_think(std::string_view text, std::string* answer, std::string* reasoning);

// Recognises text tool calls (and strips <think>). `tools` gives parameter
// types for XML values; unknown tools/parameters are converted by guessing
// (JSON if the value parses as JSON, else a string).
TextExtraction extract_text_tool_calls(std::string_view text, const std::vector<ToolSpec>& tools);

// Converts one XML parameter value to JSON given its schema type
// ("string", "integer", "number", "boolean", "object", "array", or "").
Json convert_parameter(std::string_view value, std::string_view schema_type);

// Applies extraction to an assistant message in place: when it has no
// structured tool calls, text tool calls become tool calls; <think> text
// always moves to reasoning. Returns true when tool calls were recovered.
bool apply_text_tool_calls(Message* message, const std::vector<ToolSpec>& tools);

// Streaming splitter: routes content deltas to answer or reasoning as
// <think> tags open and close, holding back only a possible partial tag.
class ThinkStreamSplitter {
 public:
  using Out = std::function<void(const std::string&)>;
  ThinkStreamSplitter(Out on_answer, Out on_reasoning)
      : on_answer_(std::move(on_answer)), on_reasoning_(std::move(on_reasoning)) {}
  void feed(std::string_view delta);
  void finish();

 private:
  void emit(std::string_view s);
  Out on_answer_, on_reasoning_;
  std::string held_;
  bool in_think_ = false;
  bool seen_text_ = false;  // only a leading <think> opens a block
  bool strip_ws_ = false;   // drop whitespace right after </think>
};

}  // namespace bastion::llm
