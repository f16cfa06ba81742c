// The gateway's two per-request tables on SQLite, one b-tree each.
//
// A SQLite table whose primary key is not an INTEGER PRIMARY KEY is two
// b-trees: the rows, keyed by a hidden rowid, and an index from the key to
// the rowid. gw_requests (TEXT id) and gw_audit (seq BIGINT, which SQLite
// does not take for the rowid) were both, so every request inserted into
// two more b-trees than needed and its settlement found its row through
// the id index first. Here gw_requests is a WITHOUT ROWID table (its rows
// live in the id's b-tree) and gw_audit's seq is an INTEGER PRIMARY KEY
// (the rowid itself). Same columns, same SQL against them.
//
// A database created before is rebuilt once, inside the caller's schema
// transaction (so another process opening it waits, then finds it done):
// new table, rows copied, old table dropped (with its indexes), new one
// renamed. That takes a while on a database with millions of requests.
// Gateways of the previous version keep working on a rebuilt database.
// PostgreSQL keeps its schema (BIGINT and TEXT keys are one index there).
#include "gateway/schema_sqlite.h"

#include "gateway/gateway_store.h"

namespace bastion::gateway {
namespace {

struct Table {
  const char* name;
  const char* columns;  // the body of CREATE TABLE, new form
  const char* suffix;   // after the closing parenthesis
  const char* marker;   // found in sqlite_master.sql once the table has the new form
  const char* copied;   // column list copied from an old table
};

const Table kTables[] = {
    {"gw_requests",
     "id TEXT PRIMARY KEY, ts BIGINT NOT NULL, day TEXT NOT NULL, user_name TEXT NOT NULL, "
     "team TEXT NOT NULL, model TEXT NOT NULL, endpoint TEXT NOT NULL, upstream TEXT NOT NULL DEFAULT '', "
     "status TEXT NOT NULL, http_status INTEGER NOT NULL DEFAULT 0, "
     "input_tokens BIGINT NOT NULL DEFAULT 0, cached_tokens BIGINT NOT NULL DEFAULT 0, "
     "output_tokens BIGINT NOT NULL DEFAULT 0, reasoning_tokens BIGINT NOT NULL DEFAULT 0, "
     "cost DOUBLE PRECISION NOT NULL DEFAULT 0, est_tokens BIGINT NOT NULL DEFAULT 0, "
     "est_usd DOUBLE PRECISION NOT NULL DEFAULT 0, latency_ms BIGINT NOT NULL DEFAULT 0, "
     "stream INTEGER NOT NULL DEFAULT 0, usage_reported INTEGER NOT NULL DEFAULT 0",
     " WITHOUT ROWID", "WITHOUT ROWID",
     "id, ts, day, user_name, team, model, endpoint, upstream, status, http_status, input_tokens, "
     "cached_tokens, output_tokens, reasoning_tokens, cost, est_tokens, est_usd, latency_ms, stream, "
     "usage_reported"},
    {"gw_audit",
     "seq INTEGER PRIMARY KEY, ts BIGINT NOT NULL, entry TEXT NOT NULL, prev_hash TEXT NOT NULL, "
     "hash TEXT NOT NULL",
     "", "seq INTEGER PRIMARY KEY", "seq, ts, entry, prev_hash, hash"},
};

}  // namespace

Status sqlite_single_btree_tables(SqlConn& c) {
  for (const Table& t : kTables) {
    auto r = c.query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1", {std::string(t.name)});
    if (!r) return r.error();
    std::string create = std::string(" (") + t.columns + ")" + t.suffix;
    if (r->empty()) {
      if (auto s = c.exec_script("CREATE TABLE " + std::string(t.name) + create); !s) return s;
      continue;
    }
    if (row_text(r->front(), 0).find(t.marker) != std::string::npos) continue;
    std::string name = t.name, fresh = name + "_rebuilt";
    std::string script = "DROP TABLE IF EXISTS " + fresh + "; CREATE TABLE " + fresh + create + "; INSERT INTO " +
                         fresh + " (" + t.copied + ") SELECT " + t.copied + " FROM " + name + "; DROP TABLE " +
                         name + "; ALTER TABLE " + fresh + " RENAME TO " + name;
    if (auto s = c.exec_script(script); !s)
      return Error(s.error().kind, "rebuilding " + name + " with one b-tree: " + s.error().message);
  }
  return ok_status();
}

}  // namespace bastion::gateway
