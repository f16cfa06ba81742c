#include "llm/sse_parser.h"

namespace bastion::llm {

void SseParser::feed(std::string_view chunk, const Callback& on_event) {
  size_t start = 0;
  for (size_t i = 0; i < chunk.size(); ++i) {
    char c = chunk[i];
    if (skip_lf_) {
      skip_lf_ = false;
      if (c == '\n') {
        start = i + 1;
        continue;
      }
    }
    if (c != '\n' && c != '\r') continue;
    line_.append(chunk.substr(start, i - start));
    process_line(line_, on_event);
    line_.clear();
    skip_lf_ = (c == '\r');
    start = i + 1;
  }
  if (start < chunk.size()) line_.append(chunk.substr(start));
}

void SseParser::finish(const Callback& on_event) {
  if (!line_.empty()) {
    process_line(line_, on_event);
    line_.clear();
  }
  skip_lf_ = false;
  dispatch(on_event);
}

void SseParser::process_line(std::string_view line, const Callback& on_event) {
  if (line.empty()) {
    dispatch(on_event);
    return;
  }
  if (line.front() == ':') return;  // comment / keep-alive
  std::string_view field = line, value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) pending_.data.push_back('\n');
    pending_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    pending_.event.assign(value);
  } else if (field == "id") {
    pending_.id.assign(value);
  } else {
    return;  // "retry" and unknown fields are ignored
  }
  has_fields_ = true;
  saw_field_ = true;
}

void SseParser::dispatch(const Callback& on_event) {
  // An event with only `event:` and no data is still meaningful to some
  // servers (Anthropic pings carry data, but be lenient): dispatch whenever a
  // field was seen.
  if (has_fields_) {
    ++dispatched_;
    if (on_event) on_event(pending_);
  }
  pending_ = SseEvent{};
  has_data_ = false;
  has_fields_ = false;
}

}  // namespace bastion::llm
