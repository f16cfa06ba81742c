#include "llm/anthropic_request.h"

#include "llm/tool_args.h"

namespace bastion::llm {
namespace {

constexpr int kDefaultMaxTokens = 8192;  // the API requires max_tokens

Json cache_mark() { return {{"type", "ephemeral"}}; }

Json text_block(const std::string& text) { return {{"type", "text"}, {"text", text}}; }

void append_turn(Json& messages, const char* role, Json blocks) {
  if (blocks.empty()) return;
  if (!messages.empty() && messages.back()["role"] == role) {
    for (auto& b : blocks) messages.back()["content"].push_back(std::move(b));
    return;
  }
  messages.push_back({{"role", role}, {"content", std::move(blocks)}});
}

}  // namespace

Json build_anthropic_request(const ChatRequest& request, bool stream) {
  std::string system = request.system;
  Json messages = Json::array();
  for (const Message& m : request.messages) {
    Json blocks = Json::array();
    switch (m.role) {
      case Role::kSystem:
        if (!m.content.empty()) system += (system.empty() ? "" : "\n\n") + m.content;
        break;
      case Role::kUser:
        blocks.push_back(text_block(m.content.empty() ? "(empty)" : m.content));
        append_turn(messages, "user", std::move(blocks));
        break;
      case Role::kAssistant: {
        if (!m.content.empty()) blocks.push_back(text_block(m.content));
        for (const ToolCall& c : m.tool_calls) {
          auto input = parse_tool_arguments(c.arguments);
          blocks.push_back({{"type", "tool_use"}, {"id", c.id}, {"name", c.name},
                            {"input", input.ok() ? *input : Json::object()}});
        }
        if (blocks.empty()) blocks.push_back(text_block("(no answer)"));
        append_turn(messages, "assistant", std::move(blocks));
        break;
      }
      case Role::kTool: {
        Json b = {{"type", "tool_result"}, {"tool_use_id", m.tool_call_id},
                  {"content", m.content.empty() ? "(no output)" : m.content}};
        if (m.is_error) b["is_error"] = true;
        blocks.push_back(std::move(b));
        append_turn(messages, "user", std::move(blocks));
        break;
      }
    }
  }
  // The newest message ends the cacheable prefix.
  if (!messages.empty() && !messages.back()["content"].empty()) {
    messages.back()["content"].back()["cache_control"] = cache_mark();
  }
  Json body = {{"model", request.model},
               {"max_tokens", request.max_output_tokens > 0 ? request.max_output_tokens
                                                             : kDefaultMaxTokens},
               {"messages", messages}};
  if (!system.empty()) {
    body["system"] = Json::array({{{"type", "text"}, {"text", system}, {"cache_control", cache_mark()}}});
  }
  if (!request.tools.empty()) {
    Json tools = Json::array();
    for (const ToolSpec& t : request.tools) {
      Json schema = t.parameters.is_object() ? t.parameters
                                             : Json{{"type", "object"}, {"properties", Json::object()}};
      tools.push_back({{"name", t.name}, {"description", t.description}, {"input_schema", schema}});
    }
    tools.back()["cache_control"] = cache_mark();
    body["tools"] = tools;
  }
  if (request.temperature >= 0) body["temperature"] = request.temperature;
  if (stream) body["stream"] = true;
  return body;
}

}  // namespace bastion::llm
