// OpenAI Chat Completions wire format, as OpenAI, vLLM, SGLang, llama.cpp and
// Ollama send it: SSE chunks (role delta, reasoning_content and content
// deltas, tool_calls deltas with arguments in fragments, a finish chunk, the
// include_usage chunk with empty choices, then [DONE]), the non-streaming
// chat.completion object, and error bodies in each server's real shape.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reply_plan.h"
#include "scenario.h"

namespace bastion::fake_server {

// Complete SSE frames ("data: {...}\n\n"), in order, ending with [DONE].
std::vector<std::string> openai_stream_frames(const ReplyPlan& plan);

// The non-streaming response object.
WireJson openai_response(const ReplyPlan& plan);

// The error body for a fault turn (status >= 400), in OpenAI's shape, or
// vLLM's / llama.cpp's when error_flavor says so.
WireJson openai_error_body(const Reply& reply, const std::string& model);

// {"error":{"message","type","param":null,"code"}}.
WireJson openai_error(const std::string& message, const std::string& type,
                            const WireJson& code);

}  // namespace bastion::fake_server
