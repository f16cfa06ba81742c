// The smallest SQL interface the gateway store needs, with a SQLite and a
// PostgreSQL (libpq) implementation, so the quota and metering logic is
// written once and runs the same on one machine or across many.
//
// Statements use PostgreSQL-style $1..$N placeholders on both backends
// (SQLite accepts them as named parameters). Values travel as text or NULL;
// results come back as text, which is all the store needs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace bastion::gateway {

enum class Dialect { kSqlite, kPostgres };

using SqlParam = std::optional<std::string>;  // nullopt = NULL
using SqlRow = std::vector<std::optional<std::string>>;

class SqlConn {
 public:
  virtual ~SqlConn() = default;
  virtual Dialect dialect() const = 0;
  // Runs one statement; returns its rows (empty for statements without).
  virtual Result<std::vector<SqlRow>> query(const std::string& sql,
                                            const std::vector<SqlParam>& params = {}) = 0;
  // Rows changed by the last INSERT/UPDATE/DELETE query() ran (SQLite);
  // -1 when the backend does not tell (PostgreSQL: use RETURNING).
  virtual int64_t changes() { return -1; }
  // Runs several statements separated by ';' without parameters.
  virtual Status exec_script(const std::string& sql) = 0;
  // Starts a write transaction that serialises against other writers
  // (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN).
  virtual Status begin() = 0;
  // begin() without waiting: false, with nothing started, when the write
  // lock is held by another connection or process (SQLite). PostgreSQL
  // takes its locks later, per statement: there it is begin().
  virtual Result<bool> try_begin() {
    if (auto s = begin(); !s) return s.error();
    return true;
  }
  virtual Status commit() = 0;
  virtual void rollback() = 0;
  // Nonzero while a transaction that begin() or try_begin() started is
  // open, and a new value for each one (SQLite; 0 elsewhere). Inside one,
  // no other connection can commit (SQLite has one writer at a time).
  virtual int64_t transaction_id() const { return 0; }
  // Takes a transaction-scoped lock named by `key` (PostgreSQL advisory
  // lock; a no-op on SQLite, where BEGIN IMMEDIATE already serialises).
  virtual Status lock(const std::string& key) = 0;
  // False once the connection is known broken (the pool then reconnects).
  virtual bool healthy() const = 0;
  // SQLite: stop checkpointing the WAL after commits (a checkpoint fsyncs
  // the database file, for milliseconds, on the thread that committed);
  // whoever calls this must run checkpoint() elsewhere. PostgreSQL: no-op.
  virtual Status disable_auto_checkpoint() { return ok_status(); }
  // SQLite: copies committed WAL frames into the database file without
  // blocking writers (PASSIVE); once the WAL holds `restart_frames` frames
  // (0: never), also makes sure the next write starts it over, holding
  // this process's writers for the last few frames. PostgreSQL: no-op.
  virtual Status checkpoint(int restart_frames = 0) {
    (void)restart_frames;
    return ok_status();
  }
};

// How many times, in this process, a SQLite connection waited for another
// process's lock (the busy handler ran). Connections of one process never
// wait on each other: their write transactions queue on a mutex instead.
int64_t sqlite_busy_waits();

// "sqlite:///abs/path", "sqlite://rel/path" or "postgresql://...".
Result<std::unique_ptr<SqlConn>> open_sql(const std::string& url);

std::string sql_int(int64_t v);
std::string sql_real(double v);
int64_t row_int(const SqlRow& row, size_t i);
double row_real(const SqlRow& row, size_t i);
std::string row_text(const SqlRow& row, size_t i);

}  // namespace bastion::gateway
