#include "llm/message.h"

namespace bastion::llm {

const char* role_name(Role role) {
  switch (role) {
    case Role::kSystem: return "system";
    case Role::kUser: return "user";
    case Role::kAssistant: return "assistant";
    case Role::kTool: return "tool";
  }
  return "user";
}

static Role role_from_name(const std::string& s) {
  if (s == "system") return Role::kSystem;
  if (s == "assistant") return Role::kAssistant;
  if (s == "tool") return Role::kTool;
  return Role::kUser;
}

Json Message::to_json() const {
  Json j = {{"role", role_name(role)}, {"content", content}};
  if (!reasoning.empty()) j["reasoning"] = reasoning;
  if (!tool_calls.empty()) {
    Json calls = Json::array();
    for (auto& c : tool_calls) calls.push_back({{"id", c.id}, {"name", c.name}, {"arguments", c.arguments}});
    j["tool_calls"] = calls;
  }
  if (!tool_call_id.empty()) j["tool_call_id"] = tool_call_id;
  if (!tool_name.empty()) j["tool_name"] = tool_name;
  if (is_error) j["is_error"] = true;
  return j;
}

Message Message::from_json(const Json& j) {
  Message m;
  m.role = role_from_name(json_string(j, "role", "user"));
  m.content = json_string(j, "content");
  m.reasoning = json_string(j, "reasoning");
  if (j.contains("tool_calls") && j["tool_calls"].is_array()) {
    for (auto& c : j["tool_calls"]) {
      m.tool_calls.push_back({json_string(c, "id"), json_string(c, "name"), json_string(c, "arguments")});
    }
  }
  m.tool_call_id = json_string(j, "tool_call_id");
  m.tool_name = json_string(j, "tool_name");
  m.is_error = json_bool(j, "is_error");
  return m;
}

Usage& Usage::operator+=(const Usage& o) {
  input_tokens += o.input_tokens;
  cached_input_tokens += o.cached_input_tokens;
  output_tokens += o.output_tokens;
  reasoning_tokens += o.reasoning_tokens;
  estimated = estimated || o.estimated;
  return *this;
}

Json Usage::to_json() const {
  return {{"input_tokens", input_tokens},
          {"output_tokens", output_tokens},
          {"cached_input_tokens", cached_input_tokens},
          {"reasoning_tokens", reasoning_tokens}};
}

}  // namespace bastion::llm
