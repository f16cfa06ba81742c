#include "util/json.h"

namespace bastion {

Result<Json> parse_json(std::string_view text, std::string_view what) {
  Json out = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    std::string snippet(text.substr(0, 120));
    return make_error(ErrorKind::kBadInput,
                      std::string(what) + " is not valid JSON: " + snippet);
  }
  return out;
}

std::string json_string(const Json& obj, std::string_view key, std::string_view fallback) {
  if (!obj.is_object()) return std::string(fallback);
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::string(fallback);
  return it->get<std::string>();
}

long long json_int(const Json& obj, std::string_view key, long long fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return fallback;
  return it->get<long long>();
}

double json_number(const Json& obj, std::string_view key, double fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return fallback;
  return it->get<double>();
}

bool json_bool(const Json& obj, std::string_view key, bool fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_boolean()) return fallback;
  return it->get<bool>();
}

std::string dump_json(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace bastion
