// The scenario a fake model server plays: an ordered list of turns, one per
// model request, each with assertions on what the client sent and the reply
// (content, stream shaping, or a fault) to send back. See README.md for the
// JSON format; this file turns that JSON into plain structs once, at start-up,
// so a malformed scenario fails loudly before any test traffic.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bastion::fake_server {

using Json = nlohmann::json;

struct ToolCallSpec {
  std::string id;         // "" = generated
  std::string name;
  std::string arguments;  // raw JSON text (an object in the scenario is dumped)
};

// Explicit usage numbers; -1 means "compute from the request/reply size".
struct UsageSpec {
  int64_t prompt_tokens = -1;  // all prompt tokens, cached included (OpenAI sense)
  int64_t completion_tokens = -1;
  int64_t cached_tokens = 0;   // cache reads
  int64_t cache_creation_tokens = 0;
  int64_t reasoning_tokens = -1;
};

struct Reply {
  // Content.
  std::string reasoning;
  bool reasoning_in_text = false;  // send reasoning as <think>..</think> in the text
  std::string text;
  std::vector<ToolCallSpec> tool_calls;
  std::string finish_reason;       // "" = derived ("tool_calls" when any, else "stop")
  UsageSpec usage;
  std::string signature;           // Anthropic thinking signature ("" = generated)
  std::vector<std::string> raw_frames;  // when set, sent verbatim as the stream body

  // Stream shaping.
  int chunk_bytes = 0;             // split each frame into TCP writes of N bytes
  int args_fragment_bytes = 0;     // tool-call argument fragment size (0 = default)
  int text_fragment_bytes = 0;     // text/reasoning delta size (0 = default)
  int delay_ms = 0;                // pause between writes
  bool ping = true;                // Anthropic: send a ping after message_start
  bool delta_nulls = false;        // OpenAI: null content/reasoning_content keys (DeepSeek)
  bool crlf = false;               // SSE lines end in \r\n (sse-starlette servers)
  bool keepalive_comments = false; // ": keep-alive" SSE comments between frames

  // Faults.
  int status = 200;
  std::optional<std::string> retry_after;
  std::string error_kind;          // "" | "context_length"
  std::string error_flavor;        // "openai" (default) | "vllm" | "llamacpp"
  std::string error_message;       // override of the default message
  std::string error_type;          // override of the default type
  Json error_body;                 // when set, sent verbatim as the error body
  int64_t drop_after_bytes = -1;   // close the socket after N body bytes
  bool drop_reset = false;         // drop with a TCP RST instead of a FIN
  bool empty_reply = false;        // close the connection without any response
  int hang_ms = 0;                 // wait before sending the response headers
  int64_t stall_after_bytes = -1;  // pause `stall_ms` once N body bytes are out
  int stall_ms = 0;
  Json stream_error;               // {type,message}: mid-stream error instead of the end
};

struct Turn {
  Json expect;  // object of assertions (may be null)
  Reply reply;
};

struct Scenario {
  std::vector<Turn> turns;
  std::vector<std::string> models;  // served by GET /v1/models
  int models_status = 200;          // fault for GET /v1/models
  int embedding_dims = 16;
};

// Parses scenario JSON: either {"turns":[...], "models":[...]} or a bare
// array of turns. Returns "" on success, else a message naming the bad field.
std::string parse_scenario(const Json& j, Scenario* out);

// Hands out turns in order to concurrent connections.
class TurnQueue {
 public:
  explicit TurnQueue(std::vector<Turn> turns) : turns_(std::move(turns)) {}
  // Claims the next turn; nullopt when exhausted. `index` gets its position.
  std::optional<Turn> next(int* index);
  size_t size() const { return turns_.size(); }

 private:
  std::mutex mu_;
  std::vector<Turn> turns_;
  size_t next_ = 0;
};

}  // namespace bastion::fake_server
