#include "llm/openai_request.h"

namespace bastion::llm {

Json openai_messages(const ChatRequest& request) {
  Json messages = Json::array();
  std::string system = request.system;
  // System messages inside the conversation join the system prompt: several
  // servers (and chat templates) accept only one, and only first.
  for (const Message& m : request.messages) {
    if (m.role == Role::kSystem && !m.content.empty()) {
      if (!system.empty()) system += "\n\n";
      system += m.content;
    }
  }
  if (!system.empty()) messages.push_back({{"role", "system"}, {"content", system}});
  for (const Message& m : request.messages) {
    switch (m.role) {
      case Role::kSystem:
        break;
      case Role::kUser:
        messages.push_back({{"role", "user"}, {"content", m.content}});
        break;
      case Role::kAssistant: {
        Json j = {{"role", "assistant"}};
        j["content"] = m.content.empty() && !m.tool_calls.empty() ? Json(nullptr) : Json(m.content);
        if (!m.tool_calls.empty()) {
          Json calls = Json::array();
          for (const ToolCall& c : m.tool_calls) {
            calls.push_back({{"id", c.id},
                             {"type", "function"},
                             {"function",
                              {{"name", c.name},
                               {"arguments", c.arguments.empty() ? "{}" : c.arguments}}}});
          }
          j["tool_calls"] = calls;
        }
        messages.push_back(std::move(j));
        break;
      }
      case Role::kTool:
        messages.push_back({{"role", "tool"}, {"tool_call_id", m.tool_call_id}, {"content", m.content}});
        break;
    }
  }
  return messages;
}

Json build_openai_request(const ChatRequest& request, bool stream) {
  Json body = {{"model", request.model}, {"messages", openai_messages(request)}};
  if (!request.tools.empty()) {
    Json tools = Json::array();
    for (const ToolSpec& t : request.tools) {
      Json params = t.parameters.is_object() ? t.parameters
                                             : Json{{"type", "object"}, {"properties", Json::object()}};
      tools.push_back({{"type", "function"},
                       {"function", {{"name", t.name}, {"description", t.description}, {"parameters", params}}}});
    }
    body["tools"] = tools;
  }
  if (request.max_output_tokens > 0) body["max_tokens"] = request.max_output_tokens;
  if (request.temperature >= 0) body["temperature"] = request.temperature;
  if (stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  return body;
}

}  // namespace bastion::llm
