// SseParser: incremental parser for Server-Sent Events (text/event-stream),
// the framing both OpenAI and Anthropic use to stream replies.
//
// The network hands us bytes in arbitrary pieces, so the parser keeps its
// state across feed() calls and produces the same events however the stream
// is cut: inside a field name, between `\r` and `\n`, in the middle of a
// UTF-8 sequence. It follows the WHATWG rules: lines end in `\r\n`, `\n` or
// `\r`; `:` starts a comment; several `data:` lines join with `\n`; `event:`
// names the event; a blank line dispatches. finish() dispatches an event the
// server left without its final blank line when the connection closed.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace bastion::llm {

struct SseEvent {
  std::string event;  // "" when the server sent no `event:` line ("message")
  std::string data;   // data lines joined with '\n'
  std::string id;
};

class SseParser {
 public:
  using Callback = std::function<void(const SseEvent&)>;

  // Consumes a chunk, calling on_event for every event it completes.
  void feed(std::string_view chunk, const Callback& on_event);
  // End of stream: completes a pending line and event, if any.
  void finish(const Callback& on_event);

  // Number of events dispatched so far, and whether any field was ever seen
  // (a body with no SSE field at all is probably plain JSON).
  size_t events_dispatched() const { return dispatched_; }
  bool saw_field() const { return saw_field_; }

 private:
  void process_line(std::string_view line, const Callback& on_event);
  void dispatch(const Callback& on_event);

  std::string line_;           // the current, not yet terminated line
  bool skip_lf_ = false;       // last byte was '\r': a following '\n' is part of it
  SseEvent pending_;
  bool has_data_ = false;      // at least one data: line in pending_
  bool has_fields_ = false;    // any field in pending_ (event:, id:, data:)
  size_t dispatched_ = 0;
  bool saw_field_ = false;
};

}  // namespace bastion::llm
