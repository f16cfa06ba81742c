#include "cli/headless_output.h"

namespace bastion::cli {

Json result_object(const RunSummary& s) {
  bool is_error = s.outcome.reason != agent::StopReason::kFinalAnswer;
  Json usage = s.usage.to_json();
  Json j = {{"type", "result"},
            {"subtype", agent::stop_reason_name(s.outcome.reason)},
            {"is_error", is_error},
            {"result", is_error && s.outcome.final_text.empty() ? s.outcome.error : s.outcome.final_text},
            {"session_id", s.session_id},
            {"num_turns", s.outcome.model_requests},
            {"duration_ms", s.duration_ms},
            {"model", s.model},
            {"usage", usage},
            {"total_cost_usd", s.cost_usd},
            {"redactions", s.redactions}};
  if (is_error) j["error"] = s.outcome.error;
  if (s.context_window > 0) {
    j["context"] = {{"used_tokens", s.context_tokens}, {"window_tokens", s.context_window}};
  }
  return j;
}

void HeadlessOutput::line(const Json& j) {
  std::string text = dump_json(j);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

void HeadlessOutput::start(const std::string& session_id, const std::string& model, const std::string& cwd,
                           const std::vector<std::string>& tools, const std::string& permission_mode) {
  session_id_ = session_id;
  if (format_ != "stream-json") return;
  line({{"type", "system"},
        {"subtype", "init"},
        {"session_id", session_id},
        {"model", model},
        {"cwd", cwd},
        {"tools", tools},
        {"permissionMode", permission_mode}});
}

void HeadlessOutput::on_event(const agent::AgentEvent& e) {
  if (format_ != "stream-json") return;
  using K = agent::AgentEvent::Kind;
  if (e.kind == K::kAssistantMessage && e.message) {
    Json content = Json::array();
    if (!e.message->reasoning.empty()) content.push_back({{"type", "thinking"}, {"thinking", e.message->reasoning}});
    if (!e.message->content.empty()) content.push_back({{"type", "text"}, {"text", e.message->content}});
    for (auto& c : e.message->tool_calls) {
      Json input = Json::parse(c.arguments, nullptr, false);
      if (input.is_discarded()) input = c.arguments;
      content.push_back({{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", input}});
    }
    line({{"type", "assistant"},
          {"session_id", session_id_},
          {"message", {{"role", "assistant"}, {"content", content}}}});
  } else if (e.kind == K::kToolResult && e.call && e.result) {
    line({{"type", "user"},
          {"session_id", session_id_},
          {"message",
           {{"role", "user"},
            {"content", Json::array({{{"type", "tool_result"},
                                      {"tool_use_id", e.call->id},
                                      {"content", e.result->output},
                                      {"is_error", e.result->is_error}}})}}}});
  } else if (e.kind == K::kUsage) {
    line({{"type", "usage"}, {"session_id", session_id_}, {"usage", e.usage.to_json()}});
  } else if (e.kind == K::kNotice) {
    line({{"type", "system"}, {"subtype", "notice"}, {"session_id", session_id_}, {"message", e.text}});
  }
}

void HeadlessOutput::finish(const RunSummary& s) {
  if (format_ == "json" || format_ == "stream-json") {
    line(result_object(s));
    return;
  }
  bool is_error = s.outcome.reason != agent::StopReason::kFinalAnswer;
  if (!s.outcome.final_text.empty()) {
    std::fputs(s.outcome.final_text.c_str(), out_);
    if (s.outcome.final_text.back() != '\n') std::fputc('\n', out_);
  }
  if (is_error) std::fprintf(stderr, "bastion: %s\n", s.outcome.error.c_str());
  std::fflush(out_);
}

}  // namespace bastion::cli
