// JsonLine: a flat JSON object written key by key into a string, for the
// per-request log line and audit entry. Building those as Json objects (a
// std::map of ~18 keys) and dumping them cost more than the rest of a
// request's bookkeeping. Strings that are not plain printable ASCII go
// through the JSON library, for its escaping and UTF-8 handling. Call
// close() once, after the last key.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/json.h"

namespace bastion::gateway {

struct JsonLine {
  std::string out = "{";
  void key(const char* k) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += k;
    out += "\":";
  }
  void str(const char* k, std::string_view v) {
    key(k);
    for (unsigned char ch : v)
      if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\') {
        out += dump_json(Json(std::string(v)));
        return;
      }
    out += '"';
    out.append(v);
    out += '"';
  }
  void num(const char* k, int64_t v) {
    key(k);
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }
  void real(const char* k, double v) {
    key(k);
    if (!std::isfinite(v)) {
      out += "null";
      return;
    }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    std::string_view t(buf, static_cast<size_t>(r.ptr - buf));
    out += t;
    if (t.find_first_of(".e") == std::string_view::npos) out += ".0";
  }
  void boolean(const char* k, bool v) {
    key(k);
    out += v ? "true" : "false";
  }
  std::string& close() {
    out += '}';
    return out;
  }
};

}  // namespace bastion::gateway
