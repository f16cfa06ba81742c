// Turns a scenario reply plus the request into everything a wire format needs
// to render it: ids, the echoed model, the final content, usage numbers
// (explicit or estimated from sizes) and fragment sizes. Both the OpenAI and
// the Anthropic renderers consume this, so they always agree on content.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "request_view.h"
#include "scenario.h"

namespace bastion::fake_server {

// Wire output keeps fields in the order real servers send them.
using WireJson = nlohmann::ordered_json;

struct PlannedUsage {
  int64_t prompt_tokens = 0;  // total, cache reads and writes included
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t cache_creation_tokens = 0;
  int64_t reasoning_tokens = 0;
};

struct PlannedCall {
  std::string id;
  std::string name;
  std::string arguments;
};

struct ReplyPlan {
  int turn = 0;
  std::string id;
  int64_t created = 0;
  std::string model;
  std::string reasoning;
  std::string text;
  std::vector<PlannedCall> calls;
  std::string finish_reason;  // OpenAI terms: stop | tool_calls | length
  PlannedUsage usage;
  bool include_usage = false;
  size_t text_fragment_bytes = 16;
  size_t args_fragment_bytes = 16;
  std::string signature;
  Json stream_error;
  bool ping = true;
  bool delta_nulls = false;
};

ReplyPlan make_plan(const Reply& reply, const RequestView& view, int turn);

// Splits text into pieces of at most n bytes without cutting a UTF-8
// sequence (a piece may exceed n only to finish a code point). Always
// returns at least one piece, possibly empty.
std::vector<std::string> split_utf8(const std::string& s, size_t n);

// A stable, random-looking id: prefix + 24 base62 chars derived from seeds.
std::string make_id(const std::string& prefix, int a, int b);

}  // namespace bastion::fake_server
