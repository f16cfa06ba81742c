// Fuzzes the incremental HTTP/1.1 response parser. Differential check: the
// outcome (error text, status, headers, trailers, body, reusability) must be
// identical whether the reply arrives whole, cut at two input-chosen
// offsets, or byte by byte. The first input byte's low bit marks a HEAD
// request; its second bit says whether the peer then closes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "util/http_response_parser.h"

using bastion::http::ResponseParser;

namespace {

struct Outcome {
  std::string error, body;
  int status = 0;
  bastion::http::Headers headers, trailers;
  bool done = false, reusable = false;
  bool operator==(const Outcome& o) const {
    return error == o.error && body == o.body && status == o.status && headers == o.headers &&
           trailers == o.trailers && done == o.done && reusable == o.reusable;
  }
};

Outcome run(std::string_view s, size_t a, size_t b, bool head, bool close, bool bytewise) {
  ResponseParser p(head);
  Outcome out;
  auto sink = [&](std::string_view piece) {
    if (!p.head_done()) __builtin_trap();
    out.body.append(piece);
    return true;
  };
  bastion::Status st = bastion::ok_status();
  auto feed = [&](std::string_view piece) {
    if (st.ok()) st = p.feed(piece, sink);
  };
  if (bytewise) {
    for (size_t i = 0; i < s.size(); ++i) feed(s.substr(i, 1));
  } else {
    feed(s.substr(0, a));
    feed(s.substr(a, b - a));
    feed(s.substr(b));
  }
  if (st.ok() && close) st = p.finish();
  if (!st.ok()) out.error = st.error().message;
  if (p.body_bytes() != static_cast<int64_t>(out.body.size())) __builtin_trap();
  out.status = p.head().status;
  out.headers = p.head().headers;
  out.trailers = p.trailers();
  out.done = p.done();
  out.reusable = p.reusable();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bool head = data[0] & 1, close = data[0] & 2;
  std::string_view s(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t n = s.size();
  size_t a = n ? data[size - 1] % (n + 1) : 0;
  size_t b = n ? a + (data[size / 2] % (n - a + 1)) : 0;
  Outcome whole = run(s, n, n, head, close, false);
  if (!(run(s, a, b, head, close, false) == whole)) __builtin_trap();
  if (n < 4096 && !(run(s, 0, 0, head, close, true) == whole)) __builtin_trap();
  return 0;
}
