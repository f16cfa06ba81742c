// SqlConn over SQLite in WAL mode (the embedded default store).
//
// Write transactions of one process are serialised by a mutex per database
// file before BEGIN IMMEDIATE. Without it, pooled connections of the same
// gateway collide on SQLite's write lock and the loser sleeps in the busy
// handler (SQLite's default backs off 1, 2, 5 ... 100 ms), which was most of
// the gateway's added latency. Other processes on the same file still
// contend through the busy handler, which here polls in short sleeps.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "gateway/sql_conn.h"
#include "util/fs.h"

namespace bastion::gateway {

std::unique_ptr<SqlConn> open_postgres(const std::string& url, Error* err);  // pg_conn.cc

namespace {

constexpr int kBusyTimeoutMs = 30000;
std::atomic<int64_t> g_busy_waits{0};

// The writer mutex shared by this process's connections to `path`.
std::shared_ptr<std::mutex> writer_mutex(const std::string& path) {
  static std::mutex registry_mu;
  static std::map<std::string, std::weak_ptr<std::mutex>> registry;
  std::lock_guard<std::mutex> l(registry_mu);
  auto& w = registry[path];
  auto m = w.lock();
  if (!m) {
    m = std::make_shared<std::mutex>();
    w = m;
  }
  return m;
}

// Waits for another process's lock in steps of at most 1 ms (SQLite's
// default handler sleeps up to 100 ms at a time), for up to 30 s.
int busy_handler(void*, int attempt) {
  g_busy_waits.fetch_add(1, std::memory_order_relaxed);
  int step_us = attempt < 10 ? 50 * (attempt + 1) : 1000;
  int64_t waited_us = attempt < 10 ? 25LL * attempt * (attempt + 1) : 2750 + 1000LL * (attempt - 10);
  if (waited_us >= kBusyTimeoutMs * 1000LL) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(step_us));
  return 1;
}

class SqliteConn : public SqlConn {
 public:
  SqliteConn(sqlite3* db, std::shared_ptr<std::mutex> writer) : db_(db), writer_(std::move(writer)) {}
  ~SqliteConn() override {
    for (auto& [sql, st] : stmts_) sqlite3_finalize(st);
    sqlite3_close_v2(db_);
  }
  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::vector<SqlRow>> query(const std::string& sql,
                                    const std::vector<SqlParam>& params) override {
    sqlite3_stmt* st = statement(sql);
    if (!st) return err("prepare");
    for (size_t i = 0; i < params.size(); ++i) {
      std::string name = "$" + std::to_string(i + 1);
      int idx = sqlite3_bind_parameter_index(st, name.c_str());
      if (idx == 0) continue;
      if (params[i]) sqlite3_bind_text(st, idx, params[i]->data(), static_cast<int>(params[i]->size()), SQLITE_TRANSIENT);
      else sqlite3_bind_null(st, idx);
    }
    std::vector<SqlRow> rows;
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        auto e = err("step");
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
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
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rows;
  }

  Status exec_script(const std::string& sql) override {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg ? msg : "unknown error";
      sqlite3_free(msg);
      return Error(ErrorKind::kIo, "gateway sqlite: " + m);
    }
    return ok_status();
  }
  Status begin() override {
    std::unique_lock<std::mutex> l(*writer_);
    Status s = exec_script("BEGIN IMMEDIATE");
    if (s) held_ = std::move(l);
    return s;
  }
  Status commit() override {
    Status s = exec_script("COMMIT");
    if (!s && !sqlite3_get_autocommit(db_)) (void)exec_script("ROLLBACK");  // never pool an open transaction
    end();
    return s;
  }
  void rollback() override {
    (void)exec_script("ROLLBACK");
    end();
  }
  Status lock(const std::string&) override { return ok_status(); }
  bool healthy() const override { return true; }
  Status disable_auto_checkpoint() override { return exec_script("PRAGMA wal_autocheckpoint=0"); }
  Status checkpoint() override {
    if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) != SQLITE_OK)
      return err("checkpoint");
    return ok_status();
  }

 private:
  void end() {
    if (held_.owns_lock()) held_.unlock();
    held_ = {};
  }
  // Prepared once per connection and reused: the gateway runs the same
  // dozen statements for every request.
  sqlite3_stmt* statement(const std::string& sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) return it->second;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st,
                           nullptr) != SQLITE_OK)
      return nullptr;
    if (stmts_.size() >= kMaxStatements) {
      for (auto& [s, p] : stmts_) sqlite3_finalize(p);
      stmts_.clear();
    }
    stmts_.emplace(sql, st);
    return st;
  }
  Error err(const char* what) {
    return Error(ErrorKind::kIo, std::string("gateway sqlite ") + what + ": " + sqlite3_errmsg(db_));
  }
  static constexpr size_t kMaxStatements = 64;
  sqlite3* db_;
  std::shared_ptr<std::mutex> writer_;
  std::unique_lock<std::mutex> held_;  // the writer mutex while a transaction is open
  std::unordered_map<std::string, sqlite3_stmt*> stmts_;
};

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
  sqlite3_busy_handler(db, busy_handler, nullptr);
  const char* file = sqlite3_db_filename(db, "main");
  auto conn = std::make_unique<SqliteConn>(db, writer_mutex(file && *file ? file : path));
  auto s = conn->exec_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
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
