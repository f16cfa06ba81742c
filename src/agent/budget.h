// Budgets: stop a run before it spends more than the user allowed.
//
// Four kinds of limit, each optional (0 = none): per run (--max-budget-tokens,
// --max-budget-usd), per UTC day across all projects, and per UTC day for the
// current project (config: [budget] daily_tokens, daily_usd,
// project_daily_tokens, project_daily_usd). Day limits are measured against the
// usage ledger, so runs in other bastion processes count too. Tokens mean
// input + output tokens as the server reported them (cached input included).
//
// Call check order in the loop: refresh_from_ledger() at run start, then
// exceeded() before the first request; after each response record() (and
// optionally refresh_from_ledger()), then exceeded(). status_line() is the
// short note the model sees each turn.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "llm/message.h"
#include "store/usage_ledger.h"
#include "util/result.h"

namespace bastion::agent {

struct BudgetLimits {
  int64_t run_max_tokens = 0;  // --max-budget-tokens
  double run_max_usd = 0;      // --max-budget-usd
  int64_t daily_max_tokens = 0;
  double daily_max_usd = 0;
  int64_t project_daily_max_tokens = 0;
  double project_daily_max_usd = 0;

  bool any() const;
};

// Which limit stopped the run, and a message naming it for the user.
struct BudgetStop {
  std::string limit;    // "--max-budget-tokens", "budget.daily_usd in config", ...
  std::string message;  // "token budget reached: 51,200 of 50,000 tokens used this run (--max-budget-tokens)"
};

class Budget {
 public:
  explicit Budget(BudgetLimits limits, std::string project = "");

  // Reads today's totals (UTC) from the ledger: all projects, and this
  // project. Rows this run already recorded are included, so nothing counts
  // twice. Only needed when a daily limit is set.
  Status refresh_from_ledger(store::UsageLedger& ledger, int64_t now_ms);

  // Adds one model request's usage and cost to the run (and day) counters.
  void record(const llm::Usage& usage, double cost_usd);

  // The first limit reached (used >= limit), or nothing.
  std::optional<BudgetStop> exceeded() const;

  // A short note for the model, e.g. "budget: 12.3k of 50k tokens left;
  // context 41% full". Omits parts that are unknown (no limit, no window).
  std::string status_line(int64_t context_used_tokens, int64_t context_window) const;

  int64_t run_tokens() const { return run_tokens_; }
  double run_cost_usd() const { return run_cost_usd_; }
  const BudgetLimits& limits() const { return limits_; }

 private:
  int64_t day_tokens() const;
  double day_cost() const;
  int64_t project_day_tokens() const;
  double project_day_cost() const;

  BudgetLimits limits_;
  std::string project_;
  int64_t run_tokens_ = 0;
  double run_cost_usd_ = 0;
  // Ledger snapshot and the run counters at the time it was taken.
  store::UsageTotals ledger_day_;
  store::UsageTotals ledger_project_day_;
  int64_t run_tokens_at_snapshot_ = 0;
  double run_cost_at_snapshot_ = 0;
};

// "12.3k", "950", "1.2M": compact token counts for notes and status bars.
std::string compact_count(int64_t n);

}  // namespace bastion::agent
