#include "llm/anthropic_stream.h"

#include "util/strings.h"

namespace bastion::llm {

void AnthropicStreamAccumulator::read_usage(const Json& u) {
  if (!u.is_object()) return;
  has_usage_ = true;
  if (u.contains("input_tokens")) input_ = json_int(u, "input_tokens");
  if (u.contains("cache_read_input_tokens")) cache_read_ = json_int(u, "cache_read_input_tokens");
  if (u.contains("cache_creation_input_tokens")) cache_write_ = json_int(u, "cache_creation_input_tokens");
  if (u.contains("output_tokens")) output_ = json_int(u, "output_tokens");
}

bool AnthropicStreamAccumulator::apply(std::string_view name, const Json& d, std::string* err,
                                       std::string* err_type) {
  std::string type = json_string(d, "type", std::string(name));
  if (type == "error") {
    const Json& e = d.contains("error") ? d["error"] : d;
    if (err) *err = json_string(e, "message", dump_json(e));
    if (err_type) *err_type = json_string(e, "type");
    return false;
  }
  if (type == "message_start") {
    started_ = true;
    if (auto it = d.find("message"); it != d.end() && it->is_object()) {
      model_ = json_string(*it, "model", model_);
      if (auto u = it->find("usage"); u != it->end()) read_usage(*u);
    }
  } else if (type == "content_block_start") {
    long long index = json_int(d, "index");
    Block b;
    if (auto cb = d.find("content_block"); cb != d.end() && cb->is_object()) {
      b.type = json_string(*cb, "type");
      b.id = json_string(*cb, "id");
      b.name = json_string(*cb, "name");
      b.text = json_string(*cb, b.type == "thinking" ? "thinking" : "text");
      // Some servers put the whole input here instead of streaming it.
      if (auto in = cb->find("input"); in != cb->end() && in->is_object() && !in->empty()) {
        b.text = dump_json(*in);
      }
    }
    if (b.type == "tool_use") {
      if (b.id.empty()) b.id = "toolu_" + str::random_hex(8);
      if (sink_ && sink_->on_tool_call_start) sink_->on_tool_call_start(b.id, b.name);
    } else if (!b.text.empty() && sink_) {
      if (b.type == "thinking" && sink_->on_reasoning) sink_->on_reasoning(b.text);
      if (b.type == "text" && sink_->on_text) sink_->on_text(b.text);
    }
    blocks_[index] = std::move(b);
  } else if (type == "content_block_delta") {
    Block& b = blocks_[json_int(d, "index")];
    auto delta = d.find("delta");
    if (delta == d.end() || !delta->is_object()) return true;
    std::string dt = json_string(*delta, "type");
    if (dt == "text_delta") {
      std::string t = json_string(*delta, "text");
      if (b.type.empty()) b.type = "text";
      b.text += t;
      if (sink_ && sink_->on_text && !t.empty()) sink_->on_text(t);
    } else if (dt == "thinking_delta") {
      std::string t = json_string(*delta, "thinking");
      if (b.type.empty()) b.type = "thinking";
      b.text += t;
      if (sink_ && sink_->on_reasoning && !t.empty()) sink_->on_reasoning(t);
    } else if (dt == "input_json_delta") {
      if (b.type.empty()) b.type = "tool_use";
      b.text += json_string(*delta, "partial_json");
    }
  } else if (type == "message_delta") {
    if (auto delta = d.find("delta"); delta != d.end() && delta->is_object()) {
      std::string sr = json_string(*delta, "stop_reason");
      if (!sr.empty()) stop_reason_ = sr;
    }
    if (auto u = d.find("usage"); u != d.end()) read_usage(*u);
  } else if (type == "message_stop") {
    stopped_ = true;
  }
  return true;  // ping, content_block_stop and unknown events need nothing
}

void AnthropicStreamAccumulator::apply_whole_message(const Json& m) {
  started_ = stopped_ = true;
  model_ = json_string(m, "model");
  stop_reason_ = json_string(m, "stop_reason");
  if (auto u = m.find("usage"); u != m.end()) read_usage(*u);
  auto content = m.find("content");
  if (content == m.end() || !content->is_array()) return;
  long long i = 0;
  for (const Json& c : *content) {
    Block b;
    b.type = json_string(c, "type");
    b.id = json_string(c, "id");
    b.name = json_string(c, "name");
    if (b.type == "tool_use") b.text = c.contains("input") ? dump_json(c["input"]) : "{}";
    else b.text = json_string(c, b.type == "thinking" ? "thinking" : "text");
    blocks_[i++] = std::move(b);
  }
}

ChatResponse AnthropicStreamAccumulator::finish() {
  ChatResponse r;
  r.message.role = Role::kAssistant;
  for (auto& [index, b] : blocks_) {
    if (b.type == "text") {
      r.message.content += b.text;
    } else if (b.type == "thinking") {
      r.message.reasoning += b.text;
    } else if (b.type == "tool_use") {
      std::string_view args = str::trim(b.text);
      r.message.tool_calls.push_back({b.id.empty() ? "toolu_" + str::random_hex(8) : b.id, b.name,
                                      args.empty() ? "{}" : std::string(args)});
    }
  }
  if (stop_reason_ == "tool_use") r.finish_reason = "tool_calls";
  else if (stop_reason_ == "max_tokens") r.finish_reason = "length";
  else if (stop_reason_.empty()) r.finish_reason = r.message.tool_calls.empty() ? "stop" : "tool_calls";
  else r.finish_reason = stop_reason_ == "end_turn" || stop_reason_ == "stop_sequence" ? "stop" : stop_reason_;
  r.model = model_;
  r.usage.input_tokens = input_ + cache_read_ + cache_write_;
  r.usage.cached_input_tokens = cache_read_;
  r.usage.output_tokens = output_;
  r.usage.estimated = false;
  return r;
}

}  // namespace bastion::llm
