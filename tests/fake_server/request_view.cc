#include "request_view.h"

namespace bastion::fake_server {
namespace {

using Json = nlohmann::json;

// Text of an OpenAI content (string or parts) or Anthropic content (string or
// blocks); only text parts count, tool results are handled separately.
std::string text_of(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  for (const Json& part : content) {
    if (!part.is_object()) continue;
    if (part.value("type", "") == "text" && part.contains("text") && part["text"].is_string()) {
      if (!out.empty()) out += "\n";
      out += part["text"].get<std::string>();
    }
  }
  return out;
}

void view_openai(const Json& body, RequestView* v) {
  if (body.contains("stream_options") && body["stream_options"].is_object())
    v->include_usage = body["stream_options"].value("include_usage", false);
  const Json& msgs = body.contains("messages") ? body["messages"] : Json::array();
  if (!msgs.is_array()) return;
  for (const Json& m : msgs) {
    if (!m.is_object()) continue;
    std::string role = m.value("role", "");
    const Json content = m.contains("content") ? m["content"] : Json();
    v->last_message_role = role;
    if (role == "system" || role == "developer") {
      if (!v->system_text.empty()) v->system_text += "\n";
      v->system_text += text_of(content);
    } else if (role == "user") {
      std::string t = text_of(content);
      if (!t.empty()) v->last_user_text = t;
    } else if (role == "assistant") {
      v->recent_tool_results.clear();
    } else if (role == "tool") {
      v->recent_tool_results.push_back(text_of(content));
    }
  }
  if (body.contains("tools") && body["tools"].is_array())
    for (const Json& t : body["tools"])
      if (t.is_object() && t.contains("function") && t["function"].is_object())
        v->tool_names.push_back(t["function"].value("name", ""));
}

void view_anthropic(const Json& body, RequestView* v) {
  if (body.contains("system")) v->system_text = text_of(body["system"]);
  const Json& msgs = body.contains("messages") ? body["messages"] : Json::array();
  if (!msgs.is_array()) return;
  for (const Json& m : msgs) {
    if (!m.is_object()) continue;
    std::string role = m.value("role", "");
    const Json content = m.contains("content") ? m["content"] : Json();
    v->last_message_role = role;
    if (role == "assistant") {
      v->recent_tool_results.clear();
      continue;
    }
    std::string t = text_of(content);
    if (!t.empty()) v->last_user_text = t;
    if (!content.is_array()) continue;
    for (const Json& block : content) {
      if (!block.is_object() || block.value("type", "") != "tool_result") continue;
      const Json c = block.contains("content") ? block["content"] : Json("");
      v->recent_tool_results.push_back(text_of(c));
    }
  }
  if (body.contains("tools") && body["tools"].is_array())
    for (const Json& t : body["tools"])
      if (t.is_object()) v->tool_names.push_back(t.value("name", ""));
}

}  // namespace

int64_t approx_tokens(const std::string& text) {
  if (text.empty()) return 0;
  return static_cast<int64_t>((text.size() + 3) / 4);
}

RequestView view_request(Protocol protocol, const Json& body) {
  RequestView v;
  v.protocol = protocol;
  if (!body.is_object()) return v;
  try {
    v.model = body.value("model", "");
    v.stream = body.value("stream", false);
    if (protocol == Protocol::kOpenAI)
      view_openai(body, &v);
    else
      view_anthropic(body, &v);
    if (body.contains("messages") && body["messages"].is_array())
      v.message_count = body["messages"].size();
    std::string sized;
    for (const char* key : {"system", "messages", "tools"})
      if (body.contains(key)) sized += body[key].dump(-1, ' ', false, Json::error_handler_t::replace);
    v.approx_tokens = approx_tokens(sized);
  } catch (const std::exception&) {
    // A field of an unexpected type: keep what was read so far.
  }
  return v;
}

}  // namespace bastion::fake_server
