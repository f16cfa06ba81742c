// The project's JSON type (nlohmann::json) plus small helpers for reading
// untrusted JSON (from models, configs, servers) without throwing.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace bastion {

using Json = nlohmann::json;

// Parses text; a parse failure becomes a kBadInput error naming `what`.
Result<Json> parse_json(std::string_view text, std::string_view what);

// Typed getters that return the fallback when the key is missing or has the
// wrong type. They never throw.
std::string json_string(const Json& obj, std::string_view key, std::string_view fallback = "");
long long json_int(const Json& obj, std::string_view key, long long fallback = 0);
double json_number(const Json& obj, std::string_view key, double fallback = 0);
bool json_bool(const Json& obj, std::string_view key, bool fallback = false);

// Serialises without throwing on invalid UTF-8 (bytes are replaced).
std::string dump_json(const Json& value, int indent = -1);

}  // namespace bastion
