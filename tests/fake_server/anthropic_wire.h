// Anthropic Messages wire format: the SSE event sequence (message_start with
// cache usage, ping, content_block_start/delta/stop for thinking, text and
// tool_use, message_delta with stop_reason and output_tokens, message_stop,
// and mid-stream error events), the non-streaming message object, and
// {"type":"error","error":{...}} bodies.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reply_plan.h"
#include "scenario.h"

namespace bastion::fake_server {

// Complete SSE frames ("event: X\ndata: {...}\n\n"), in order.
std::vector<std::string> anthropic_stream_frames(const ReplyPlan& plan);

WireJson anthropic_response(const ReplyPlan& plan);

WireJson anthropic_error_body(const Reply& reply, const std::string& model);

// {"type":"error","error":{"type","message"}}.
WireJson anthropic_error(const std::string& type, const std::string& message);

}  // namespace bastion::fake_server
