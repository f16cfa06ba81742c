// SqlConn over SQLite in WAL mode (the embedded default store).
#include <sqlite3.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "gateway/sql_conn.h"
#include "store/sqlite.h"
#include "util/fs.h"

namespace bastion::gateway {

std::unique_ptr<SqlConn> open_postgres(const std::string& url, Error* err);  // pg_conn.cc

namespace {

constexpr int kBusyTimeoutMs = 30000;
std::atomic<int64_t> g_busy_waits{0};

// Waits for another process's lock in steps of at most 1 ms (SQLite's
// default handler sleeps up to 100 ms at a time), for up to 30 s, and
// counts the waits (sqlite_busy_waits). `no_wait` points to the
// connection's flag: set, it gives up at once (try_begin).
int busy_handler(void* no_wait, int attempt) {
  if (no_wait && *static_cast<const bool*>(no_wait)) return 0;
  g_busy_waits.fetch_add(1, std::memory_order_relaxed);
  int step_us = attempt < 10 ? 50 * (attempt + 1) : 1000;
  int64_t waited_us = attempt < 10 ? 25LL * attempt * (attempt + 1) : 2750 + 1000LL * (attempt - 10);
  if (waited_us >= kBusyTimeoutMs * 1000LL) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(step_us));
  return 1;
}

// The in-process write lock of one database file. `gate` is passed
// before `mu` is taken, so a checkpointer waiting for `mu` (holding
// `gate`) is next: writers that take turns back to back would otherwise
// starve it (std::mutex is not fair; it waited for 11,000 commits).
struct WriterLock {
  std::mutex gate, mu;
  void lock() {
    std::lock_guard<std::mutex> g(gate);
    mu.lock();
  }
  bool try_lock() {
    std::unique_lock<std::mutex> g(gate, std::try_to_lock);
    return g.owns_lock() && mu.try_lock();
  }
  void unlock() { mu.unlock(); }
};

class SqliteConn : public SqlConn {
 public:
  SqliteConn(sqlite3* db, std::shared_ptr<WriterLock> writer) : db_(db), writer_(std::move(writer)) {}
  ~SqliteConn() override {
    if (holding_writer_) writer_->unlock();
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt.st);
    sqlite3_close_v2(db_);
  }
  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::vector<SqlRow>> query(const std::string& sql,
                                    const std::vector<SqlParam>& params) override {
    Statement* stmt = statement(sql);
    if (!stmt) return err("prepare");
    sqlite3_stmt* st = stmt->st;
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = stmt->index_of(i);
      if (idx == 0) continue;
      // SQLITE_STATIC: `params` outlives the statement's use (done_with
      // clears the bindings before query() returns), so no copy is made.
      if (params[i]) sqlite3_bind_text(st, idx, params[i]->data(), static_cast<int>(params[i]->size()), SQLITE_STATIC);
      else sqlite3_bind_null(st, idx);
    }
    std::vector<SqlRow> rows;
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        auto e = err("step");
        done_with(st);
        return e;
      }
      int n = sqlite3_column_count(st);
      SqlRow row(n);
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(st, c) == SQLITE_NULL) continue;
        const unsigned char* t = sqlite3_column_text(st, c);
        row[c] = std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(st, c));
      }
      rows.push_back(std::move(row));
    }
    done_with(st);
    return rows;
  }

  int64_t changes() override { return sqlite3_changes64(db_); }
  Status exec_script(const std::string& sql) override {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg ? msg : "unknown error";
      sqlite3_free(msg);
      return Error(ErrorKind::kIo, "gateway sqlite: " + m);
    }
    return ok_status();
  }
  // Writers of one database file in this process queue on a mutex before
  // BEGIN IMMEDIATE. Without it they meet SQLITE_BUSY and SQLite's busy
  // handler sleeps in steps of up to 100 ms: that was the gateway's p99.
  // (Other processes sharing the file still fall back to the busy handler;
  // several gateways belong on PostgreSQL.)
  Status begin() override {
    writer_->lock();
    holding_writer_ = true;
    Status s = run("BEGIN IMMEDIATE");
    if (!s) release_writer();
    else transaction_ = ++transactions_;
    return s;
  }
  int64_t transaction_id() const override { return transaction_; }
  Result<bool> try_begin() override {
    if (!writer_->try_lock()) return false;
    holding_writer_ = true;
    no_wait_ = true;
    int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    no_wait_ = false;
    if (rc == SQLITE_OK) {
      transaction_ = ++transactions_;
      return true;
    }
    auto e = err("begin");
    release_writer();
    if (rc == SQLITE_BUSY) return false;
    return e;
  }
  bool* no_wait_flag() { return &no_wait_; }
  Status commit() override {
    Status s = run("COMMIT");
    // A failed COMMIT leaves the transaction open, and callers that marked
    // it done (Tx, GroupCommit) will not roll back: never pool it open.
    if (!s && !sqlite3_get_autocommit(db_)) (void)run("ROLLBACK");
    release_writer();
    return s;
  }
  void rollback() override {
    if (!sqlite3_get_autocommit(db_)) (void)run("ROLLBACK");
    release_writer();
  }
  Status lock(const std::string&) override { return ok_status(); }
  bool healthy() const override { return true; }
  Status disable_auto_checkpoint() override { return run("PRAGMA wal_autocheckpoint=0"); }
  // PASSIVE copies the WAL into the database file without stopping
  // writers. But the WAL starts over from its beginning only when a write
  // transaction begins while every frame has been copied, and under a
  // steady stream of commits new frames always arrive while the copy (and
  // its fsyncs) runs: the WAL then grew without end (150 MB in 5 s of
  // load), each commit extending the file and the kernel zeroing the fresh
  // pages. So once the WAL holds `restart_frames` frames, the ones added
  // during the copy are copied once more while this process's writers wait
  // on their mutex (two fsyncs: 4-40 ms on the loaded 2-core test box, so
  // a large `restart_frames` keeps it rare): the next write transaction then
  // starts the WAL over. Another process writing at that moment can still
  // keep it from starting over; a later tick tries again.
  Status checkpoint(int restart_frames) override {
    int log = 0, copied = 0;
    if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) != SQLITE_OK)
      return err("checkpoint");
    if (restart_frames <= 0 || log < restart_frames) return ok_status();
    std::lock_guard<WriterLock> hold(*writer_);
    if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) != SQLITE_OK)
      return err("checkpoint");
    return ok_status();
  }

 private:
  void release_writer() {
    transaction_ = 0;
    if (!holding_writer_) return;
    holding_writer_ = false;
    writer_->unlock();
  }
  // A compiled statement and where its $1..$N go. The positions are
  // looked up once (by name: "$3" may come before "$1" in the SQL; a
  // snprintf and a search of the names per parameter per call were ~3%
  // of the gateway's CPU).
  struct Statement {
    sqlite3_stmt* st = nullptr;
    std::vector<int> index;  // [i]: the bind position of $(i+1), 0 if unused
    int index_of(size_t i) {
      while (index.size() <= i) {
        char name[24];  // "$N" (not "$" + std::to_string: GCC 12 warns there, -Wrestrict)
        std::snprintf(name, sizeof name, "$%zu", index.size() + 1);
        index.push_back(sqlite3_bind_parameter_index(st, name));
      }
      return index[i];
    }
  };
  // Every request runs the same dozen statements: each is compiled once per
  // connection and reused (compiling was a third of the gateway's CPU).
  Statement* statement(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) return &it->second;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st,
                           nullptr) != SQLITE_OK) {
      sqlite3_finalize(st);
      return nullptr;
    }
    if (statements_.size() >= kMaxStatements) {  // ad-hoc SQL (usage reports): don't keep it
      adhoc_ = Statement{st, {}};
      return &adhoc_;
    }
    return &statements_.emplace(sql, Statement{st, {}}).first->second;
  }
  void done_with(sqlite3_stmt* st) {
    if (st == adhoc_.st) {
      sqlite3_finalize(st);
      adhoc_ = Statement{};
      return;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  Status run(const char* sql) {
    auto r = query(sql, {});
    if (!r) return r.error();
    return ok_status();
  }
  Error err(const char* what) {
    return Error(ErrorKind::kIo, std::string("gateway sqlite ") + what + ": " + sqlite3_errmsg(db_));
  }
  static constexpr size_t kMaxStatements = 64;
  sqlite3* db_;
  std::shared_ptr<WriterLock> writer_;
  bool holding_writer_ = false;
  int64_t transaction_ = 0, transactions_ = 0;  // transaction_id()
  bool no_wait_ = false;  // read by busy_handler
  std::unordered_map<std::string, Statement> statements_;
  Statement adhoc_;
};

// One writer mutex per database file, shared by every connection to it.
std::shared_ptr<WriterLock> writer_mutex_for(const std::string& path) {
  static std::mutex registry_mu;
  static std::map<std::string, std::weak_ptr<WriterLock>> registry;
  char cwd[4096];
  std::string key = fs::resolve_real(path, ::getcwd(cwd, sizeof cwd) ? cwd : "/");
  std::lock_guard<std::mutex> l(registry_mu);
  auto m = registry[key].lock();
  if (!m) {
    m = std::make_shared<WriterLock>();
    registry[key] = m;
  }
  return m;
}

}  // namespace

int64_t sqlite_busy_waits() { return g_busy_waits.load(std::memory_order_relaxed); }

Result<std::unique_ptr<SqlConn>> open_sql(const std::string& url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    Error e;
    auto c = open_postgres(url, &e);
    if (!c) return e;
    return c;
  }
  if (url.rfind("sqlite://", 0) != 0)
    return Error(ErrorKind::kConfig, "database must be sqlite:///path or postgresql://...: " + url);
  std::string path = url.substr(9);
  if (path.empty()) return Error(ErrorKind::kConfig, "sqlite database needs a path: " + url);
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) (void)fs::make_dirs(path.substr(0, slash));
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string m = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Error(ErrorKind::kIo, "cannot open gateway database " + path + ": " + m);
  }
  auto conn = std::make_unique<SqliteConn>(db, writer_mutex_for(path));
  sqlite3_busy_handler(db, busy_handler, conn->no_wait_flag());
  if (Status wal = store::enable_wal(db, path); !wal.ok()) return wal.error();
  auto s = conn->exec_script("PRAGMA synchronous=NORMAL;");
  if (!s) return s.error();
  return std::unique_ptr<SqlConn>(std::move(conn));
}

std::string sql_int(int64_t v) { return std::to_string(v); }
std::string sql_real(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
int64_t row_int(const SqlRow& row, size_t i) {
  if (i >= row.size() || !row[i]) return 0;
  return std::strtoll(row[i]->c_str(), nullptr, 10);
}
double row_real(const SqlRow& row, size_t i) {
  if (i >= row.size() || !row[i]) return 0;
  return std::strtod(row[i]->c_str(), nullptr);
}
std::string row_text(const SqlRow& row, size_t i) {
  if (i >= row.size() || !row[i]) return "";
  return *row[i];
}

}  // namespace bastion::gateway
