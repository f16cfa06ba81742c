// Session services behind the agent's hooks: the session store (persist),
// the usage ledger and budgets (on_model_response), the runaway guard
// (on_tool_result), context pruning and compaction (manage_context), the
// status note the model sees, and the audit trail. install_session_hooks()
// wires them into a Runtime's Agent; compact_now() serves /compact.
#pragma once

#include <memory>

#include "agent/budget.h"
#include "agent/compaction.h"
#include "agent/loop_guard.h"
#include "llm/model_catalog.h"
#include "store/audit_log.h"
#include "store/usage_ledger.h"

namespace bastion::cli {

struct Runtime;

struct SessionServices {
  llm::ModelInfo model_info;
  std::unique_ptr<store::UsageLedger> ledger;  // null when it could not open (warned)
  std::unique_ptr<agent::Budget> budget;
  agent::LoopGuard guard;
  double compact_threshold = 0.8;
  double session_cost_usd = 0;
  int64_t last_input_tokens = 0;  // the last request's prompt size, as the server counted
  std::vector<agent::FileChange> files_changed;
  std::string agents_md;
  std::unique_ptr<store::AuditLog> audit;  // null when it could not open (warned)
};

// Final audit records (redaction counts, session end); call once per run.
void finish_session_audit(Runtime& rt, const std::string& stop_reason);

// /resume and /clear moved the conversation to rt.session: the audit trail
// follows it. The old session's log ends with a session_end record saying
// why; the new session's log is opened (or continued, for /resume).
void switch_session_audit(Runtime& rt, const std::string& why);

// Installs every hook on rt.agent. Budgets that are already exhausted (daily
// caps) are reported as a kBudget error.
Status install_session_hooks(Runtime& rt);

// Summarises the history now (for /compact or a "context too long" answer).
Status compact_now(Runtime& rt);

// Tokens the next request will carry (system + tools + history), counted
// with the model family's tokenizer where available.
int64_t context_tokens(Runtime& rt);

}  // namespace bastion::cli
