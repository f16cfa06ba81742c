// Fuzzes tool-argument parsing: never crash, and whatever is accepted is a
// JSON object that survives a dump/parse round trip.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "llm/tool_args.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  auto r = bastion::llm::parse_tool_arguments(s);
  if (r.ok()) {
    if (!r->is_object()) __builtin_trap();
    std::string dumped = bastion::dump_json(*r);
    if (bastion::Json::parse(dumped, nullptr, false).is_discarded()) __builtin_trap();
  } else if (r.error().message.empty()) {
    __builtin_trap();
  }
  size_t n = bastion::llm::balanced_json_prefix(s);
  if (n > size) __builtin_trap();
  return 0;
}
