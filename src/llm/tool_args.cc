#include "llm/tool_args.h"

#include "util/strings.h"

namespace bastion::llm {

size_t balanced_json_prefix(std::string_view text) {
  if (text.empty() || (text[0] != '{' && text[0] != '[')) return 0;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return 0;
}

namespace {

std::string_view strip_fence(std::string_view s) {
  s = str::trim(s);
  if (!str::starts_with(s, "```")) return s;
  size_t nl = s.find('\n');
  if (nl == std::string_view::npos) return s;
  s.remove_prefix(nl + 1);
  if (auto end = s.rfind("```"); end != std::string_view::npos) s = s.substr(0, end);
  return str::trim(s);
}

Json parse_quiet(std::string_view s) { return Json::parse(s, nullptr, false); }

}  // namespace

Result<Json> parse_tool_arguments(std::string_view raw) {
  std::string_view s = strip_fence(raw);
  if (s.empty() || s == "null") return Json::object();
  Json j = parse_quiet(s);
  if (j.is_discarded()) {
    // Stray text after a complete object: keep the object.
    if (size_t n = balanced_json_prefix(s); n > 0) j = parse_quiet(s.substr(0, n));
  }
  // Encoded twice: a JSON string holding the object.
  for (int depth = 0; depth < 2 && j.is_string(); ++depth) {
    Json inner = parse_quiet(str::trim(j.get<std::string>()));
    if (inner.is_discarded()) break;
    j = std::move(inner);
  }
  if (j.is_object()) return j;
  std::string shown = str::truncate_utf8(s, 200);
  if (j.is_discarded()) {
    return make_error(ErrorKind::kBadInput,
                      "tool arguments are not valid JSON (send one JSON object): " + shown);
  }
  return make_error(ErrorKind::kBadInput,
                    "tool arguments must be a JSON object, got " +
                        std::string(j.type_name()) + ": " + shown);
}

}  // namespace bastion::llm
