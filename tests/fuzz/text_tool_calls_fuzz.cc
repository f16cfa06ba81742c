// Fuzzes text tool-call extraction and <think> splitting: never crash, every
// recovered call has a name and arguments that parse as a JSON object, and
// the streaming splitter emits exactly the bytes it was given (minus tags and
// whitespace right after </think>) in any chunking.
#include <cstddef>
#include <cstdint>
#include <string>

#include "llm/text_tool_calls.h"
#include "util/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  static const std::vector<bastion::llm::ToolSpec> tools = {
      {"read", "", bastion::Json::parse(R"({"type":"object","properties":{"path":{"type":"string"},"limit":{"type":"integer"}}})")},
      {"todo", "", bastion::Json::parse(R"({"type":"object","properties":{"items":{"type":"array"}}})")}};
  auto ex = bastion::llm::extract_text_tool_calls(s, tools);
  for (const auto& c : ex.calls) {
    if (c.name.empty() || c.id.empty()) __builtin_trap();
    auto j = bastion::Json::parse(c.arguments, nullptr, false);
    if (j.is_discarded() || !j.is_object()) __builtin_trap();
  }
  std::string a1, r1, a2, r2;
  {
    bastion::llm::ThinkStreamSplitter sp([&](const std::string& t) { a1 += t; },
                                         [&](const std::string& t) { r1 += t; });
    sp.feed(s);
    sp.finish();
  }
  {
    bastion::llm::ThinkStreamSplitter sp([&](const std::string& t) { a2 += t; },
                                         [&](const std::string& t) { r2 += t; });
    for (char c : s) sp.feed(std::string_view(&c, 1));
    sp.finish();
  }
  if (a1 != a2 || r1 != r2) __builtin_trap();
  if (a1.size() + r1.size() > s.size()) __builtin_trap();
  return 0;
}
