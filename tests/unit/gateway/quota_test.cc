// Quotas in the gateway store: checked before a request and charged after,
// per user and team, by day, month and minute (RPM/TPM), across clocks that
// disagree, carried over from the older counters table, and never overspent
// by more than one request under concurrency.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "gateway/gateway_store.h"
#include "gateway/sql_conn.h"
#include "store_fixture.h"

namespace bastion::gateway {
namespace {

TEST(GatewayStore, DailyQuotaChecksBeforeAndChargesAfter) {
  UserRecord u;
  u.name = "bob";
  u.limits.daily_tokens = 100;
  auto s = open_with_user(u);
  ASSERT_TRUE(s);
  int64_t now = 1700000000;
  auto r1 = s->reserve(req(u, "r1", 500, now));  // estimate above the limit is still admitted
  ASSERT_TRUE(r1.ok());
  EXPECT_FALSE(r1->has_value());
  // While r1's estimate is reserved the quota looks spent.
  auto r2 = s->reserve(req(u, "r2", 10, now));
  ASSERT_TRUE(r2.ok() && r2->has_value());
  EXPECT_EQ((*r2)->limit, "daily_tokens");
  EXPECT_EQ((*r2)->resets_at, next_day(now));
  // Settling to the real usage (30) frees the rest.
  ASSERT_TRUE(s->settle(settle("r1", 20, 10), false).ok());
  ASSERT_TRUE(s->settle(settle("r1", 20, 10), false).ok());  // idempotent
  auto r3 = s->reserve(req(u, "r3", 10, now));
  ASSERT_TRUE(r3.ok());
  EXPECT_FALSE(r3->has_value());
  ASSERT_TRUE(s->settle(settle("r3", 50, 30), false).ok());  // 110 used now
  auto r4 = s->reserve(req(u, "r4", 1, now));
  ASSERT_TRUE(r4->has_value());
  // The next day starts afresh.
  auto r5 = s->reserve(req(u, "r5", 1, now + 86400));
  EXPECT_FALSE(r5->has_value());
  auto rows = s->usage("user");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].input_tokens, 70);
  EXPECT_EQ((*rows)[0].output_tokens, 40);
  EXPECT_EQ((*rows)[0].requests, 2);  // pending r5 is not reported
}

// A settlement that carries its reservation's values (as the gateway's
// do) is written without reading the row back: it still settles a pending
// row exactly once, and one for an unknown or already settled id changes
// nothing: no quota correction, no audit entry.
TEST(GatewayStore, ASettlementCarryingItsReservationSettlesOnceWithoutReadingItBack) {
  UserRecord u;
  u.name = "carol";
  u.team = "infra";
  u.limits.daily_tokens = 100;
  auto s = open_with_user(u);
  ASSERT_TRUE(s);
  int64_t now = 1700000000;
  ASSERT_FALSE(s->reserve(req(u, "c1", 100, now))->has_value());
  auto carried = [&](const std::string& id, int64_t in, int64_t out) {
    Settlement st = settle(id, in, out);
    st.reserved_at = now;
    st.user = u.name;
    st.team = u.team;
    st.model = "m";
    st.endpoint = "/v1/chat/completions";
    st.est_tokens = 100;
    return st;
  };
  ASSERT_TRUE(s->reserve(req(u, "c2", 1, now))->has_value()) << "100 of 100 reserved: the next one waits";
  ASSERT_TRUE(s->settle(carried("c1", 5, 5), false).ok());
  ASSERT_TRUE(s->settle(carried("c1", 5, 5), false).ok());          // a second time: no-op
  ASSERT_TRUE(s->settle(carried("unknown", 500, 500), false).ok());  // no such row: no-op
  // 10 used: the unknown id's correction (+900) was not applied.
  ASSERT_FALSE(s->reserve(req(u, "c3", 1, now))->has_value());
  auto rows = s->usage("team");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].key, "infra");
  EXPECT_EQ((*rows)[0].input_tokens, 5);
  EXPECT_EQ((*rows)[0].requests, 1);
  auto check = s->verify_audit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok);
  EXPECT_EQ(check->entries, 1) << "only the one real settlement is audited";
}

TEST(GatewayStore, RpmAndTeamLimits) {
  auto s = GatewayStore::open("sqlite://" + temp_db(), 2);
  ASSERT_TRUE(s.ok());
  UserRecord a, b;
  a.name = "a";
  a.team = "t";
  a.limits.rpm = 2;
  b.name = "b";
  b.team = "t";
  ASSERT_TRUE((*s)->add_user(a).ok());
  ASSERT_TRUE((*s)->add_user(b).ok());
  int64_t now = 1700000040;
  EXPECT_FALSE((*(*s)->reserve(req(a, "1", 1, now))).has_value());
  EXPECT_FALSE((*(*s)->reserve(req(a, "2", 1, now))).has_value());
  auto d = *(*s)->reserve(req(a, "3", 1, now));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->limit, "rpm");
  EXPECT_EQ(d->resets_at, 1700000040 / 60 * 60 + 60);
  EXPECT_FALSE((*(*s)->reserve(req(a, "4", 1, now + 60))).has_value());
  // Team TPM: b shares team t.
  ReserveRequest rb = req(b, "5", 1000, now);
  rb.team_limits.tpm = 500;
  EXPECT_FALSE((*(*s)->reserve(rb)).has_value());
  rb.request_id = "6";
  auto td = *(*s)->reserve(rb);
  ASSERT_TRUE(td.has_value());
  EXPECT_EQ(td->scope, "team");
  EXPECT_EQ(td->limit, "tpm");
}

TEST(GatewayStore, ASettlementAfterItsMinuteLeavesTheNextMinuteAlone) {
  UserRecord u;
  u.name = "m";
  u.limits.tpm = 100;
  auto s = open_with_user(u);
  ASSERT_TRUE(s);
  int64_t minute = 1700000040;  // the start of a minute
  EXPECT_FALSE((*s->reserve(req(u, "r1", 100, minute + 59))).has_value());
  EXPECT_FALSE((*s->reserve(req(u, "r2", 100, minute + 60))).has_value());  // a new minute
  // r1 settles at 10 tokens, after its minute: its -90 must not reach the
  // new minute, which still holds r2's 100.
  ASSERT_TRUE(s->settle(settle("r1", 5, 5), false).ok());
  auto d = *s->reserve(req(u, "r3", 1, minute + 61));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->limit, "tpm");
  EXPECT_EQ(d->used, 100);
  // Within its minute a settlement does correct the counter.
  ASSERT_TRUE(s->settle(settle("r2", 5, 5), false).ok());
  EXPECT_FALSE((*s->reserve(req(u, "r4", 1, minute + 62))).has_value());
}

TEST(GatewayStore, AReservationFromABehindClockIsChargedToTheNewerWindow) {
  // Two gateways whose clocks straddle a minute boundary: the one behind
  // still charges the minute the counters are in, so the limit holds.
  UserRecord u;
  u.name = "k";
  u.limits.tpm = 100;
  auto s = open_with_user(u);
  ASSERT_TRUE(s);
  int64_t minute = 1700000040;
  EXPECT_FALSE((*s->reserve(req(u, "ahead", 60, minute + 60))).has_value());
  EXPECT_FALSE((*s->reserve(req(u, "behind", 60, minute + 59))).has_value());  // sees 60 < 100
  auto d = *s->reserve(req(u, "next", 1, minute + 61));
  ASSERT_TRUE(d.has_value()) << "the behind clock's 60 tokens went uncounted";
  EXPECT_EQ(d->used, 120);
}

TEST(GatewayStore, CountersOfTheOldPerWindowTableAreCarriedOver) {
  std::string path = temp_db();
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  {
    // A database written before gw_quota: one row per scope, name and window.
    auto c = open_sql("sqlite://" + path);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->exec_script(
        "CREATE TABLE gw_counters (scope TEXT NOT NULL, name TEXT NOT NULL, win TEXT NOT NULL, "
        "tokens BIGINT NOT NULL DEFAULT 0, usd DOUBLE PRECISION NOT NULL DEFAULT 0, "
        "requests BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (scope, name, win))"));
    for (auto [win, tokens, usd] : {std::tuple{day_window(now), "900", "0"}, {month_window(now), "900", "4.5"},
                                    {day_window(now - 86400), "50000", "0"}})
      ASSERT_TRUE((*c)->query("INSERT INTO gw_counters VALUES ('user','old',$1,$2,$3,1)", {win, tokens, usd}));
  }
  UserRecord u;
  u.name = "old";
  u.limits.daily_tokens = 1000;
  u.limits.monthly_usd = 5;
  auto s = open_with_user(u, path);
  ASSERT_TRUE(s);
  ReserveRequest r = req(u, "a", 100, now);
  r.est_usd = 0.5;
  EXPECT_FALSE((*s->reserve(r)).has_value());  // 900 of 1000, $4.5 of $5
  r.request_id = "b";
  auto d = *s->reserve(r);
  ASSERT_TRUE(d.has_value()) << "today's 900 tokens were not carried over";
  EXPECT_EQ(d->limit, "daily_tokens");
  EXPECT_EQ(d->used, 1000);
}

TEST(GatewayStore, ConcurrentReservationsOverspendAtMostOneRequest) {
  std::string url = "sqlite://" + temp_db();
  auto s = GatewayStore::open(url, 4);
  ASSERT_TRUE(s.ok());
  UserRecord u;
  u.name = "c";
  u.limits.daily_tokens = 1000;
  ASSERT_TRUE((*s)->add_user(u).ok());
  std::atomic<int> admitted{0}, id{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        std::string rid = "x" + std::to_string(id++);
        auto r = (*s)->reserve(req(u, rid, 100, 1700000000));
        if (r.ok() && !r->has_value()) {
          ++admitted;
          ASSERT_TRUE((*s)->settle(settle(rid, 60, 40), false).ok());
        }
      }
    });
  for (auto& t : ts) t.join();
  auto rows = (*s)->usage("user");
  int64_t total = (*rows)[0].input_tokens + (*rows)[0].output_tokens;
  EXPECT_EQ(total, admitted * 100);
  EXPECT_GE(total, 1000);
  EXPECT_LE(total, 1100);  // at most one request's worth over
}


}  // namespace
}  // namespace bastion::gateway
