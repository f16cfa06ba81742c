#include "store/usage_ledger.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "util/fs.h"
#include "util/strings.h"

namespace bastion::store {
namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS usage (
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  time_utc TEXT NOT NULL,
  session TEXT NOT NULL DEFAULT '',
  project TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT '',
  input_tokens INTEGER NOT NULL DEFAULT 0,
  cached_input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  estimated INTEGER NOT NULL DEFAULT 0,
  latency_ms INTEGER NOT NULL DEFAULT 0,
  cost_nano_usd INTEGER NOT NULL DEFAULT 0,
  feature TEXT NOT NULL DEFAULT 'agent'
);
CREATE INDEX IF NOT EXISTS usage_time ON usage(time_ms);
CREATE INDEX IF NOT EXISTS usage_project_time ON usage(project, time_ms);
)sql";

const char* group_column(GroupBy by) {
  switch (by) {
    case GroupBy::kDay: return "substr(time_utc, 1, 10)";
    case GroupBy::kModel: return "model";
    case GroupBy::kProject: return "project";
    case GroupBy::kSession: return "session";
    case GroupBy::kFeature: return "feature";
    case GroupBy::kProvider: return "provider";
    case GroupBy::kNone: return "''";
  }
  return "''";
}

constexpr const char* kSums =
    "SUM(input_tokens), SUM(cached_input_tokens), SUM(output_tokens), SUM(reasoning_tokens), "
    "SUM(cost_nano_usd), COUNT(*), SUM(estimated)";

UsageTotals read_totals(const Statement& st, int first) {
  UsageTotals t;
  t.input_tokens = st.column_int(first);
  t.cached_input_tokens = st.column_int(first + 1);
  t.output_tokens = st.column_int(first + 2);
  t.reasoning_tokens = st.column_int(first + 3);
  t.cost_nano_usd = st.column_int(first + 4);
  t.requests = st.column_int(first + 5);
  t.estimated_requests = st.column_int(first + 6);
  return t;
}

// Appends the WHERE clause for `f`; binds follow in bind_filter's order.
std::string where_clause(const UsageFilter& f) {
  std::string w = " WHERE time_ms >= ?1";
  if (f.until_ms > 0) w += " AND time_ms < ?2";
  if (!f.project.empty()) w += " AND project = ?3";
  if (!f.session.empty()) w += " AND session = ?4";
  return w;
}

void bind_filter(Statement& st, const UsageFilter& f) {
  st.bind(1, f.since_ms);
  if (f.until_ms > 0) st.bind(2, f.until_ms);
  if (!f.project.empty()) st.bind(3, std::string_view(f.project));
  if (!f.session.empty()) st.bind(4, std::string_view(f.session));
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

Result<GroupBy> parse_group_by(std::string_view name) {
  if (name == "day") return GroupBy::kDay;
  if (name == "model") return GroupBy::kModel;
  if (name == "project") return GroupBy::kProject;
  if (name == "session") return GroupBy::kSession;
  if (name == "feature") return GroupBy::kFeature;
  if (name == "provider") return GroupBy::kProvider;
  if (name == "none") return GroupBy::kNone;
  return make_error(ErrorKind::kBadInput,
                    "unknown grouping '" + std::string(name) +
                        "': use day, model, project, session, feature or provider");
}

const char* group_by_name(GroupBy by) {
  switch (by) {
    case GroupBy::kDay: return "day";
    case GroupBy::kModel: return "model";
    case GroupBy::kProject: return "project";
    case GroupBy::kSession: return "session";
    case GroupBy::kFeature: return "feature";
    case GroupBy::kProvider: return "provider";
    case GroupBy::kNone: return "none";
  }
  return "none";
}

int64_t now_epoch_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_utc_iso(int64_t epoch_ms) {
  time_t secs = static_cast<time_t>(epoch_ms / 1000);
  int ms = static_cast<int>(epoch_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

int64_t utc_day_start(int64_t epoch_ms) {
  constexpr int64_t kDay = 86400000;
  int64_t d = epoch_ms / kDay;
  if (epoch_ms < 0 && epoch_ms % kDay != 0) --d;
  return d * kDay;
}

Result<int64_t> parse_since(std::string_view text, int64_t now_ms) {
  std::string s(str::trim(text));
  auto bad = [&]() -> Error {
    return make_error(ErrorKind::kBadInput,
                      "cannot read date '" + s +
                          "': use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS], today, yesterday, or an age "
                          "like 7d, 12h, 30m");
  };
  if (s == "today") return utc_day_start(now_ms);
  if (s == "yesterday") return utc_day_start(now_ms) - 86400000;
  if (s.size() >= 2 && all_digits(std::string_view(s).substr(0, s.size() - 1))) {
    char unit = s.back();
    if (s.size() - 1 > 9) return bad();
    int64_t n = std::stoll(s.substr(0, s.size() - 1));
    int64_t unit_ms = unit == 'd' ? 86400000 : unit == 'h' ? 3600000 : unit == 'm' ? 60000 : 0;
    if (unit_ms == 0) return bad();
    return now_ms - n * unit_ms;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3 || consumed != 10)
    return bad();
  std::string rest = s.substr(10);
  if (!rest.empty()) {
    if (rest[0] != 'T' && rest[0] != ' ') return bad();
    int c2 = 0;
    if (std::sscanf(rest.c_str() + 1, "%2d:%2d%n", &h, &mi, &c2) != 2 || c2 != 5) return bad();
    std::string tail = rest.substr(1 + 5);
    if (!tail.empty() && tail[0] == ':') {
      int c3 = 0;
      if (std::sscanf(tail.c_str() + 1, "%2d%n", &sec, &c3) != 1 || c3 != 2) return bad();
      tail = tail.substr(3);
    }
    if (!tail.empty() && tail != "Z") return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
    return bad();
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  if (t == static_cast<time_t>(-1)) return bad();
  return static_cast<int64_t>(t) * 1000;
}

std::string UsageLedger::default_path() { return fs::data_dir() + "/usage.db"; }

Result<UsageLedger> UsageLedger::open(const std::string& path) {
  auto db = Database::open(path);
  if (!db.ok()) return db.error();
  int64_t current = 0;
  {
    // Scoped so the statement (and its read snapshot) is gone before BEGIN
    // IMMEDIATE: a live snapshot makes the upgrade fail with BUSY_SNAPSHOT
    // when another process wrote meanwhile, which no busy timeout retries.
    auto version = db->prepare("PRAGMA user_version");
    if (!version.ok()) return version.error();
    auto has_row = version->step();
    if (!has_row.ok()) return has_row.error();
    current = *has_row ? version->column_int(0) : 0;
  }
  if (current > kSchemaVersion) {
    return make_error(ErrorKind::kConfig, "usage ledger " + path +
                                              " was written by a newer bastion (schema " +
                                              std::to_string(current) + ")");
  }
  if (current < kSchemaVersion) {
    // IF NOT EXISTS makes this safe when two processes create the file at once.
    Status st = db->exec(std::string("BEGIN IMMEDIATE;") + kSchema + "PRAGMA user_version=" +
                         std::to_string(kSchemaVersion) + ";COMMIT;");
    if (!st.ok()) {
      (void)db->exec("ROLLBACK");
      return st.error();
    }
  }
  return UsageLedger(std::move(*db));
}

Status UsageLedger::record(const LedgerEntry& e) {
  if (e.input_tokens < 0 || e.cached_input_tokens < 0 || e.output_tokens < 0 ||
      e.reasoning_tokens < 0 || !(e.cost_usd >= 0) || !std::isfinite(e.cost_usd)) {
    return make_error(ErrorKind::kBadInput, "usage ledger: negative or invalid token count or cost");
  }
  int64_t t = e.time_ms > 0 ? e.time_ms : now_epoch_ms();
  auto st = db_.prepare(
      "INSERT INTO usage (time_ms, time_utc, session, project, provider, model, input_tokens, "
      "cached_input_tokens, output_tokens, reasoning_tokens, estimated, latency_ms, cost_nano_usd, "
      "feature) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)");
  if (!st.ok()) return st.error();
  std::string iso = format_utc_iso(t);
  st->bind(1, t)
      .bind(2, std::string_view(iso))
      .bind(3, std::string_view(e.session))
      .bind(4, std::string_view(e.project))
      .bind(5, std::string_view(e.provider))
      .bind(6, std::string_view(e.model))
      .bind(7, e.input_tokens)
      .bind(8, e.cached_input_tokens)
      .bind(9, e.output_tokens)
      .bind(10, e.reasoning_tokens)
      .bind(11, static_cast<int64_t>(e.estimated ? 1 : 0))
      .bind(12, e.latency_ms)
      .bind(13, static_cast<int64_t>(std::llround(e.cost_usd * 1e9)))
      .bind(14, std::string_view(e.feature.empty() ? "agent" : e.feature));
  return st->run();
}

Result<UsageReport> UsageLedger::query(const UsageFilter& filter, GroupBy by) {
  UsageReport report;
  auto total = totals(filter);
  if (!total.ok()) return total.error();
  report.total = *total;
  if (by == GroupBy::kNone) return report;
  std::string col = group_column(by);
  std::string order = by == GroupBy::kDay
                          ? " ORDER BY 1 ASC"
                          : " ORDER BY 6 DESC, (SUM(input_tokens) + SUM(output_tokens)) DESC, 1 ASC";
  auto st = db_.prepare("SELECT " + col + ", " + kSums + " FROM usage" + where_clause(filter) +
                        " GROUP BY 1" + order);
  if (!st.ok()) return st.error();
  bind_filter(*st, filter);
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    report.rows.push_back({st->column_text(0), read_totals(*st, 1)});
  }
  return report;
}

Result<UsageTotals> UsageLedger::totals(const UsageFilter& filter) {
  auto st = db_.prepare(std::string("SELECT ") + kSums + " FROM usage" + where_clause(filter));
  if (!st.ok()) return st.error();
  bind_filter(*st, filter);
  auto row = st->step();
  if (!row.ok()) return row.error();
  if (!*row) return UsageTotals{};
  return read_totals(*st, 0);
}

}  // namespace bastion::store
