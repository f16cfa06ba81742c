#include "expect.h"

#include <algorithm>

namespace bastion::fake_server {
namespace {

using Json = nlohmann::json;

std::string clip(const std::string& s) {
  return s.size() <= 200 ? s : s.substr(0, 200) + "...";
}

std::string as_string(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string check_headers(const Json& spec, const HttpRequest& req, bool contains) {
  if (!spec.is_object()) return "header assertions must be an object";
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    std::string name = it.key();
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    auto h = req.headers.find(name);
    std::string want = as_string(it.value());
    if (h == req.headers.end()) return "header " + name + " is missing";
    bool ok = contains ? h->second.find(want) != std::string::npos : h->second == want;
    if (!ok)
      return "header " + name + (contains ? " does not contain \"" : " is not \"") + want +
             "\" (got \"" + clip(h->second) + "\")";
  }
  return "";
}

std::string check_one(const std::string& key, const Json& want, const HttpRequest& req,
                      const Json& body, const RequestView& v) {
  if (key == "model") {
    if (v.model != as_string(want)) return "model is \"" + v.model + "\", expected \"" + as_string(want) + "\"";
  } else if (key == "path") {
    if (req.path != as_string(want)) return "path is " + req.path + ", expected " + as_string(want);
  } else if (key == "stream") {
    if (v.stream != want.get<bool>()) return std::string("stream is ") + (v.stream ? "true" : "false");
  } else if (key == "include_usage") {
    if (v.include_usage != want.get<bool>())
      return std::string("stream_options.include_usage is ") + (v.include_usage ? "true" : "false");
  } else if (key == "last_user_contains") {
    if (v.last_user_text.find(as_string(want)) == std::string::npos)
      return "last user message does not contain \"" + as_string(want) + "\" (it is \"" +
             clip(v.last_user_text) + "\")";
  } else if (key == "tool_result_contains") {
    for (const std::string& r : v.recent_tool_results)
      if (r.find(as_string(want)) != std::string::npos) return "";
    std::string got;
    for (const std::string& r : v.recent_tool_results) got += "[" + clip(r) + "] ";
    return "no tool result since the last assistant turn contains \"" + as_string(want) +
           "\" (results: " + (got.empty() ? "none" : got) + ")";
  } else if (key == "system_contains") {
    if (v.system_text.find(as_string(want)) == std::string::npos)
      return "system prompt does not contain \"" + as_string(want) + "\"";
  } else if (key == "body_contains" || key == "body_not_contains") {
    std::string dumped = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    std::vector<std::string> needles;
    if (want.is_array())
      for (const Json& w : want) needles.push_back(as_string(w));
    else
      needles.push_back(as_string(want));
    for (const std::string& n : needles) {
      bool found = dumped.find(n) != std::string::npos || req.body.find(n) != std::string::npos;
      if (key == "body_contains" && !found) return "request body does not contain \"" + n + "\"";
      if (key == "body_not_contains" && found) return "request body contains \"" + n + "\"";
    }
  } else if (key == "header" || key == "header_equals") {
    return check_headers(want, req, false);
  } else if (key == "header_contains") {
    return check_headers(want, req, true);
  } else if (key == "header_absent") {
    for (const Json& name : want)
      if (req.headers.count(as_string(name))) return "header " + as_string(name) + " is present";
  } else if (key == "has_tools") {
    bool has = !v.tool_names.empty();
    if (has != want.get<bool>())
      return has ? "request has tools" : "request has no tools";
  } else if (key == "tool_names_include") {
    for (const Json& name : want)
      if (std::find(v.tool_names.begin(), v.tool_names.end(), as_string(name)) == v.tool_names.end())
        return "tools do not include \"" + as_string(name) + "\"";
  } else if (key == "max_request_tokens_approx") {
    if (v.approx_tokens > want.get<int64_t>())
      return "request is about " + std::to_string(v.approx_tokens) + " tokens, over " +
             std::to_string(want.get<int64_t>());
  } else if (key == "message_count") {
    if (static_cast<int64_t>(v.message_count) != want.get<int64_t>())
      return "request has " + std::to_string(v.message_count) + " messages, expected " +
             std::to_string(want.get<int64_t>());
  } else if (key == "last_message_role") {
    if (v.last_message_role != as_string(want))
      return "last message role is \"" + v.last_message_role + "\"";
  } else {
    return "unknown assertion " + key;
  }
  return "";
}

}  // namespace

std::string check_expect(const Json& expect, const HttpRequest& req, const Json& body,
                         const RequestView& view) {
  if (!expect.is_object()) return "";
  for (auto it = expect.begin(); it != expect.end(); ++it) {
    std::string failure;
    try {
      failure = check_one(it.key(), it.value(), req, body, view);
    } catch (const std::exception& e) {
      failure = "assertion " + it.key() + " has a value of the wrong type";
    }
    if (!failure.empty()) return it.key() + ": " + failure;
  }
  return "";
}

}  // namespace bastion::fake_server
