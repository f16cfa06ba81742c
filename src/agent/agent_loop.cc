#include "agent/agent_loop.h"

#include <algorithm>
#include <future>

#include "llm/model_errors.h"
#include "llm/tool_args.h"
#include "policy/redactor.h"
#include "store/audit_log.h"
#include "util/strings.h"

namespace bastion::agent {
namespace {

const char* rule_name_for(tools::ToolKind kind) {
  switch (kind) {
    case tools::ToolKind::kRead: return "Read";
    case tools::ToolKind::kEdit: return "Edit";
    case tools::ToolKind::kExecute: return "Bash";
    case tools::ToolKind::kSession: return "";
    case tools::ToolKind::kOther: return "";
  }
  return "";
}

llm::Message tool_message(const llm::ToolCall& call, std::string content, bool is_error) {
  llm::Message m;
  m.role = llm::Role::kTool;
  m.tool_call_id = call.id;
  m.tool_name = call.name;
  m.content = std::move(content);
  m.is_error = is_error;
  return m;
}

}  // namespace

const char* stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::kFinalAnswer: return "success";
    case StopReason::kMaxTurns: return "error_max_turns";
    case StopReason::kBudget: return "error_budget";
    case StopReason::kRunaway: return "error_runaway";
    case StopReason::kInterrupted: return "interrupted";
    case StopReason::kError: return "error_during_execution";
  }
  return "error";
}

Agent::Agent(llm::ModelClient& client, tools::ToolRegistry& registry,
             policy::PermissionEngine& permissions, tools::ToolContext& context, AgentConfig config)
    : client_(client), registry_(registry), permissions_(permissions), context_(context),
      config_(std::move(config)) {}

void Agent::emit(AgentEvent event) {
  if (sink_) sink_->on_event(event);
}

Result<llm::ChatResponse> Agent::request_model() {
  llm::ChatRequest req;
  req.model = config_.model;
  req.system = config_.system_prompt;
  req.messages = history_;
  req.tools = registry_.specs();
  req.max_output_tokens = config_.max_output_tokens;
  // The status note rides on the newest message so the cacheable prefix of
  // the conversation never changes.
  if (hooks_.status_note && !req.messages.empty()) {
    std::string note = hooks_.status_note();
    if (!note.empty()) req.messages.back().content += "\n\n<status>" + note + "</status>";
  }
  llm::StreamSink sink;
  sink.on_text = [this](const std::string& t) { emit({AgentEvent::Kind::kTextDelta, t}); };
  sink.on_reasoning = [this](const std::string& t) { emit({AgentEvent::Kind::kReasoningDelta, t}); };
  if (hooks_.interrupted) sink.keep_going = [this] { return !hooks_.interrupted(); };
  return client_.chat(req, sink);
}

RunOutcome Agent::run(const std::string& user_prompt) {
  RunOutcome outcome;
  llm::Message user;
  user.role = llm::Role::kUser;
  user.content = context_.redactor ? context_.redactor->redact(user_prompt) : user_prompt;
  bool first_prompt = std::none_of(history_.begin(), history_.end(),
                                   [](const llm::Message& m) { return m.role == llm::Role::kUser; });
  if (first_prompt && hooks_.first_prompt_context) {
    std::string extra = hooks_.first_prompt_context(user_prompt);
    if (!extra.empty()) {
      if (context_.redactor) extra = context_.redactor->redact(extra);
      user.content += "\n\n" + extra;
    }
  }
  history_.push_back(user);
  if (hooks_.audit) hooks_.audit("prompt", {{"text", user.content}});
  if (hooks_.on_user_prompt) hooks_.on_user_prompt(user.content);
  if (hooks_.persist) {
    Status st = hooks_.persist({user});
    if (!st.ok()) {
      outcome.reason = StopReason::kError;
      outcome.error = st.error().message;
      return outcome;
    }
  }
  bool context_retry_used = false;
  for (;;) {
    if (config_.max_turns > 0 && outcome.model_requests >= config_.max_turns) {
      outcome.reason = StopReason::kMaxTurns;
      outcome.error = "stopped after " + std::to_string(config_.max_turns) +
                      " model requests (--max-turns); continue with `bastion -c`";
      return outcome;
    }
    if (hooks_.interrupted && hooks_.interrupted()) {
      outcome.reason = StopReason::kInterrupted;
      outcome.error = "interrupted by the user";
      return outcome;
    }
    if (hooks_.manage_context) hooks_.manage_context(history_, false);
    auto response = request_model();
    ++outcome.model_requests;
    if (!response.ok()) {
      const Error& err = response.error();
      bool too_long = llm::is_context_overflow(err);
      if (too_long && hooks_.manage_context && !context_retry_used) {
        context_retry_used = true;
        emit({AgentEvent::Kind::kNotice, "context too long for the model; compacting and retrying"});
        hooks_.manage_context(history_, true);
        continue;
      }
      if (hooks_.interrupted && hooks_.interrupted()) {
        outcome.reason = StopReason::kInterrupted;
        outcome.error = "interrupted by the user";
        return outcome;
      }
      outcome.reason = StopReason::kError;
      outcome.error = err.message;
      return outcome;
    }
    llm::ChatResponse& resp = *response;
    total_usage_ += resp.usage;
    if (resp.finish_reason == "aborted") {
      // The user interrupted mid-stream: meter it, keep what was said, run nothing.
      if (hooks_.on_model_response) (void)hooks_.on_model_response(resp);
      resp.message.tool_calls.clear();
      if (!resp.message.content.empty()) {
        history_.push_back(resp.message);
        if (hooks_.persist) (void)hooks_.persist({resp.message});
      }
      outcome.reason = StopReason::kInterrupted;
      outcome.error = "interrupted by the user";
      outcome.final_text = resp.message.content;
      return outcome;
    }
    emit({AgentEvent::Kind::kUsage, "", nullptr, nullptr, nullptr, resp.usage});
    if (hooks_.audit) {
      hooks_.audit("model_reply", {{"message", resp.message.to_json()}, {"usage", resp.usage.to_json()}});
    }
    AgentEvent done{AgentEvent::Kind::kAssistantMessage};
    done.message = &resp.message;
    emit(done);
    std::optional<std::string> budget_stop;
    if (hooks_.on_model_response) budget_stop = hooks_.on_model_response(resp);

    std::vector<llm::Message> step = {resp.message};
    std::string runaway;
    if (!resp.message.tool_calls.empty() && !budget_stop) {
      auto results = run_tool_calls(resp.message.tool_calls, &runaway);
      step.insert(step.end(), results.begin(), results.end());
    } else if (!resp.message.tool_calls.empty()) {
      // Keep the history well-formed: every tool call gets a result.
      for (auto& call : resp.message.tool_calls) {
        step.push_back(tool_message(call, "not run: " + *budget_stop, true));
      }
    }
    history_.insert(history_.end(), step.begin(), step.end());
    if (hooks_.persist) {
      Status st = hooks_.persist(step);
      if (!st.ok()) {
        outcome.reason = StopReason::kError;
        outcome.error = "could not save the session: " + st.error().message;
        return outcome;
      }
    }
    if (budget_stop) {
      outcome.reason = StopReason::kBudget;
      outcome.error = *budget_stop;
      outcome.final_text = resp.message.content;
      return outcome;
    }
    if (!runaway.empty()) {
      outcome.reason = StopReason::kRunaway;
      outcome.error = runaway;
      return outcome;
    }
    if (resp.message.tool_calls.empty()) {
      outcome.final_text = resp.message.content;
      if (resp.finish_reason == "length" && outcome.final_text.empty()) {
        outcome.reason = StopReason::kError;
        outcome.error = "the model hit its output limit before answering";
      }
      return outcome;
    }
  }
}

std::vector<llm::Message> Agent::run_tool_calls(const std::vector<llm::ToolCall>& calls,
                                                std::string* stop_reason) {
  std::vector<llm::Message> results(calls.size());
  // Read-only calls are independent: run them in parallel. Anything that
  // changes state runs alone, in order.
  bool all_read_only = calls.size() > 1;
  for (auto& call : calls) {
    tools::Tool* tool = registry_.find(call.name);
    if (!tool || tool->kind() != tools::ToolKind::kRead) all_read_only = false;
  }
  if (all_read_only) {
    std::vector<std::future<llm::Message>> futures;
    for (auto& call : calls) {
      futures.push_back(std::async(std::launch::async, [this, &call] { return run_one_tool(call); }));
    }
    for (size_t i = 0; i < calls.size(); ++i) results[i] = futures[i].get();
  } else {
    for (size_t i = 0; i < calls.size(); ++i) {
      if (hooks_.interrupted && hooks_.interrupted()) {
        results[i] = tool_message(calls[i], "not run: the user interrupted", true);
        continue;
      }
      results[i] = run_one_tool(calls[i]);
    }
  }
  // Runaway checks happen in order, after all results are in.
  for (size_t i = 0; i < calls.size(); ++i) {
    if (!hooks_.on_tool_result) break;
    tools::ToolResult r{results[i].content, results[i].is_error};
    auto [warn, stop] = hooks_.on_tool_result(calls[i], r);
    if (!warn.empty()) results[i].content += "\n\n[bastion] " + warn;
    if (!stop.empty() && stop_reason->empty()) *stop_reason = stop;
  }
  return results;
}

llm::Message Agent::run_one_tool(const llm::ToolCall& call) {
  tools::Tool* tool = registry_.find(call.name);
  if (!tool) {
    std::vector<std::string> names;
    for (auto& s : registry_.specs()) names.push_back(s.name);
    return tool_message(call, "unknown tool '" + call.name + "'; available: " + str::join(names, ", "), true);
  }
  auto parsed = llm::parse_tool_arguments(call.arguments);
  if (!parsed.ok() || !parsed->is_object()) {
    return tool_message(call,
                        "invalid arguments: expected a JSON object matching the tool's schema, got: " +
                            str::truncate_utf8(call.arguments, 200),
                        true);
  }
  Json args = std::move(*parsed);
  tools::CallSubject subject = tool->subject(args, context_);
  policy::PermissionQuery query;
  std::string rule = rule_name_for(tool->kind());
  query.rule_name = rule.empty() ? tool->name() : rule;
  query.is_read_only = tool->kind() == tools::ToolKind::kRead;
  query.is_edit = tool->kind() == tools::ToolKind::kEdit;
  query.is_execute = tool->kind() == tools::ToolKind::kExecute;
  query.command = subject.command;
  query.paths = subject.paths;
  query.workspace = context_.workspace;
  query.extra_roots = context_.extra_roots;
  // Session-state tools (the todo list) touch nothing outside the session.
  policy::Verdict verdict = tool->kind() == tools::ToolKind::kSession
                                ? policy::Verdict{policy::Decision::kAllow, "session-local tool"}
                                : permissions_.check(query);
  Json audit_call = {{"tool", call.name}, {"arguments", args}, {"decision", policy::decision_name(verdict.decision)},
                     {"reason", verdict.reason}};
  if (verdict.decision == policy::Decision::kAsk) {
    if (!approver_) {
      if (hooks_.audit) hooks_.audit("approval", {{"tool", call.name}, {"approved", false}, {"reason", "headless"}});
      return tool_message(call,
                          "permission needed and nobody can approve in headless mode: " + verdict.reason +
                              ". Do not retry this call; continue without it or tell the user what to allow "
                              "(e.g. --permission-mode acceptEdits or --allowed-tools).",
                          true);
    }
    Approval answer = approver_(*tool, subject, args);
    if (hooks_.audit) {
      hooks_.audit("approval", {{"tool", call.name}, {"approved", answer.approved}, {"always", answer.always},
                                {"note", answer.note}});
    }
    if (!answer.approved) {
      std::string text = "the user declined this " + call.name + " call";
      if (!answer.note.empty()) text += ": " + answer.note;
      return tool_message(call, text, true);
    }
    if (answer.always) {
      permissions_.allow_for_session(subject.command.empty() ? query.rule_name
                                                             : query.rule_name + "(" + subject.command + ")");
    }
  } else if (verdict.decision == policy::Decision::kDeny) {
    if (hooks_.audit) hooks_.audit("tool_call", audit_call);
    return tool_message(call, "permission denied: " + verdict.reason, true);
  }
  AgentEvent start{AgentEvent::Kind::kToolCallStart};
  start.call = &call;
  emit(start);
  tools::ToolResult result = tool->run(args, context_);
  if (context_.redactor) result.output = context_.redactor->redact(result.output, subject.paths.empty() ? "" : subject.paths[0]);
  if (result.output.empty()) result.output = "(no output)";
  AgentEvent done{AgentEvent::Kind::kToolResult};
  done.call = &call;
  done.result = &result;
  emit(done);
  if (hooks_.audit) {
    audit_call["is_error"] = result.is_error;
    audit_call["result_digest"] = store::audit_digest(result.output);
    audit_call["result_bytes"] = result.output.size();
    hooks_.audit("tool_call", audit_call);
    if (result.meta.contains("diff")) {
      // The audit log is as sensitive as the model's view: a diff of a file
      // holding a secret is stored with the secret's placeholder.
      std::string path = subject.paths.empty() ? "" : subject.paths[0];
      std::string diff = result.meta["diff"].is_string() ? result.meta["diff"].get<std::string>() : result.meta["diff"].dump();
      if (context_.redactor) diff = context_.redactor->redact(diff, path);
      hooks_.audit("file_diff", {{"path", path}, {"diff", diff}});
    }
  }
  return tool_message(call, std::move(result.output), result.is_error);
}

}  // namespace bastion::agent
