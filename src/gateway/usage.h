// Token usage as upstreams report it, and the streaming meter that reads it
// out of a response while the bytes flow through to the client.
//
// OpenAI-style replies carry `usage` {prompt_tokens, completion_tokens,
// prompt_tokens_details.cached_tokens, completion_tokens_details.
// reasoning_tokens}; in streams it arrives in a final chunk when
// stream_options.include_usage is set. Anthropic replies carry `usage` in the
// message (non-streaming) or in message_start (input, cache reads/writes) and
// message_delta (output) events. The meter never delays bytes beyond the end
// of the current SSE event, and only holds events back at all when it must
// strip the usage chunk the gateway asked for on the client's behalf.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/config.h"
#include "util/json.h"

namespace bastion::gateway {

struct Usage {
  int64_t input_tokens = 0;    // all prompt tokens, cached included
  int64_t cached_tokens = 0;   // prompt tokens read from cache
  int64_t cache_write_tokens = 0;
  int64_t output_tokens = 0;   // completion tokens, reasoning included
  int64_t reasoning_tokens = 0;
  bool reported = false;       // the upstream sent usage at all

  int64_t total() const { return input_tokens + output_tokens; }
};

// Reads usage from a whole (non-streaming) JSON body of either protocol.
Usage usage_from_json(const Json& body, Protocol protocol);
// usage_from_json of a whole non-streamed reply body: the top-level
// object's members are skipped by a structural scan (strings, brackets)
// and only "usage" is parsed, so the choices and message text are never
// tokenized. A body cut short, or not one JSON object, gives no usage.
// The gateway reads every non-streamed reply this way.
Usage usage_from_body(std::string_view body, Protocol protocol);

// Cost in USD at the given per-million prices.
double usage_cost(const Usage& usage, const Price& price);

// Streaming meter for SSE responses.
class StreamMeter {
 public:
  StreamMeter(Protocol protocol, bool strip_usage_chunk)
      : protocol_(protocol), strip_(strip_usage_chunk) {}

  // Feeds upstream bytes; returns the bytes to forward to the client now.
  // Without stripping this is exactly `data`.
  std::string feed(std::string_view data);
  // At end of stream: whatever is still held (an unterminated last event).
  std::string finish();

  const Usage& usage() const { return usage_; }
  bool saw_done() const { return saw_done_; }
  // Bytes of generated text seen so far (content, reasoning, tool-call
  // arguments), to estimate the output of a stream cut off before its usage.
  int64_t text_bytes() const { return text_bytes_; }

 private:
  void on_event(std::string_view event, bool* drop);

  Protocol protocol_;
  bool strip_;
  std::string buf_;     // bytes not yet split into events
  size_t scanned_ = 0;  // prefix of buf_ already searched for a boundary
  Usage usage_;
  bool saw_done_ = false;
  int64_t text_bytes_ = 0;
};

}  // namespace bastion::gateway
