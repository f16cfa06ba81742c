// The usage ledger: one SQLite row per model request, so every token Bastion
// spends is accounted for and can be reported (`bastion usage`) or checked
// against budgets.
//
// Token counts are stored exactly as the server reported them; when the
// server reported nothing the caller estimates and sets `estimated`. Cost is
// stored as integer nano-dollars so sums are exact and order-independent.
// The file lives at $XDG_DATA_HOME/bastion/usage.db by default and is opened
// in WAL mode with a busy timeout, so several bastion processes can record at
// once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.h"
#include "util/result.h"

namespace bastion::store {

struct LedgerEntry {
  int64_t time_ms = 0;        // epoch milliseconds (UTC); 0 = now
  std::string session;        // session id
  std::string project;        // repository root (or working dir)
  std::string provider;       // "openai", "anthropic", ...
  std::string model;
  int64_t input_tokens = 0;   // all prompt tokens, cached included
  int64_t cached_input_tokens = 0;
  int64_t output_tokens = 0;  // completion tokens, reasoning included
  int64_t reasoning_tokens = 0;
  bool estimated = false;     // the server reported no usage; counts are estimates
  int64_t latency_ms = 0;
  double cost_usd = 0;
  std::string feature = "agent";  // agent, compaction, subagent, wiki, ...
};

// Sums over a set of ledger rows.
struct UsageTotals {
  int64_t input_tokens = 0;
  int64_t cached_input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t reasoning_tokens = 0;
  int64_t cost_nano_usd = 0;  // exact; cost_usd() for display
  int64_t requests = 0;
  int64_t estimated_requests = 0;

  double cost_usd() const { return static_cast<double>(cost_nano_usd) / 1e9; }
  // input + output: the figure token budgets are measured in.
  int64_t total_tokens() const { return input_tokens + output_tokens; }
};

struct UsageRow {
  std::string key;  // the group value (a day "YYYY-MM-DD", a model name, ...)
  UsageTotals totals;
};

struct UsageReport {
  std::vector<UsageRow> rows;
  UsageTotals total;
};

enum class GroupBy { kNone, kDay, kModel, kProject, kSession, kFeature, kProvider };

// "day", "model", "project", "session", "feature", "provider" (or "none").
Result<GroupBy> parse_group_by(std::string_view name);
const char* group_by_name(GroupBy by);

struct UsageFilter {
  int64_t since_ms = 0;   // inclusive; 0 = from the beginning
  int64_t until_ms = 0;   // exclusive; 0 = no end
  std::string project;    // "" = all projects
  std::string session;    // "" = all sessions
};

// Parses a --since value into epoch ms: "YYYY-MM-DD" (UTC midnight),
// "YYYY-MM-DDTHH:MM[:SS][Z]", "today", "yesterday", or a relative age such as
// "7d", "12h", "30m". kBadInput with an example on anything else.
Result<int64_t> parse_since(std::string_view text, int64_t now_ms);

// UTC ISO-8601 with milliseconds: "2026-11-24T05:28:04.123Z".
std::string format_utc_iso(int64_t epoch_ms);
// UTC midnight at or before `epoch_ms`.
int64_t utc_day_start(int64_t epoch_ms);
int64_t now_epoch_ms();

class UsageLedger {
 public:
  // fs::data_dir() + "/usage.db" (honours XDG_DATA_HOME).
  static std::string default_path();
  // Opens or creates the ledger, migrating the schema when needed.
  static Result<UsageLedger> open(const std::string& path);

  // Appends one row. Negative counts are refused as kBadInput.
  Status record(const LedgerEntry& entry);

  // Aggregates rows matching `filter`. Rows are ordered by key for kDay and
  // by cost, then total tokens (descending) otherwise; kNone gives no rows.
  Result<UsageReport> query(const UsageFilter& filter, GroupBy by);
  Result<UsageTotals> totals(const UsageFilter& filter);

  const std::string& path() const { return db_.path(); }

 private:
  explicit UsageLedger(Database db) : db_(std::move(db)) {}
  Database db_;
};

}  // namespace bastion::store
