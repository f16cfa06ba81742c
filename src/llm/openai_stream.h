// OpenAiStreamAccumulator: folds Chat Completions stream chunks into one
// assistant message.
//
// Chunks carry deltas: text in `content`, thinking in `reasoning_content`
// (DeepSeek, Qwen via vLLM) or `reasoning` (Ollama, OpenRouter), and tool
// calls as fragments keyed by `index` whose `arguments` string is cut at any
// byte. Several tool calls can interleave. The final `usage` chunk (with
// stream_options.include_usage) has empty choices. Non-streaming replies
// (`message` instead of `delta`) are accepted too, for servers that ignore
// `stream: true`.
#pragma once

#include <string>
#include <vector>

#include "llm/model_client.h"
#include "util/json.h"

namespace bastion::llm {

class OpenAiStreamAccumulator {
 public:
  explicit OpenAiStreamAccumulator(const StreamSink* sink = nullptr) : sink_(sink) {}

  // Applies one parsed chunk. Returns false and sets *error_message when the
  // chunk is an error object.
  bool apply(const Json& chunk, std::string* error_message);

  bool has_usage() const { return has_usage_; }
  bool saw_any_choice() const { return saw_choice_; }
  bool saw_finish_reason() const { return !finish_reason_.empty(); }

  // The assembled reply: tool calls in index order, missing ids synthesised,
  // empty arguments as "{}". Usage is as reported (estimated=false) or zero.
  ChatResponse finish();

 private:
  struct PartialCall {
    long long index = 0;
    std::string id, name, arguments;
    bool announced = false;
  };
  PartialCall& slot_for(const Json& delta_call);
  void apply_usage(const Json& usage);

  const StreamSink* sink_;
  std::string text_, reasoning_;
  std::vector<PartialCall> calls_;  // in order of first appearance
  std::string finish_reason_, model_;
  Usage usage_;
  bool has_usage_ = false;
  bool saw_choice_ = false;
};

}  // namespace bastion::llm
