// The quota rows (gw_quota): one per user and per team, holding the
// current day, month and minute windows and what they used. Charging a
// reservation, correcting it at settlement, and carrying counters over from
// the older gw_counters table, as SQL both SQLite and PostgreSQL accept.
#include "gateway/quota_rows.h"

#include <ctime>

#include "gateway/gateway_store.h"

namespace bastion::gateway {
namespace {

// Charges a reservation to the quota rows of a user (and of their team)
// in one statement. A row whose window is older than the request's starts
// that window afresh; a row already in a newer window (another process's
// clock is ahead) is charged in that window, so no reservation goes
// uncounted. Parameters: user, [team,] day, month, minute, tokens, usd,
// requests (PostgreSQL refuses a parameter that the statement does not use).
std::string charge_quota_sql(bool team) {
  int w = team ? 3 : 2;  // the first window parameter
  auto p = [&](int i) { return "$" + std::to_string(w + i); };
  std::string sql =
      "INSERT INTO gw_quota (scope, name, day, day_tokens, month, month_usd, minute, minute_tokens, "
      "minute_requests) VALUES ";
  for (int i = 0; i < (team ? 2 : 1); ++i) {
    if (i) sql += ",";
    sql += i == 0 ? "('user',$1," : "('team',$2,";
    sql += p(0) + "," + p(3) + "," + p(1) + "," + p(4) + "," + p(2) + "," + p(3) + "," + p(5) + ")";
  }
  auto newer = [](const char* win) {
    return std::string("excluded.") + win + " > gw_quota." + win;
  };
  auto restart_or_add = [&](const char* win, const char* col) {
    return std::string(col) + " = CASE WHEN " + newer(win) + " THEN excluded." + col + " ELSE gw_quota." + col +
           " + excluded." + col + " END";
  };
  auto advance = [&](const char* win) {
    return std::string(win) + " = CASE WHEN " + newer(win) + " THEN excluded." + win + " ELSE gw_quota." + win +
           " END";
  };
  return sql + " ON CONFLICT (scope, name) DO UPDATE SET " + restart_or_add("day", "day_tokens") + ", " +
         advance("day") + ", " + restart_or_add("month", "month_usd") + ", " + advance("month") + ", " +
         restart_or_add("minute", "minute_tokens") + ", " + restart_or_add("minute", "minute_requests") + ", " +
         advance("minute");
}
// Function-local: the tests' child gateway runs from a static initializer,
// possibly before this file's globals are constructed.
const std::string& charge_quota(bool team) {
  static const std::string user_only = charge_quota_sql(false), with_team = charge_quota_sql(true);
  return team ? with_team : user_only;
}
// A settlement's correction (real usage minus the estimate) applies only
// while the row is still in the request's windows: a window that has
// passed is no longer checked by anyone. Parameters: scope, name, day,
// month, minute, tokens, usd.
const char* kCorrectQuota =
    "UPDATE gw_quota SET day_tokens = CASE WHEN day = $3 THEN day_tokens + $6 ELSE day_tokens END, "
    "month_usd = CASE WHEN month = $4 THEN month_usd + $7 ELSE month_usd END, "
    "minute_tokens = CASE WHEN minute = $5 THEN minute_tokens + $6 ELSE minute_tokens END "
    "WHERE scope = $1 AND name = $2";

std::tm utc(int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

std::vector<SqlParam> window_params(const Windows& w, int64_t tokens, double usd) {
  return {sql_int(w.day), sql_int(w.month), sql_int(w.minute), sql_int(tokens), sql_real(usd)};
}

}  // namespace

Windows windows_at(int64_t epoch) {
  std::tm tm = utc(epoch);
  return {epoch / 86400, (tm.tm_year + 1900) * 12LL + tm.tm_mon, epoch / 60};
}

// Charges a reservation to the user's quota row and, when `team` is not
// empty, the team's.
Status charge_quota(SqlConn& c, const std::string& user, const std::string& team, const Windows& w,
                    int64_t tokens, double usd) {
  std::vector<SqlParam> params{user};
  if (!team.empty()) params.push_back(team);
  for (auto& v : window_params(w, tokens, usd)) params.push_back(std::move(v));
  params.push_back(sql_int(1));
  auto r = c.query(charge_quota(!team.empty()), params);
  if (!r) return r.error();
  return ok_status();
}

// Applies a settlement's correction to the user's and the team's rows.
Status correct_quota(SqlConn& c, const std::string& user, const std::string& team, const Windows& w,
                     int64_t tokens, double usd) {
  for (const char* scope : {"user", "team"}) {
    const std::string& name = scope[0] == 'u' ? user : team;
    if (name.empty()) continue;
    std::vector<SqlParam> params{std::string(scope), name};
    for (auto& v : window_params(w, tokens, usd)) params.push_back(std::move(v));
    if (auto r = c.query(kCorrectQuota, params); !r) return r.error();
  }
  return ok_status();
}

// A database that still counts in gw_counters: the current windows' rows
// become gw_quota rows (once, while gw_quota is empty), so an upgrade keeps
// today's and this month's usage charged.
Status carry_counters_over(SqlConn& c, int64_t now) {
  auto any = c.query("SELECT 1 FROM gw_quota LIMIT 1");
  if (!any) return any.error();
  if (!any->empty()) return ok_status();
  std::string d = day_window(now), m = month_window(now), n = minute_window(now);
  auto rows = c.query("SELECT scope, name, win, tokens, usd, requests FROM gw_counters WHERE win = $1 OR win = $2 "
                      "OR win = $3 ORDER BY scope, name",
                      {d, m, n});
  if (!rows) return rows.error();
  Windows w = windows_at(now);
  for (size_t i = 0; i < rows->size();) {
    std::string scope = row_text((*rows)[i], 0), name = row_text((*rows)[i], 1);
    int64_t day_tokens = 0, minute_tokens = 0, minute_requests = 0;
    double month_usd = 0;
    for (; i < rows->size() && row_text((*rows)[i], 0) == scope && row_text((*rows)[i], 1) == name; ++i) {
      const SqlRow& r = (*rows)[i];
      std::string win = row_text(r, 2);
      if (win == d) day_tokens = row_int(r, 3);
      if (win == m) month_usd = row_real(r, 4);
      if (win == n) {
        minute_tokens = row_int(r, 3);
        minute_requests = row_int(r, 5);
      }
    }
    auto ins = c.query(
        "INSERT INTO gw_quota (scope, name, day, day_tokens, month, month_usd, minute, minute_tokens, "
        "minute_requests) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        {scope, name, sql_int(w.day), sql_int(day_tokens), sql_int(w.month), sql_real(month_usd),
         sql_int(w.minute), sql_int(minute_tokens), sql_int(minute_requests)});
    if (!ins) return ins.error();
  }
  return ok_status();
}

std::string day_window(int64_t epoch) {
  std::tm tm = utc(epoch);
  char buf[32];
  std::strftime(buf, sizeof buf, "d:%Y-%m-%d", &tm);
  return buf;
}
std::string month_window(int64_t epoch) {
  std::tm tm = utc(epoch);
  char buf[32];
  std::strftime(buf, sizeof buf, "m:%Y-%m", &tm);
  return buf;
}
std::string minute_window(int64_t epoch) { return "n:" + std::to_string(epoch / 60); }
int64_t next_day(int64_t epoch) { return (epoch / 86400 + 1) * 86400; }
int64_t next_month(int64_t epoch) {
  std::tm tm = utc(epoch);
  tm.tm_mday = 1;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  if (++tm.tm_mon == 12) {
    tm.tm_mon = 0;
    ++tm.tm_year;
  }
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace bastion::gateway
