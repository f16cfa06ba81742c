// Renders tool calls as plain message text, the way models served without a
// tool parser write them (Qwen3-Coder's XML form, Hermes/Qwen2.5 JSON inside
// <tool_call> tags), so tests can check that the client recognises them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace bastion::fake_server {

// `spec` is {"format": "qwen3_xml"|"hermes", "calls": [{name, arguments}]}.
// Returns the rendered text, or sets *error and returns "".
std::string render_text_tool_calls(const nlohmann::json& spec, std::string* error);

}  // namespace bastion::fake_server
