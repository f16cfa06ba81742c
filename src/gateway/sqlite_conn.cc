// SqlConn over SQLite in WAL mode (the embedded default store).
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>

#include "gateway/sql_conn.h"
#include "util/fs.h"

namespace bastion::gateway {

std::unique_ptr<SqlConn> open_postgres(const std::string& url, Error* err);  // pg_conn.cc

namespace {

class SqliteConn : public SqlConn {
 public:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  ~SqliteConn() override { sqlite3_close_v2(db_); }
  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::vector<SqlRow>> query(const std::string& sql,
                                    const std::vector<SqlParam>& params) override {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK)
      return err("prepare");
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
        sqlite3_finalize(st);
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
    sqlite3_finalize(st);
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
  Status begin() override { return exec_script("BEGIN IMMEDIATE"); }
  Status commit() override { return exec_script("COMMIT"); }
  void rollback() override { (void)exec_script("ROLLBACK"); }
  Status lock(const std::string&) override { return ok_status(); }
  bool healthy() const override { return true; }

 private:
  Error err(const char* what) {
    return Error(ErrorKind::kIo, std::string("gateway sqlite ") + what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
};

}  // namespace

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
  sqlite3_busy_timeout(db, 30000);
  auto conn = std::make_unique<SqliteConn>(db);
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
