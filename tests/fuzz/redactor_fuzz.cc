// Fuzz target for the secret redactor: any input must scan without crashing
// or hanging, and restore(redact(x)) must give back x exactly (when x does
// not already contain placeholder-shaped text), also after a second pass. The first byte picks the
// source path so the dotenv rules are exercised too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/redactor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static const char* kPaths[] = {"", "/repo/.env", "/repo/src/main.py", "/repo/.env.local"};
  std::string_view path = kPaths[size ? data[0] % 4 : 0];
  bastion::policy::Redactor r;
  std::string out = r.redact(in, path);
  if (in.find("[REDACTED:") == std::string_view::npos && r.restore(out) != in) std::abort();
  // Redacting again never loses anything: placeholders are not re-redacted
  // (a detector may now see more, e.g. a value that followed a secret).
  if (in.find("[REDACTED:") == std::string_view::npos && r.restore(r.redact(out, path)) != in) std::abort();
  return 0;
}
