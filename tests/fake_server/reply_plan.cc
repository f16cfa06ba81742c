#include "reply_plan.h"

#include <algorithm>
#include <ctime>

namespace bastion::fake_server {

std::vector<std::string> split_utf8(const std::string& s, size_t n) {
  std::vector<std::string> out;
  if (n == 0) n = s.size() ? s.size() : 1;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = std::min(s.size(), pos + n);
    // Continuation bytes are 10xxxxxx: move forward to the next lead byte.
    while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
    out.push_back(s.substr(pos, end - pos));
    pos = end;
  }
  if (out.empty()) out.emplace_back();
  return out;
}

std::string make_id(const std::string& prefix, int a, int b) {
  static const char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  uint64_t x = 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(a + 1) +
               0xC2B2AE3D27D4EB4Full * static_cast<uint64_t>(b + 7);
  std::string out = prefix;
  for (int i = 0; i < 24; ++i) {
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    out += kAlphabet[x % 62];
  }
  return out;
}

ReplyPlan make_plan(const Reply& reply, const RequestView& view, int turn) {
  ReplyPlan p;
  p.turn = turn;
  p.created = static_cast<int64_t>(std::time(nullptr));
  p.model = view.model.empty() ? "fake-model" : view.model;
  p.reasoning = reply.reasoning;
  p.text = reply.text;
  if (reply.reasoning_in_text && !p.reasoning.empty()) {
    p.text = "<think>\n" + p.reasoning + "\n</think>\n\n" + p.text;
    p.reasoning.clear();
  }
  bool anthropic = view.protocol == Protocol::kAnthropic;
  p.id = make_id(anthropic ? "msg_01" : "chatcmpl-", turn, 0);
  for (size_t i = 0; i < reply.tool_calls.size(); ++i) {
    const ToolCallSpec& c = reply.tool_calls[i];
    std::string id = c.id.empty() ? make_id(anthropic ? "toolu_01" : "call_", turn,
                                            static_cast<int>(i) + 1)
                                  : c.id;
    p.calls.push_back({id, c.name, c.arguments});
  }
  p.finish_reason = !reply.finish_reason.empty() ? reply.finish_reason
                    : p.calls.empty()            ? "stop"
                                                 : "tool_calls";
  const UsageSpec& u = reply.usage;
  int64_t produced = approx_tokens(reply.reasoning) + approx_tokens(p.text);
  for (const PlannedCall& c : p.calls) produced += approx_tokens(c.name + c.arguments) + 3;
  p.usage.prompt_tokens = u.prompt_tokens >= 0 ? u.prompt_tokens : view.approx_tokens;
  p.usage.completion_tokens = u.completion_tokens >= 0 ? u.completion_tokens : std::max<int64_t>(1, produced);
  p.usage.reasoning_tokens = u.reasoning_tokens >= 0 ? u.reasoning_tokens : approx_tokens(reply.reasoning);
  p.usage.cached_tokens = u.cached_tokens;
  p.usage.cache_creation_tokens = u.cache_creation_tokens;
  p.include_usage = view.include_usage;
  if (reply.text_fragment_bytes > 0) p.text_fragment_bytes = reply.text_fragment_bytes;
  if (reply.args_fragment_bytes > 0) p.args_fragment_bytes = reply.args_fragment_bytes;
  p.signature = reply.signature.empty() ? "EqQB" + make_id("", turn, 99) + "==" : reply.signature;
  p.stream_error = reply.stream_error;
  p.ping = reply.ping;
  p.delta_nulls = reply.delta_nulls;
  return p;
}

}  // namespace bastion::fake_server
