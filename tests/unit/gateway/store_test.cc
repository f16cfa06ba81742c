#include "gateway/gateway_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
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
#include "store_fixture.h"

namespace bastion::gateway {
namespace {

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

// transaction_id() names the open write transaction (the audit chain asks
// PRAGMA data_version once per transaction, not once per entry).
TEST(SqliteConn, EachWriteTransactionHasItsOwnId) {
  std::string path = temp_db();
  auto a = open_sql("sqlite://" + path);
  auto b = open_sql("sqlite://" + path);
  ASSERT_TRUE(a.ok() && b.ok());
  SqlConn& c = **a;
  EXPECT_EQ(c.transaction_id(), 0);
  ASSERT_TRUE(c.begin());
  int64_t first = c.transaction_id();
  EXPECT_NE(first, 0);
  ASSERT_TRUE(c.exec_script("CREATE TABLE t (v INTEGER)"));
  EXPECT_EQ(c.transaction_id(), first) << "statements inside keep it";
  ASSERT_TRUE(c.commit());
  EXPECT_EQ(c.transaction_id(), 0);
  ASSERT_TRUE(c.begin());
  int64_t second = c.transaction_id();
  EXPECT_NE(second, 0);
  EXPECT_NE(second, first);
  auto blocked = (*b)->try_begin();  // another connection while this one writes
  ASSERT_TRUE(blocked.ok());
  EXPECT_FALSE(*blocked);
  EXPECT_EQ((*b)->transaction_id(), 0);
  c.rollback();
  EXPECT_EQ(c.transaction_id(), 0);
  auto began = (*b)->try_begin();
  ASSERT_TRUE(began.ok() && *began);
  EXPECT_NE((*b)->transaction_id(), 0);
  (*b)->rollback();
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

// Request ids' random part comes from a per-thread pool of random bytes; a
// forked child must not take the bytes its parent takes next (the two
// processes would write the same ids).
TEST(Crypto, AForkedChildDrawsOtherRequestIdsThanItsParent) {
  (void)request_id();  // the pool now holds bytes for many more ids
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string ids;
    for (int i = 0; i < 5; ++i) ids.append(request_id(), 12, 12);
    ssize_t n = ::write(fds[1], ids.data(), ids.size());
    ::_exit(n == static_cast<ssize_t>(ids.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string mine;
  for (int i = 0; i < 5; ++i) mine.append(request_id(), 12, 12);
  char buf[128];
  std::string child;
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) child.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_EQ(child.size(), 60u);
  for (size_t i = 0; i < 60; i += 12)
    for (size_t j = 0; j < 60; j += 12) EXPECT_NE(child.compare(i, 12, mine, j, 12), 0) << child << " " << mine;
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
  // At least ~6,000 pages, written back to back: the WAL is never idle. On a
  // loaded machine the checkpointer may get its turns late, so writing goes
  // on until the WAL has started over twice (without the restart it never
  // does, and the 60 s limit ends the loop).
  auto done = [&] { return writes >= 3000 && writes % 100 == 0 && wal_restarts() >= 2; };
  for (; !done() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60); ++writes)
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
