#include "gateway/gateway_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>
#include <tuple>

#include "gateway/crypto.h"
#include "gateway/sql_conn.h"
#include "gateway/sql_conn.h"

namespace bastion::gateway {
namespace {

std::string temp_db() {
  char tmpl[] = "/tmp/gwstoreXXXXXX";
  std::string dir = mkdtemp(tmpl);
  return dir + "/gw.db";
}

TEST(Crypto, Sha256AndKeys) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string k1 = generate_api_key(), k2 = generate_api_key();
  EXPECT_EQ(k1.size(), 52u);
  EXPECT_NE(k1, k2);
}

// SqliteConn keeps compiled statements: a reused statement must see fresh
// parameters, survive an error, and ad-hoc SQL beyond the cache must still run.
TEST(SqliteConn, CachedStatementsRebindResetAfterErrorsAndAdHocSqlStillRuns) {
  auto c = open_sql("sqlite://" + temp_db());
  ASSERT_TRUE(c.ok()) << c.error().message;
  SqlConn& conn = **c;
  ASSERT_TRUE(conn.exec_script("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)"));
  const std::string ins = "INSERT INTO t (k, v) VALUES ($1, $2)";
  ASSERT_TRUE(conn.query(ins, {std::string("a"), std::string("1")}).ok());
  EXPECT_FALSE(conn.query(ins, {std::string("a"), std::string("2")}).ok());  // duplicate key
  ASSERT_TRUE(conn.query(ins, {std::string("b"), std::string("2")}).ok());  // same statement, reset
  for (int i = 0; i < 100; ++i) {  // more distinct statements than the cache keeps
    auto r = conn.query("SELECT v + " + std::to_string(i) + " FROM t WHERE k = $1", {std::string("b")});
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ(row_int(r->front(), 0), 2 + i);
  }
  auto all = conn.query("SELECT k FROM t ORDER BY k", {});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(row_text((*all)[1], 0), "b");
}

// Writers on one file in one process queue instead of meeting SQLITE_BUSY:
// a second begin() waits for the first transaction and then succeeds.
TEST(SqliteConn, ParametersBindByNumberInAnyOrderRepeatedOrUnused) {
  auto c = open_sql("sqlite://" + temp_db());
  ASSERT_TRUE(c.ok()) << c.error().message;
  SqlConn& conn = **c;
  std::vector<SqlParam> p;
  for (int i = 1; i <= 11; ++i) p.push_back(std::to_string(i * 10));
  p[4] = std::nullopt;  // $5 is NULL
  // $11 before $2, $2 twice, $5 NULL, $3 never used.
  const std::string sql = "SELECT $11, $2, $2 || $1, $5 IS NULL, $10";
  for (int round = 0; round < 2; ++round) {  // compiled, then reused from the cache with new values
    auto r = conn.query(sql, p);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const SqlRow& row = r->front();
    EXPECT_EQ(row_text(row, 0), *p[10]);
    EXPECT_EQ(row_text(row, 1), *p[1]);
    EXPECT_EQ(row_text(row, 2), *p[1] + *p[0]);
    EXPECT_EQ(row_int(row, 3), 1);
    EXPECT_EQ(row_text(row, 4), "100");
    p[1] = std::string("21");
    p[10] = std::string("111");
  }
}

TEST(SqliteConn, SecondWriterInTheProcessWaitsForTheFirst) {
  std::string path = temp_db();
  auto a = open_sql("sqlite://" + path);
  auto b = open_sql("sqlite://" + path);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->exec_script("CREATE TABLE t (v INTEGER)"));
  ASSERT_TRUE((*a)->begin());
  ASSERT_TRUE((*a)->query("INSERT INTO t VALUES (1)", {}).ok());
  bool b_ok = false;
  std::thread other([&] {
    b_ok = static_cast<bool>((*b)->begin());
    if (b_ok) b_ok = (*b)->query("INSERT INTO t VALUES (2)", {}).ok() && static_cast<bool>((*b)->commit());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE((*a)->commit());
  other.join();
  EXPECT_TRUE(b_ok);
  auto n = (*a)->query("SELECT COUNT(*) FROM t", {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(row_int(n->front(), 0), 2);
}

TEST(GatewayStore, UsersKeysStoredHashed) {
  std::string path = temp_db();
  auto s = GatewayStore::open("sqlite://" + path, 2);
  ASSERT_TRUE(s.ok()) << s.error().message;
  UserRecord u;
  u.name = "alice";
  u.team = "infra";
  u.models = {"m1", "m2"};
  auto key = (*s)->add_user(u);
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE((*s)->add_user(u).ok());  // duplicate
  auto found = (*s)->find_by_key(*key);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->team, "infra");
  EXPECT_EQ((*found)->models.size(), 2u);
  EXPECT_FALSE((*(*s)->find_by_key("bgw_wrong")).has_value());
  // The plaintext key is nowhere in the database file.
  sqlite3* db;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st;
  sqlite3_prepare_v2(db, "SELECT key_hash FROM gw_users", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))), sha256_hex(*key));
  sqlite3_finalize(st);
  sqlite3_close(db);
  auto rotated = (*s)->rotate_key("alice");
  ASSERT_TRUE(rotated.ok());
  EXPECT_FALSE((*(*s)->find_by_key(*key)).has_value());
  EXPECT_TRUE((*(*s)->find_by_key(*rotated)).has_value());
  ASSERT_TRUE((*s)->set_disabled("alice", true).ok());
  EXPECT_TRUE((*(*s)->find_by_key(*rotated))->disabled);
  EXPECT_FALSE((*s)->set_disabled("nobody", true).ok());
}

TEST(Crypto, RequestIdsAreUniqueAndSortInTimeOrder) {
  std::string a = request_id();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::string b = request_id(), c = request_id();
  EXPECT_EQ(a.size(), 24u);
  EXPECT_LT(a, b);
  EXPECT_NE(b, c);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

ReserveRequest req(const UserRecord& u, const std::string& id, int64_t est, int64_t now) {
  ReserveRequest r;
  r.request_id = id;
  r.user = u;
  r.model = "m";
  r.endpoint = "/v1/chat/completions";
  r.est_tokens = est;
  r.now = now;
  return r;
}

Settlement settle(const std::string& id, int64_t in, int64_t out) {
  Settlement s;
  s.request_id = id;
  s.upstream = "up";
  s.outcome = "ok";
  s.http_status = 200;
  s.usage.input_tokens = in;
  s.usage.output_tokens = out;
  s.usage.reported = true;
  return s;
}

// A store on a fresh (or the given) SQLite file, with `u` added.
std::unique_ptr<GatewayStore> open_with_user(const UserRecord& u, const std::string& path = temp_db()) {
  auto s = GatewayStore::open("sqlite://" + path, 2);
  EXPECT_TRUE(s.ok()) << s.error().message;
  if (!s.ok()) return nullptr;
  EXPECT_TRUE((*s)->add_user(u).ok());
  return std::move(*s);
}

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

TEST(GatewayStore, AuditChainDetectsTampering) {
  std::string path = temp_db();
  auto s = GatewayStore::open("sqlite://" + path, 1);
  ASSERT_TRUE(s.ok());
  UserRecord u;
  u.name = "d";
  ASSERT_TRUE((*s)->add_user(u).ok());
  for (int i = 0; i < 3; ++i) {
    std::string id = "a" + std::to_string(i);
    ASSERT_FALSE((*(*s)->reserve(req(u, id, 1, 1700000000))).has_value());
    ASSERT_TRUE((*s)->settle(settle(id, 1, 1), false).ok());
  }
  ASSERT_TRUE((*s)->audit_event({{"event", "refused"}}).ok());
  auto ok = (*s)->verify_audit();
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ok);
  EXPECT_EQ(ok->entries, 4);
  sqlite3* db;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "UPDATE gw_audit SET entry=replace(entry,'\"input_tokens\":1','\"input_tokens\":0') WHERE seq=2",
               nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto bad = (*s)->verify_audit();
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->ok);
  EXPECT_EQ(bad->first_bad_seq, 2);
}

// The cached audit head must not survive another writer: a second store
// (another process, or the admin CLI) appending to the chain in between.
TEST(GatewayStore, AuditChainStaysIntactWithTwoWriters) {
  std::string path = temp_db();
  auto s1 = GatewayStore::open("sqlite://" + path, 2);
  auto s2 = GatewayStore::open("sqlite://" + path, 2);
  ASSERT_TRUE(s1.ok() && s2.ok());
  UserRecord u;
  u.name = "w";
  ASSERT_TRUE((*s1)->add_user(u).ok());
  for (int i = 0; i < 6; ++i) {
    auto& s = i % 3 == 2 ? *s2 : *s1;  // s1 twice (cached head), then s2
    std::string id = "w" + std::to_string(i);
    ASSERT_FALSE((*s->reserve(req(u, id, 1, 1700000000))).has_value());
    if (i % 2) {
      std::atomic<bool> done{false};
      s->settle_async(std::make_shared<const Settlement>(settle(id, 1, 1)), false, [&](const Status& st) {
        EXPECT_TRUE(st.ok());
        done = true;
      });
      s->flush();
      EXPECT_TRUE(done);
    } else {
      ASSERT_TRUE(s->settle(settle(id, 1, 1), false).ok());
    }
    ASSERT_TRUE(s->audit_event({{"event", "refused"}, {"i", i}}).ok());
  }
  auto check = (*s1)->verify_audit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->problem << " at " << check->first_bad_seq;
  EXPECT_EQ(check->entries, 12);
  auto rows = (*s2)->usage("user");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].requests, 6);
  EXPECT_EQ((*rows)[0].input_tokens, 6);
}

// Pooled connections of one gateway queue on an in-process mutex for the
// write lock instead of colliding on SQLite's: SQLite's busy handler backs
// off for up to 100 ms a time, which was the gateway's latency tail.
TEST(GatewayStore, WritersInOneProcessNeverWaitInTheBusyHandler) {
  auto s = GatewayStore::open("sqlite://" + temp_db(), 4);
  ASSERT_TRUE(s.ok());
  UserRecord u;
  u.name = "w";
  ASSERT_TRUE((*s)->add_user(u).ok());
  int64_t before = sqlite_busy_waits();
  std::atomic<int> id{0}, failed{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        std::string rid = "w" + std::to_string(id++);
        if (!(*s)->reserve(req(u, rid, 10, 1700000000)).ok() || !(*s)->settle(settle(rid, 5, 5), false).ok())
          ++failed;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(sqlite_busy_waits() - before, 0);
  auto rows = (*s)->usage("user");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].requests, 200);
}

// With background checkpoints, commits leave the WAL to the store's own
// thread, which copies it into the database file.
TEST(GatewayStore, BackgroundCheckpointsCopyTheWal) {
  std::string path = temp_db();
  auto s = GatewayStore::open("sqlite://" + path, 2);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->checkpoint_in_background(3600 * 1000).ok());
  UserRecord u;
  u.name = "cp";
  ASSERT_TRUE((*s)->add_user(u).ok());
  // Well past SQLite's automatic checkpoint (1000 pages, after which the
  // WAL would be rewound and stay near 4 MB): no commit checkpointed, so
  // the WAL holds every frame.
  std::string pad(3000, 'x');
  for (int i = 0; i < 800; ++i) ASSERT_TRUE((*s)->audit_event({{"event", "pad"}, {"pad", pad}}).ok());
  auto wal_frames = [&] {
    sqlite3* db;
    sqlite3_open(path.c_str(), &db);
    sqlite3_stmt* st;
    sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(PASSIVE)", -1, &st, nullptr);
    int64_t log = -1, done = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
      log = sqlite3_column_int64(st, 1);
      done = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return std::make_pair(log, done);
  };
  EXPECT_EQ((*s)->background_checkpoints(), 0);
  EXPECT_GT(std::filesystem::file_size(path + "-wal"), 2000u * 4096u);
  s->reset();

  auto s2 = GatewayStore::open("sqlite://" + path, 2);
  ASSERT_TRUE(s2.ok());
  ASSERT_TRUE((*s2)->checkpoint_in_background(10).ok());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE((*s2)->audit_event({{"event", "pad"}, {"pad", pad}}).ok());
  int64_t after_writes = (*s2)->background_checkpoints();
  for (int i = 0; i < 300 && (*s2)->background_checkpoints() < after_writes + 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE((*s2)->background_checkpoints(), after_writes + 2);
  auto [log, done] = wal_frames();
  EXPECT_EQ(log, done) << "every committed frame is already in the database file";
  auto check = (*s2)->verify_audit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok);
  EXPECT_EQ(check->entries, 850);
}

// Under a steady stream of commits a PASSIVE checkpoint never finds the
// WAL fully copied when the next write begins, so the WAL never started
// over and grew with every commit. Past `restart_frames` the checkpointer
// now copies the last frames while the writers wait, and the next write
// starts the WAL over: the WAL header's checkpoint sequence number (bytes
// 12-15, big-endian), which counts the times it started over, moves.
TEST(GatewayStore, TheWalStartsOverUnderSteadyWrites) {
  std::string path = temp_db();
  auto s = GatewayStore::open("sqlite://" + path, 2);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->checkpoint_in_background(5, /*restart_frames=*/256).ok());
  std::string pad(3000, 'x');
  auto wal_restarts = [&] {
    std::ifstream f(path + "-wal", std::ios::binary);
    unsigned char h[16] = {};
    f.read(reinterpret_cast<char*>(h), sizeof h);
    return (uint32_t(h[12]) << 24) | (uint32_t(h[13]) << 16) | (uint32_t(h[14]) << 8) | h[15];
  };
  auto t0 = std::chrono::steady_clock::now();
  int writes = 0;
  // ~6,000 pages, written back to back: the WAL is never idle.
  for (; writes < 3000 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60); ++writes)
    ASSERT_TRUE((*s)->audit_event({{"event", "pad"}, {"pad", pad}}).ok());
  EXPECT_GT((*s)->background_checkpoints(), 0);
  EXPECT_GE(wal_restarts(), 2u) << "the WAL never started over in " << writes << " writes";
  auto check = (*s)->verify_audit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok);
  EXPECT_EQ(check->entries, writes);
}

// On SQLite gw_requests and gw_audit are one b-tree each (no key index
// beside the rows). A database from before, with both as rowid tables plus
// an index, is rebuilt when opened: its requests (pending ones too) and its
// audit chain carry over intact, and new entries continue the chain.
TEST(GatewayStore, OldRequestAndAuditTablesAreRebuiltWithOneBtreeEach) {
  std::string path = temp_db();
  UserRecord u;
  u.name = "dave";
  int64_t now = 1700000000;
  {
    auto s = open_with_user(u, path);
    ASSERT_TRUE(s);
    ASSERT_FALSE(s->reserve(req(u, "o1", 10, now))->has_value());
    ASSERT_TRUE(s->settle(settle("o1", 3, 4), false).ok());
    ASSERT_FALSE(s->reserve(req(u, "o2", 10, now))->has_value());
    ASSERT_TRUE(s->audit_event({{"event", "refused"}}).ok());
  }
  auto sql = [&](const std::string& q) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_stmt* st = nullptr;
    std::string out;
    char* err = nullptr;
    if (q.rfind("SELECT", 0) != 0) {
      sqlite3_exec(db, q.c_str(), nullptr, nullptr, &err);
    } else if (sqlite3_prepare_v2(db, q.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
               sqlite3_column_text(st, 0)) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    EXPECT_EQ(err, nullptr) << err;
    sqlite3_free(err);
    sqlite3_close(db);
    return out;
  };
  const std::string key_indexes =
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'sqlite_autoindex_%' AND "
      "tbl_name IN ('gw_requests', 'gw_audit')";
  EXPECT_EQ(sql(key_indexes), "0");
  // Back to the form databases had before.
  sql("CREATE TABLE r_old AS SELECT * FROM gw_requests; DROP TABLE gw_requests; "
      "CREATE TABLE gw_requests (id TEXT PRIMARY KEY, ts BIGINT NOT NULL, day TEXT NOT NULL, "
      "user_name TEXT NOT NULL, team TEXT NOT NULL, model TEXT NOT NULL, endpoint TEXT NOT NULL, "
      "upstream TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, http_status INTEGER NOT NULL DEFAULT 0, "
      "input_tokens BIGINT NOT NULL DEFAULT 0, cached_tokens BIGINT NOT NULL DEFAULT 0, "
      "output_tokens BIGINT NOT NULL DEFAULT 0, reasoning_tokens BIGINT NOT NULL DEFAULT 0, "
      "cost DOUBLE PRECISION NOT NULL DEFAULT 0, est_tokens BIGINT NOT NULL DEFAULT 0, "
      "est_usd DOUBLE PRECISION NOT NULL DEFAULT 0, latency_ms BIGINT NOT NULL DEFAULT 0, "
      "stream INTEGER NOT NULL DEFAULT 0, usage_reported INTEGER NOT NULL DEFAULT 0); "
      "INSERT INTO gw_requests SELECT * FROM r_old; DROP TABLE r_old; "
      "CREATE INDEX gw_requests_pending ON gw_requests (ts) WHERE status = 'pending'; "
      "CREATE TABLE a_old AS SELECT * FROM gw_audit; DROP TABLE gw_audit; "
      "CREATE TABLE gw_audit (seq BIGINT PRIMARY KEY, ts BIGINT NOT NULL, entry TEXT NOT NULL, "
      "prev_hash TEXT NOT NULL, hash TEXT NOT NULL); INSERT INTO gw_audit SELECT * FROM a_old; DROP TABLE a_old");
  ASSERT_EQ(sql(key_indexes), "2");

  auto s = GatewayStore::open("sqlite://" + path, 2);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(sql(key_indexes), "0");
  EXPECT_NE(sql("SELECT sql FROM sqlite_master WHERE name = 'gw_requests'").find("WITHOUT ROWID"), std::string::npos);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM sqlite_master WHERE name = 'gw_requests_pending'"), "1");
  auto check = (*s)->verify_audit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->problem;
  EXPECT_EQ(check->entries, 2);
  ASSERT_TRUE((*s)->settle(settle("o2", 1, 1), false).ok());  // the pending row carried over
  check = (*s)->verify_audit();
  EXPECT_TRUE(check.ok() && check->ok);
  EXPECT_EQ(check->entries, 3);
  auto rows = (*s)->usage("user");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].requests, 2);
  EXPECT_EQ((*rows)[0].input_tokens, 4);
}

}  // namespace
}  // namespace bastion::gateway
