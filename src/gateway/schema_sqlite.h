// SQLite's form of the per-request tables: gw_requests and gw_audit with
// one b-tree each, created, or rebuilt once from an older database, inside
// the caller's schema transaction (schema_sqlite.cc says why).
#pragma once

#include "gateway/sql_conn.h"
#include "util/result.h"

namespace bastion::gateway {

Status sqlite_single_btree_tables(SqlConn& c);

}  // namespace bastion::gateway
