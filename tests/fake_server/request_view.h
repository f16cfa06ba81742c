// A protocol-neutral view of a chat request (OpenAI Chat Completions or
// Anthropic Messages): the fields scenario assertions and usage estimates
// look at, extracted once so neither has to know both wire formats.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bastion::fake_server {

enum class Protocol { kOpenAI, kAnthropic };

struct RequestView {
  Protocol protocol = Protocol::kOpenAI;
  std::string model;
  bool stream = false;
  bool include_usage = false;          // OpenAI stream_options.include_usage
  std::string system_text;             // all system/developer text, joined
  std::string last_user_text;          // the latest user message that has text
  std::vector<std::string> recent_tool_results;  // results after the last assistant turn
  std::vector<std::string> tool_names;
  size_t message_count = 0;
  std::string last_message_role;
  int64_t approx_tokens = 0;           // JSON size of system+messages+tools / 4
};

RequestView view_request(Protocol protocol, const nlohmann::json& body);

// Rough token count of a piece of text (bytes / 4, at least 1 when non-empty).
int64_t approx_tokens(const std::string& text);

}  // namespace bastion::fake_server
