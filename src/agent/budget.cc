#include "agent/budget.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bastion::agent {
namespace {

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string dollars(double usd) {
  char buf[48];
  std::snprintf(buf, sizeof buf, usd < 10 ? "$%.2f" : "$%.0f", usd);
  return buf;
}

}  // namespace

bool BudgetLimits::any() const {
  return run_max_tokens > 0 || run_max_usd > 0 || daily_max_tokens > 0 || daily_max_usd > 0 ||
         project_daily_max_tokens > 0 || project_daily_max_usd > 0;
}

std::string compact_count(int64_t n) {
  char buf[32];
  double a = std::fabs(static_cast<double>(n));
  if (a < 1000) return std::to_string(n);
  if (a < 1e6) {
    std::snprintf(buf, sizeof buf, a < 1e5 ? "%.1fk" : "%.0fk", static_cast<double>(n) / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, a < 1e8 ? "%.1fM" : "%.0fM", static_cast<double>(n) / 1e6);
  }
  std::string s = buf;
  // "50.0k" reads better as "50k".
  auto dot = s.find(".0");
  if (dot != std::string::npos && dot + 3 == s.size()) s.erase(dot, 2);
  return s;
}

Budget::Budget(BudgetLimits limits, std::string project)
    : limits_(limits), project_(std::move(project)) {}

Status Budget::refresh_from_ledger(store::UsageLedger& ledger, int64_t now_ms) {
  store::UsageFilter day;
  day.since_ms = store::utc_day_start(now_ms);
  auto all = ledger.totals(day);
  if (!all.ok()) return all.error();
  store::UsageTotals project_totals;
  if (!project_.empty()) {
    day.project = project_;
    auto p = ledger.totals(day);
    if (!p.ok()) return p.error();
    project_totals = *p;
  }
  ledger_day_ = *all;
  ledger_project_day_ = project_totals;
  run_tokens_at_snapshot_ = run_tokens_;
  run_cost_at_snapshot_ = run_cost_usd_;
  return ok_status();
}

void Budget::record(const llm::Usage& usage, double cost_usd) {
  run_tokens_ += usage.input_tokens + usage.output_tokens;
  if (cost_usd > 0 && std::isfinite(cost_usd)) run_cost_usd_ += cost_usd;
}

int64_t Budget::day_tokens() const {
  return ledger_day_.total_tokens() + (run_tokens_ - run_tokens_at_snapshot_);
}
double Budget::day_cost() const {
  return ledger_day_.cost_usd() + (run_cost_usd_ - run_cost_at_snapshot_);
}
int64_t Budget::project_day_tokens() const {
  return ledger_project_day_.total_tokens() + (run_tokens_ - run_tokens_at_snapshot_);
}
double Budget::project_day_cost() const {
  return ledger_project_day_.cost_usd() + (run_cost_usd_ - run_cost_at_snapshot_);
}

std::optional<BudgetStop> Budget::exceeded() const {
  auto tokens = [](const char* what, int64_t used, int64_t limit, const std::string& scope,
                   const char* name) -> std::optional<BudgetStop> {
    if (limit <= 0 || used < limit) return std::nullopt;
    return BudgetStop{name, std::string(what) + " reached: " + with_commas(used) + " of " +
                                with_commas(limit) + " tokens used " + scope + " (" + name + ")"};
  };
  auto cost = [](const char* what, double used, double limit, const std::string& scope,
                 const char* name) -> std::optional<BudgetStop> {
    if (limit <= 0 || used < limit) return std::nullopt;
    char buf[96];
    std::snprintf(buf, sizeof buf, "$%.4f of $%.4f", used, limit);
    return BudgetStop{name, std::string(what) + " reached: " + buf + " spent " + scope + " (" +
                                name + ")"};
  };
  if (auto s = tokens("token budget", run_tokens_, limits_.run_max_tokens, "this run",
                      "--max-budget-tokens"))
    return s;
  if (auto s = cost("cost budget", run_cost_usd_, limits_.run_max_usd, "this run",
                    "--max-budget-usd"))
    return s;
  if (auto s = tokens("daily token cap", day_tokens(), limits_.daily_max_tokens,
                      "today (UTC) across all projects", "budget.daily_tokens in config"))
    return s;
  if (auto s = cost("daily cost cap", day_cost(), limits_.daily_max_usd,
                    "today (UTC) across all projects", "budget.daily_usd in config"))
    return s;
  std::string in_project = "today (UTC) in " + (project_.empty() ? "this project" : project_);
  if (auto s = tokens("project token cap", project_day_tokens(), limits_.project_daily_max_tokens,
                      in_project, "budget.project_daily_tokens in config"))
    return s;
  if (auto s = cost("project cost cap", project_day_cost(), limits_.project_daily_max_usd,
                    in_project, "budget.project_daily_usd in config"))
    return s;
  return std::nullopt;
}

std::string Budget::status_line(int64_t context_used_tokens, int64_t context_window) const {
  // Show the tightest limit only: the fraction left decides.
  double best_fraction = 2;
  std::string budget;
  auto consider_tokens = [&](int64_t used, int64_t limit) {
    if (limit <= 0) return;
    int64_t left = std::max<int64_t>(0, limit - used);
    double f = static_cast<double>(left) / static_cast<double>(limit);
    if (f < best_fraction) {
      best_fraction = f;
      budget = "budget: " + compact_count(left) + " of " + compact_count(limit) + " tokens left";
    }
  };
  auto consider_cost = [&](double used, double limit) {
    if (limit <= 0) return;
    double left = std::max(0.0, limit - used);
    double f = left / limit;
    if (f < best_fraction) {
      best_fraction = f;
      budget = "budget: " + dollars(left) + " of " + dollars(limit) + " left";
    }
  };
  consider_tokens(run_tokens_, limits_.run_max_tokens);
  consider_cost(run_cost_usd_, limits_.run_max_usd);
  consider_tokens(day_tokens(), limits_.daily_max_tokens);
  consider_cost(day_cost(), limits_.daily_max_usd);
  consider_tokens(project_day_tokens(), limits_.project_daily_max_tokens);
  consider_cost(project_day_cost(), limits_.project_daily_max_usd);

  std::string context;
  if (context_window > 0 && context_used_tokens >= 0) {
    long pct = std::lround(100.0 * static_cast<double>(context_used_tokens) /
                           static_cast<double>(context_window));
    context = "context " + std::to_string(std::min<long>(pct, 100)) + "% full";
  }
  if (budget.empty()) return context;
  if (context.empty()) return budget;
  return budget + "; " + context;
}

}  // namespace bastion::agent
