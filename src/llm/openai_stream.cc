#include "llm/openai_stream.h"

#include <algorithm>

#include "util/strings.h"

namespace bastion::llm {
namespace {

std::string text_of(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  // Some servers send content as an array of parts [{type:text,text:...}].
  if (v.is_array()) {
    std::string out;
    for (auto& p : v) {
      if (p.is_object()) out += json_string(p, "text");
    }
    return out;
  }
  return "";
}

std::string field_text(const Json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it == obj.end() ? "" : text_of(*it);
}

}  // namespace

OpenAiStreamAccumulator::PartialCall& OpenAiStreamAccumulator::slot_for(const Json& dc) {
  long long index = json_int(dc, "index", -1);
  std::string id = json_string(dc, "id");
  if (index >= 0) {
    for (auto& c : calls_) {
      if (c.index == index) return c;
    }
  } else {
    // No index (some servers): a new id starts a new call, else continue the last.
    if (!calls_.empty() && (id.empty() || id == calls_.back().id)) return calls_.back();
    index = static_cast<long long>(calls_.size());
  }
  PartialCall fresh;
  fresh.index = index;
  calls_.push_back(std::move(fresh));
  return calls_.back();
}

void OpenAiStreamAccumulator::apply_usage(const Json& u) {
  if (!u.is_object()) return;
  has_usage_ = true;
  usage_.input_tokens = json_int(u, "prompt_tokens", json_int(u, "input_tokens"));
  usage_.output_tokens = json_int(u, "completion_tokens", json_int(u, "output_tokens"));
  usage_.cached_input_tokens = 0;
  usage_.reasoning_tokens = 0;
  if (auto it = u.find("prompt_tokens_details"); it != u.end() && it->is_object()) {
    usage_.cached_input_tokens = json_int(*it, "cached_tokens");
  }
  if (usage_.cached_input_tokens == 0) {
    // DeepSeek reports prompt_cache_hit_tokens; some proxies cached_tokens at top level.
    usage_.cached_input_tokens = json_int(u, "prompt_cache_hit_tokens", json_int(u, "cached_tokens"));
  }
  if (auto it = u.find("completion_tokens_details"); it != u.end() && it->is_object()) {
    usage_.reasoning_tokens = json_int(*it, "reasoning_tokens");
  }
  usage_.estimated = false;
}

bool OpenAiStreamAccumulator::apply(const Json& chunk, std::string* error_message) {
  if (!chunk.is_object()) return true;
  if (auto it = chunk.find("error"); it != chunk.end() && !it->is_null()) {
    if (error_message) {
      *error_message = it->is_object() ? json_string(*it, "message", dump_json(*it))
                                       : (it->is_string() ? it->get<std::string>() : dump_json(*it));
    }
    return false;
  }
  if (std::string m = json_string(chunk, "model"); !m.empty()) model_ = m;
  if (auto it = chunk.find("usage"); it != chunk.end() && it->is_object()) apply_usage(*it);
  auto choices = chunk.find("choices");
  if (choices == chunk.end() || !choices->is_array()) return true;
  for (const Json& choice : *choices) {
    if (!choice.is_object() || json_int(choice, "index", 0) != 0) continue;
    saw_choice_ = true;
    if (std::string fr = json_string(choice, "finish_reason"); !fr.empty()) finish_reason_ = fr;
    const Json* delta = nullptr;
    if (auto d = choice.find("delta"); d != choice.end() && d->is_object()) delta = &*d;
    else if (auto m = choice.find("message"); m != choice.end() && m->is_object()) delta = &*m;
    if (!delta) continue;
    std::string reasoning = field_text(*delta, "reasoning_content");
    if (reasoning.empty()) reasoning = field_text(*delta, "reasoning");
    if (!reasoning.empty()) {
      reasoning_ += reasoning;
      if (sink_ && sink_->on_reasoning) sink_->on_reasoning(reasoning);
    }
    std::string content = field_text(*delta, "content");
    if (!content.empty()) {
      text_ += content;
      if (sink_ && sink_->on_text) sink_->on_text(content);
    }
    auto tcs = delta->find("tool_calls");
    if (tcs == delta->end() || !tcs->is_array()) continue;
    for (const Json& dc : *tcs) {
      if (!dc.is_object()) continue;
      PartialCall& call = slot_for(dc);
      if (std::string id = json_string(dc, "id"); !id.empty() && call.id.empty()) call.id = id;
      auto fn = dc.find("function");
      if (fn == dc.end() || !fn->is_object()) continue;
      std::string name = json_string(*fn, "name");
      if (!name.empty() && name != call.name) call.name += name;
      if (auto a = fn->find("arguments"); a != fn->end()) {
        if (a->is_string()) call.arguments += a->get<std::string>();
        else if (a->is_object()) call.arguments = dump_json(*a);  // whole object at once
      }
      if (!call.announced && !call.name.empty()) {
        call.announced = true;
        if (call.id.empty()) call.id = "call_" + str::random_hex(8);
        if (sink_ && sink_->on_tool_call_start) sink_->on_tool_call_start(call.id, call.name);
      }
    }
  }
  return true;
}

ChatResponse OpenAiStreamAccumulator::finish() {
  ChatResponse r;
  r.message.role = Role::kAssistant;
  r.message.content = text_;
  r.message.reasoning = reasoning_;
  std::vector<PartialCall> calls = calls_;
  std::stable_sort(calls.begin(), calls.end(),
                   [](const PartialCall& a, const PartialCall& b) { return a.index < b.index; });
  for (auto& c : calls) {
    if (c.name.empty() && c.arguments.empty()) continue;
    ToolCall tc;
    tc.id = c.id.empty() ? "call_" + str::random_hex(8) : c.id;
    tc.name = c.name;
    std::string_view args = str::trim(c.arguments);
    tc.arguments = args.empty() ? "{}" : std::string(args);
    r.message.tool_calls.push_back(std::move(tc));
  }
  r.finish_reason = finish_reason_;
  if (r.finish_reason.empty()) r.finish_reason = r.message.tool_calls.empty() ? "stop" : "tool_calls";
  r.model = model_;
  r.usage = usage_;
  return r;
}

}  // namespace bastion::llm
