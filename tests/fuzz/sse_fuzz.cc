// Fuzzes the SSE parser and both stream accumulators. Differential check:
// the events must be identical whether the input arrives whole or cut at
// two input-chosen offsets. Every data payload is then fed to the OpenAI and
// Anthropic accumulators, which must not crash on any JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "llm/anthropic_stream.h"
#include "llm/openai_stream.h"
#include "llm/sse_parser.h"

using bastion::llm::SseEvent;
using bastion::llm::SseParser;

static std::vector<SseEvent> parse(std::string_view s, size_t a, size_t b) {
  std::vector<SseEvent> out;
  SseParser p;
  auto cb = [&](const SseEvent& e) { out.push_back(e); };
  p.feed(s.substr(0, a), cb);
  p.feed(s.substr(a, b - a), cb);
  p.feed(s.substr(b), cb);
  p.finish(cb);
  return out;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  size_t a = size ? data[0] % (size + 1) : 0;
  size_t b = size ? a + (data[size - 1] % (size - a + 1)) : 0;
  auto whole = parse(s, size, size);
  auto cut = parse(s, a, b);
  if (whole.size() != cut.size()) __builtin_trap();
  for (size_t i = 0; i < whole.size(); ++i) {
    if (whole[i].data != cut[i].data || whole[i].event != cut[i].event) __builtin_trap();
  }
  bastion::llm::OpenAiStreamAccumulator oa;
  bastion::llm::AnthropicStreamAccumulator an;
  std::string err, type;
  for (const auto& e : whole) {
    auto j = bastion::Json::parse(e.data, nullptr, false);
    if (j.is_discarded()) continue;
    oa.apply(j, &err);
    an.apply(e.event, j, &err, &type);
  }
  oa.finish();
  an.finish();
  return 0;
}
