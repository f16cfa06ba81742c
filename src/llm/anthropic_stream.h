// AnthropicStreamAccumulator: folds Anthropic Messages stream events
// (message_start, content_block_start/delta/stop, message_delta,
// message_stop, ping, error) into one assistant message.
//
// Text and thinking stream to the sink; tool_use input arrives as
// partial_json fragments cut anywhere and is joined per block index. Usage
// comes from message_start (input, cache reads/writes) and message_delta
// (output, cumulative); input_tokens here counts cached tokens too.
#pragma once

#include <map>
#include <string>

#include "llm/model_client.h"
#include "util/json.h"

namespace bastion::llm {

class AnthropicStreamAccumulator {
 public:
  explicit AnthropicStreamAccumulator(const StreamSink* sink = nullptr) : sink_(sink) {}

  // Applies one event. Returns false on an `error` event, filling the message
  // and the error type ("overloaded_error", ...).
  bool apply(std::string_view event_name, const Json& data, std::string* error_message,
             std::string* error_type);

  bool stopped() const { return stopped_; }        // message_stop seen
  bool started() const { return started_; }        // message_start seen
  bool has_usage() const { return has_usage_; }

  ChatResponse finish();

  // A non-streaming Messages reply (a server that ignored stream: true).
  void apply_whole_message(const Json& message);

 private:
  struct Block {
    std::string type, id, name, text;
  };
  void read_usage(const Json& u);

  const StreamSink* sink_;
  std::map<long long, Block> blocks_;
  std::string stop_reason_, model_;
  int64_t input_ = 0, cache_read_ = 0, cache_write_ = 0, output_ = 0;
  bool has_usage_ = false, stopped_ = false, started_ = false;
};

}  // namespace bastion::llm
