// <think> handling: split_think() for whole messages and ThinkStreamSplitter
// for streamed deltas (declared in text_tool_calls.h).
#include "llm/text_tool_calls.h"
#include "util/strings.h"

namespace bastion::llm {
namespace {

constexpr std::string_view kOpen = "<think>";
constexpr std::string_view kClose = "</think>";

std::string_view ltrim(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  return s.substr(i);
}

// Length of the longest suffix of `s` that is a proper prefix of `tag`.
size_t partial_tag_suffix(std::string_view s, std::string_view tag) {
  for (size_t n = std::min(s.size(), tag.size() - 1); n > 0; --n) {
    if (s.substr(s.size() - n) == tag.substr(0, n)) return n;
  }
  return 0;
}

}  // namespace

void split_think(std::string_view text, std::string* answer, std::string* reasoning) {
  std::string_view rest = ltrim(text);
  std::string think, out;
  if (str::starts_with(rest, kOpen)) {
    rest.remove_prefix(kOpen.size());
    size_t close = rest.find(kClose);
    if (close == std::string_view::npos) {  // never closed: all of it is thinking
      think.assign(rest);
      rest = {};
    } else {
      think.assign(rest.substr(0, close));
      rest.remove_prefix(close + kClose.size());
    }
    out.assign(ltrim(rest));
  } else if (size_t close = text.find(kClose);
             close != std::string_view::npos && text.find(kOpen) == std::string_view::npos &&
             text.substr(0, close).find("<tool_call>") == std::string_view::npos) {
    // The chat template opened <think> in the prompt; only the close is ours.
    think.assign(text.substr(0, close));
    out.assign(ltrim(text.substr(close + kClose.size())));
  } else {
    out.assign(text);
  }
  std::string_view t = str::trim(think);
  if (reasoning) {
    if (!t.empty() && !reasoning->empty()) reasoning->append("\n");
    reasoning->append(t);
  }
  if (answer) *answer = std::move(out);
}

void ThinkStreamSplitter::emit(std::string_view s) {
  if (s.empty()) return;
  if (in_think_) {
    if (on_reasoning_) on_reasoning_(std::string(s));
  } else if (on_answer_) {
    on_answer_(std::string(s));
  }
}

void ThinkStreamSplitter::feed(std::string_view delta) {
  held_.append(delta);
  while (!held_.empty()) {
    if (!in_think_) {
      if (!seen_text_) {
        std::string_view t = ltrim(held_);
        if (t.empty()) return;  // only whitespace so far: wait
        if (str::starts_with(t, kOpen)) {
          in_think_ = true;
          seen_text_ = true;
          held_ = std::string(t.substr(kOpen.size()));
          continue;
        }
        if (t.size() < kOpen.size() && kOpen.substr(0, t.size()) == t) return;  // partial tag
        seen_text_ = true;
      }
      if (strip_ws_) {
        held_ = std::string(ltrim(held_));
        if (held_.empty()) return;
        strip_ws_ = false;
      }
      emit(held_);
      held_.clear();
      return;
    }
    size_t close = held_.find(kClose);
    if (close != std::string::npos) {
      emit(std::string_view(held_).substr(0, close));
      in_think_ = false;
      strip_ws_ = true;
      held_.erase(0, close + kClose.size());
      continue;
    }
    size_t keep = partial_tag_suffix(held_, kClose);
    emit(std::string_view(held_).substr(0, held_.size() - keep));
    held_.erase(0, held_.size() - keep);
    return;
  }
}

void ThinkStreamSplitter::finish() {
  emit(held_);
  held_.clear();
}

}  // namespace bastion::llm
