#include "cli/session_hooks.h"

#include <chrono>

#include "agent/context_manager.h"
#include "cli/runtime.h"
#include "llm/tokenizer.h"
#include "tools/first_turn_map.h"
#include "util/fs.h"

namespace bastion::cli {
namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

agent::BudgetLimits limits_from(const Runtime& rt) {
  agent::BudgetLimits l;
  l.run_max_tokens = rt.options.max_budget_tokens;
  l.run_max_usd = rt.options.max_budget_usd;
  const Json& b = rt.config.raw.contains("budget") ? rt.config.raw["budget"] : Json::object();
  l.daily_max_tokens = json_int(b, "daily_tokens");
  l.daily_max_usd = json_number(b, "daily_usd");
  l.project_daily_max_tokens = json_int(b, "project_daily_tokens");
  l.project_daily_max_usd = json_number(b, "project_daily_usd");
  return l;
}

void record_usage(Runtime& rt, const llm::ChatResponse& resp, const char* feature) {
  SessionServices& s = *rt.services;
  double cost = llm::cost_usd(s.model_info, resp.usage);
  s.session_cost_usd += cost;
  if (s.budget) s.budget->record(resp.usage, cost);
  if (!s.ledger) return;
  store::LedgerEntry e;
  e.time_ms = now_ms();
  e.session = rt.session.id;
  e.project = rt.project_root;
  e.provider = rt.provider.config.name.empty() ? rt.provider.config.protocol : rt.provider.config.name;
  e.model = resp.model.empty() ? rt.provider.config.model : resp.model;
  e.input_tokens = resp.usage.input_tokens;
  e.cached_input_tokens = resp.usage.cached_input_tokens;
  e.output_tokens = resp.usage.output_tokens;
  e.reasoning_tokens = resp.usage.reasoning_tokens;
  e.estimated = resp.usage.estimated;
  e.latency_ms = resp.latency_ms;
  e.cost_usd = cost;
  e.feature = feature;
  Status st = s.ledger->record(e);
  if (!st.ok()) rt.notices.push_back("usage ledger: " + st.error().message);
}

std::string arg_path(const std::string& args_json) {
  Json a = Json::parse(args_json, nullptr, false);
  return a.is_object() ? json_string(a, "path") : "";
}

void open_session_audit(Runtime& rt, SessionServices& s) {
  auto audit = store::AuditLog::open(store::AuditPaths::defaults(), rt.session.id);
  if (audit.ok()) {
    s.audit = std::make_unique<store::AuditLog>(std::move(*audit));
  } else {
    rt.notices.push_back("audit trail unavailable: " + audit.error().message);
  }
}

}  // namespace

int64_t context_tokens(Runtime& rt) {
  llm::ChatRequest req;
  req.system = rt.agent->config().system_prompt;
  req.messages = rt.agent->history();
  req.tools = rt.registry.specs();
  return agent::request_tokens(req);
}

Status compact_now(Runtime& rt) {
  SessionServices& s = *rt.services;
  std::vector<llm::Message>& history = rt.agent->mutable_history();
  if (history.empty()) return ok_status();
  llm::ChatRequest base;
  base.model = rt.agent->config().model;
  base.system = rt.agent->config().system_prompt;
  base.messages = history;
  base.tools = rt.registry.specs();
  agent::PreservedState state = agent::collect_preserved_state(history, s.agents_md, rt.context.todos,
                                                               rt.workspace, s.files_changed);
  Result<std::string> summary = make_error(ErrorKind::kModel, "no summary");
  for (bool keep_tools : {true, false}) {
    agent::CompactionOptions opts;
    opts.keep_tools = keep_tools;
    opts.max_input_tokens = s.model_info.context_window * 9 / 10;
    auto resp = rt.client->chat(agent::build_compaction_request(base, opts), {});
    if (!resp.ok()) return resp.error();
    record_usage(rt, *resp, "compaction");
    summary = agent::compaction_summary(*resp);
    if (summary.ok()) break;
  }
  if (!summary.ok()) return summary.error();
  s.files_changed = state.files_changed;
  history = agent::apply_compaction(*summary, state);
  return rt.sessions->replace(rt.session.id, history);
}

Status install_session_hooks(Runtime& rt) {
  rt.services = std::make_unique<SessionServices>();
  SessionServices& s = *rt.services;
  s.model_info = llm::model_catalog().lookup(rt.provider.config.model);
  s.agents_md = rt.agents_md;
  double threshold = rt.options.compact_threshold > 0 ? rt.options.compact_threshold
                     : rt.config.compact_threshold > 0 ? rt.config.compact_threshold : 0.8;
  s.compact_threshold = threshold;
  auto ledger = store::UsageLedger::open(store::UsageLedger::default_path());
  if (ledger.ok()) {
    s.ledger = std::make_unique<store::UsageLedger>(std::move(*ledger));
  } else {
    rt.notices.push_back("usage ledger unavailable: " + ledger.error().message);
  }
  agent::BudgetLimits limits = limits_from(rt);
  if (limits.any()) {
    s.budget = std::make_unique<agent::Budget>(limits, rt.project_root);
    if (s.ledger) {
      Status st = s.budget->refresh_from_ledger(*s.ledger, now_ms());
      if (!st.ok()) return st;
    }
    if (auto stop = s.budget->exceeded()) return make_error(ErrorKind::kBudget, stop->message);
  }
  if (rt.config.raw.contains("loop_guard")) {
    agent::LoopGuardOptions g;
    g.max_repeats_after_warning =
        static_cast<int>(json_int(rt.config.raw["loop_guard"], "max_repeats_after_warning", 3));
    s.guard = agent::LoopGuard(g);
  }

  open_session_audit(rt, s);

  Runtime* r = &rt;
  agent::AgentHooks hooks;
  hooks.audit = [r](const std::string& type, const Json& data) {
    if (!r->services->audit) return;
    Status st = r->services->audit->append(type, data);
    if (!st.ok()) r->notices.push_back("audit append failed: " + st.error().message);
  };
  hooks.on_user_prompt = [r](const std::string&) { r->services->guard.reset(); };
  hooks.first_prompt_context = [r](const std::string& prompt) -> std::string {
    if (!r->code_index) return "";
    tools::FirstTurnMapOptions opt;
    opt.max_tokens = static_cast<size_t>(std::max<int64_t>(0, json_int(r->config.raw, "first_turn_map_tokens", 512)));
    auto map = tools::first_turn_map(*r->code_index, prompt, opt);
    if (!map.ok()) {
      r->notices.push_back("repo map skipped: " + map.error().message);
      return "";
    }
    if (map->empty()) return "";
    return "[Repository map from the local index: definitions related to this request]\n" + *map;
  };
  hooks.persist = [r](const std::vector<llm::Message>& msgs) {
    Status st = r->sessions->append(r->session.id, msgs);
    if (!st.ok()) return st;
    Json todos = Json::array();
    for (auto& t : r->context.todos) todos.push_back({{"content", t.content}, {"status", t.status}});
    return r->sessions->put_state(r->session.id, "todos", dump_json(todos));
  };
  hooks.on_model_response = [r](const llm::ChatResponse& resp) -> std::optional<std::string> {
    r->services->last_input_tokens = resp.usage.input_tokens;
    record_usage(*r, resp, "agent");
    if (r->services->budget) {
      if (auto stop = r->services->budget->exceeded()) return stop->message;
    }
    return std::nullopt;
  };
  hooks.on_tool_result = [r](const llm::ToolCall& call, const tools::ToolResult& result) {
    SessionServices& s = *r->services;
    if ((call.name == "edit" || call.name == "write") && !result.is_error) {
      std::string path = arg_path(call.arguments);
      if (!path.empty()) {
        std::string abs = fs::resolve_real(path, r->workspace);
        if (auto content = fs::read_file(abs); content.ok()) s.guard.observe_file_content(abs, *content);
      }
    }
    agent::GuardVerdict v = s.guard.observe(call.name, call.arguments, result.output, result.is_error);
    if (v.stop()) return std::make_pair(std::string(), v.message);
    if (v.warn()) return std::make_pair(v.message, std::string());
    return std::make_pair(std::string(), std::string());
  };
  hooks.manage_context = [r](std::vector<llm::Message>& history, bool force) {
    SessionServices& s = *r->services;
    agent::prune_tool_outputs(history);
    int64_t used = std::max(context_tokens(*r), s.last_input_tokens);
    if (force || agent::should_compact(used, s.model_info.context_window, s.compact_threshold)) {
      Status st = compact_now(*r);
      if (!st.ok()) r->notices.push_back("compaction failed: " + st.error().message);
    }
  };
  hooks.status_note = [r]() -> std::string {
    SessionServices& s = *r->services;
    int64_t used = std::max(s.last_input_tokens, int64_t{0});
    if (!s.budget) return agent::Budget(agent::BudgetLimits{}).status_line(used, s.model_info.context_window);
    return s.budget->status_line(used, s.model_info.context_window);
  };
  hooks.interrupted = [r] { return r->interrupt_check && r->interrupt_check(); };
  rt.agent->set_hooks(std::move(hooks));
  return ok_status();
}

void switch_session_audit(Runtime& rt, const std::string& why) {
  if (!rt.services) return;
  if (rt.services->audit && rt.services->audit->session_id() == rt.session.id) return;
  finish_session_audit(rt, why);
  rt.services->audit.reset();
  open_session_audit(rt, *rt.services);
}

void finish_session_audit(Runtime& rt, const std::string& stop_reason) {
  if (!rt.services || !rt.services->audit) return;
  Json by_kind = Json::object();
  for (auto& [kind, n] : rt.redactor.counts_by_kind()) by_kind[kind] = n;
  (void)rt.services->audit->append(store::kAuditRedaction,
                                   {{"total", rt.redactor.redaction_count()}, {"by_kind", by_kind}});
  (void)rt.services->audit->append(store::kAuditSessionEnd,
                                   {{"reason", stop_reason}, {"usage", rt.agent->total_usage().to_json()},
                                    {"cost_usd", rt.services->session_cost_usd}});
}

}  // namespace bastion::cli
