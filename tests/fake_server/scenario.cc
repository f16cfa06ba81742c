#include "scenario.h"

#include "text_tool_calls.h"

namespace bastion::fake_server {
namespace {

const char* kReplyKeys[] = {
    "reasoning", "reasoning_in_text", "text", "tool_calls", "text_tool_calls", "finish_reason",
    "usage", "signature", "raw_frames", "chunk_bytes", "args_fragment_bytes",
    "text_fragment_bytes", "delay_ms", "ping", "delta_nulls", "crlf", "keepalive_comments", "status", "retry_after", "error_kind",
    "error_flavor", "error_message", "error_type", "error_body", "drop_after_bytes", "drop_reset",
    "empty_reply", "hang_ms", "stall_after_bytes", "stall_ms", "stream_error"};

const char* kExpectKeys[] = {
    "model", "path", "stream", "include_usage", "last_user_contains", "tool_result_contains",
    "system_contains", "body_contains", "body_not_contains", "header", "header_equals",
    "header_contains", "header_absent", "has_tools", "tool_names_include",
    "max_request_tokens_approx", "message_count", "last_message_role"};

bool known(const std::string& key, const char* const* keys, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (key == keys[i]) return true;
  return false;
}

int64_t usage_field(const Json& u, const char* a, const char* b, int64_t fallback) {
  if (u.contains(a) && u[a].is_number_integer()) return u[a].get<int64_t>();
  if (b && u.contains(b) && u[b].is_number_integer()) return u[b].get<int64_t>();
  return fallback;
}

std::string parse_usage(const Json& u, UsageSpec* out) {
  if (!u.is_object()) return "usage must be an object";
  out->cached_tokens = usage_field(u, "cached_tokens", "cache_read_input_tokens", 0);
  out->cache_creation_tokens = usage_field(u, "cache_creation_input_tokens", nullptr, 0);
  out->completion_tokens = usage_field(u, "completion_tokens", "output_tokens", -1);
  out->reasoning_tokens = usage_field(u, "reasoning_tokens", nullptr, -1);
  out->prompt_tokens = usage_field(u, "prompt_tokens", nullptr, -1);
  if (out->prompt_tokens < 0 && u.contains("input_tokens") && u["input_tokens"].is_number_integer())
    // Anthropic's input_tokens excludes cache reads and writes.
    out->prompt_tokens =
        u["input_tokens"].get<int64_t>() + out->cached_tokens + out->cache_creation_tokens;
  return "";
}

std::string parse_tool_calls(const Json& list, std::vector<ToolCallSpec>* out) {
  if (!list.is_array()) return "tool_calls must be an array";
  for (const Json& c : list) {
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string())
      return "each tool call needs a string \"name\"";
    ToolCallSpec spec;
    spec.name = c["name"].get<std::string>();
    spec.id = c.value("id", "");
    const Json args = c.contains("arguments") ? c["arguments"] : Json::object();
    spec.arguments = args.is_string() ? args.get<std::string>() : args.dump();
    out->push_back(std::move(spec));
  }
  return "";
}

std::string parse_reply(const Json& j, Reply* r) {
  if (!j.is_object()) return "reply must be an object";
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known(it.key(), kReplyKeys, std::size(kReplyKeys)))
      return "unknown reply field \"" + it.key() + "\"";
  r->reasoning = j.value("reasoning", "");
  r->reasoning_in_text = j.value("reasoning_in_text", false);
  r->text = j.value("text", "");
  if (j.contains("tool_calls")) {
    std::string err = parse_tool_calls(j["tool_calls"], &r->tool_calls);
    if (!err.empty()) return err;
  }
  if (j.contains("text_tool_calls")) {
    std::string err;
    std::string rendered = render_text_tool_calls(j["text_tool_calls"], &err);
    if (!err.empty()) return err;
    r->text += (r->text.empty() ? "" : "\n\n") + rendered;
  }
  r->finish_reason = j.value("finish_reason", "");
  if (j.contains("usage")) {
    std::string err = parse_usage(j["usage"], &r->usage);
    if (!err.empty()) return err;
  }
  r->signature = j.value("signature", "");
  if (j.contains("raw_frames")) {
    if (!j["raw_frames"].is_array()) return "raw_frames must be an array of strings";
    for (const Json& f : j["raw_frames"]) {
      if (!f.is_string()) return "raw_frames must be an array of strings";
      r->raw_frames.push_back(f.get<std::string>());
    }
  }
  r->chunk_bytes = j.value("chunk_bytes", 0);
  r->args_fragment_bytes = j.value("args_fragment_bytes", 0);
  r->text_fragment_bytes = j.value("text_fragment_bytes", 0);
  r->delay_ms = j.value("delay_ms", 0);
  r->ping = j.value("ping", true);
  r->delta_nulls = j.value("delta_nulls", false);
  r->crlf = j.value("crlf", false);
  r->keepalive_comments = j.value("keepalive_comments", false);
  r->status = j.value("status", 200);
  if (j.contains("retry_after")) {
    const Json& ra = j["retry_after"];
    r->retry_after = ra.is_string() ? ra.get<std::string>() : ra.dump();
  }
  r->error_kind = j.value("error_kind", "");
  if (!r->error_kind.empty() && r->error_kind != "context_length")
    return "error_kind must be \"context_length\"";
  r->error_flavor = j.value("error_flavor", "openai");
  if (r->error_flavor != "openai" && r->error_flavor != "vllm" && r->error_flavor != "llamacpp")
    return "error_flavor must be openai, vllm or llamacpp";
  r->error_message = j.value("error_message", "");
  r->error_type = j.value("error_type", "");
  if (j.contains("error_body")) r->error_body = j["error_body"];
  if (!r->error_kind.empty() && r->status == 200) r->status = 400;
  r->drop_after_bytes = j.value("drop_after_bytes", int64_t{-1});
  r->drop_reset = j.value("drop_reset", false);
  r->empty_reply = j.value("empty_reply", false);
  r->hang_ms = j.value("hang_ms", 0);
  r->stall_after_bytes = j.value("stall_after_bytes", int64_t{-1});
  r->stall_ms = j.value("stall_ms", 0);
  if (j.contains("stream_error")) {
    if (!j["stream_error"].is_object()) return "stream_error must be {type, message}";
    r->stream_error = j["stream_error"];
  }
  if (r->chunk_bytes < 0 || r->args_fragment_bytes < 0 || r->text_fragment_bytes < 0 ||
      r->delay_ms < 0 || r->hang_ms < 0 || r->stall_ms < 0)
    return "sizes and delays must not be negative";
  return "";
}

}  // namespace

std::string parse_scenario(const Json& j, Scenario* out) {
  try {
    const Json* turns = &j;
    if (j.is_object()) {
      if (!j.contains("turns")) return "scenario object needs \"turns\"";
      turns = &j["turns"];
      if (j.contains("models")) {
        for (const Json& m : j["models"]) out->models.push_back(m.get<std::string>());
      }
      out->models_status = j.value("models_status", 200);
      out->embedding_dims = j.value("embedding_dims", 16);
      if (out->embedding_dims <= 0 || out->embedding_dims > 4096)
        return "embedding_dims must be in 1..4096";
    }
    if (!turns->is_array()) return "turns must be an array";
    int i = 0;
    for (const Json& t : *turns) {
      Turn turn;
      std::string where = "turn " + std::to_string(i++) + ": ";
      if (!t.is_object()) return where + "must be an object";
      for (auto it = t.begin(); it != t.end(); ++it)
        if (it.key() != "expect" && it.key() != "reply" && it.key() != "comment")
          return where + "unknown field \"" + it.key() + "\"";
      if (t.contains("expect")) {
        turn.expect = t["expect"];
        if (!turn.expect.is_object()) return where + "expect must be an object";
        for (auto it = turn.expect.begin(); it != turn.expect.end(); ++it)
          if (!known(it.key(), kExpectKeys, std::size(kExpectKeys)))
            return where + "unknown expect field \"" + it.key() + "\"";
      }
      std::string err = parse_reply(t.value("reply", Json::object()), &turn.reply);
      if (!err.empty()) return where + err;
      out->turns.push_back(std::move(turn));
    }
    if (out->models.empty()) out->models.push_back("fake-model");
    return "";
  } catch (const std::exception& e) {
    return std::string("scenario has a field of the wrong type: ") + e.what();
  }
}

std::optional<Turn> TurnQueue::next(int* index) {
  std::lock_guard<std::mutex> lock(mu_);
  *index = static_cast<int>(next_);
  if (next_ >= turns_.size()) return std::nullopt;
  return turns_[next_++];
}

}  // namespace bastion::fake_server
