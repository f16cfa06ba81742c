// A thin RAII wrapper over SQLite: a connection opened in WAL mode with a
// busy timeout (several bastion processes share one file), and prepared
// statements with typed binds. Errors become Result values naming the file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace bastion::store {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind_null(int index);
  Statement& bind_blob(int index, std::string_view bytes);

  // Returns true when a row is available, false when done; errors as values.
  Result<bool> step();
  // Runs to completion, discarding rows.
  Status run();
  void reset();

  int64_t column_int(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  std::string column_blob(int col) const;
  bool column_is_null(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Sets journal_mode=WAL on `db`, waiting up to 5 s while another process
// holds the lock the switch needs (SQLite's busy handler does not cover it).
Status enable_wal(sqlite3* db, const std::string& path);

class Database {
 public:
  // Opens (creating parent dirs and the file), sets WAL, synchronous=NORMAL,
  // busy_timeout=5000 ms and foreign keys on.
  static Result<Database> open(const std::string& path);
  Database(Database&& o) noexcept : db_(o.db_), path_(std::move(o.path_)) { o.db_ = nullptr; }
  Database& operator=(Database&& o) noexcept;
  Database(const Database&) = delete;
  ~Database();

  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  int64_t last_insert_rowid() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// Runs `sql` inside BEGIN IMMEDIATE / COMMIT (ROLLBACK on error).
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Status commit();
  bool ok() const { return began_; }

 private:
  Database& db_;
  bool began_ = false;
  bool done_ = false;
};

}  // namespace bastion::store
