// The quota rows (gw_quota) a reservation is charged to and a settlement
// corrects: one per user and per team, holding the current UTC day, month
// and minute windows and what was used in each. Kept apart from the store so
// the windows' arithmetic and the SQL that applies it read in one place.
#pragma once

#include <cstdint>
#include <string>

#include "gateway/sql_conn.h"
#include "util/result.h"

namespace bastion::gateway {

// The quota windows `epoch` falls in, as stored in gw_quota (day number,
// year * 12 + month, minute number).
struct Windows {
  int64_t day, month, minute;
};
Windows windows_at(int64_t epoch);

// Charges a reservation to the user's quota row and, when `team` is not
// empty, the team's, in one statement. A row in an older window starts it
// afresh; a row already in a newer one (another process's clock is ahead)
// is charged there, so no reservation goes uncounted.
Status charge_quota(SqlConn& c, const std::string& user, const std::string& team, const Windows& w,
                    int64_t tokens, double usd);

// Applies a settlement's correction (real usage minus the estimate) to the
// user's and the team's rows, in the windows they are still in.
Status correct_quota(SqlConn& c, const std::string& user, const std::string& team, const Windows& w,
                     int64_t tokens, double usd);

// A database that still counts in gw_counters: the current windows' rows
// become gw_quota rows (once, while gw_quota is empty).
Status carry_counters_over(SqlConn& c, int64_t now);

}  // namespace bastion::gateway
