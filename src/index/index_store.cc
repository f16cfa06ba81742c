#include "index/index_store.h"

#include <sqlite3.h>
#include <xxhash.h>

#include <cstdio>

#include "store/sqlite.h"
#include "util/fs.h"

namespace bastion::index {
namespace {

constexpr uint64_t kSchemaVersion = 2;

Error db_error(sqlite3* db, const std::string& what) {
  return make_error(ErrorKind::kIo, "index database: " + what + ": " +
                                        (db ? sqlite3_errmsg(db) : "out of memory"));
}

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

}  // namespace

std::string default_db_path(const std::string& root) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.db",
                static_cast<unsigned long long>(XXH3_64bits(root.data(), root.size())));
  return fs::cache_dir() + "/index/" + name;
}

Result<std::unique_ptr<IndexStore>> IndexStore::open(const std::string& db_path) {
  size_t slash = db_path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    Status st = fs::make_dirs(db_path.substr(0, slash));
    if (!st.ok()) return st.error();
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) {
    Error e = db_error(db, "cannot open " + db_path);
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<IndexStore> store(new IndexStore(db));
  Status st = store::enable_wal(db, db_path);
  if (st.ok()) st = store->exec(
      "PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);");
  if (!st.ok()) return st.error();
  auto version = store->meta_int("schema");
  if (!version.ok()) return version.error();
  if (version.value() != kSchemaVersion) {
    // Another layout: drop it, so the index is rebuilt, never misread. A new
    // id makes any snapshot derived from the old tables stale.
    uint64_t id = 0;
    while (id == 0) sqlite3_randomness(sizeof id, &id);
    id &= 0x7fffffffffffffffull;
    std::string sql =
        "BEGIN IMMEDIATE; DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS removed;"
        "CREATE TABLE files(path TEXT PRIMARY KEY, mtime INTEGER, size INTEGER, hash INTEGER,"
        " gen INTEGER, data BLOB);"
        "CREATE INDEX files_gen ON files(gen);"
        "CREATE TABLE removed(path TEXT PRIMARY KEY, gen INTEGER);"
        "INSERT OR REPLACE INTO meta VALUES('id','" + std::to_string(id) + "');"
        "INSERT OR REPLACE INTO meta VALUES('gen','0');"
        "INSERT OR REPLACE INTO meta VALUES('schema','" + std::to_string(kSchemaVersion) + "');"
        "COMMIT;";
    st = store->exec(sql.c_str());
    if (!st.ok()) {
      (void)store->exec("ROLLBACK");
      return st.error();
    }
  }
  auto id = store->meta_int("id");
  if (!id.ok()) return id.error();
  store->id_ = static_cast<uint64_t>(id.value());
  return store;
}

IndexStore::~IndexStore() { sqlite3_close(db_); }

Status IndexStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return make_error(ErrorKind::kIo, std::string("index database: ") + msg);
  }
  return ok_status();
}

Result<uint64_t> IndexStore::meta_int(const char* key) {
  Stmt q;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key=?", -1, &q.s, nullptr) !=
      SQLITE_OK)
    return db_error(db_, "query");
  sqlite3_bind_text(q.s, 1, key, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q.s);
  if (rc == SQLITE_ROW) return static_cast<uint64_t>(sqlite3_column_int64(q.s, 0));
  if (rc == SQLITE_DONE) return uint64_t{0};
  return db_error(db_, "read");
}

Result<IndexStore::Delta> IndexStore::load_since(uint64_t generation, bool all) {
  Delta out;
  Status st = exec("BEGIN");  // one read snapshot for the generation and the rows
  if (!st.ok()) return st.error();
  struct EndRead {
    IndexStore* s;
    ~EndRead() { (void)s->exec("COMMIT"); }
  } end{this};
  auto gen = meta_int("gen");
  if (!gen.ok()) return gen.error();
  out.generation = gen.value();
  Stmt q;
  const char* sql = all ? "SELECT path, mtime, size, hash, data FROM files"
                        : "SELECT path, mtime, size, hash, data FROM files WHERE gen>?";
  if (sqlite3_prepare_v2(db_, sql, -1, &q.s, nullptr) != SQLITE_OK) return db_error(db_, "query");
  if (!all) sqlite3_bind_int64(q.s, 1, static_cast<sqlite3_int64>(generation));
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
    FileEntry e;
    e.path = reinterpret_cast<const char*>(sqlite3_column_text(q.s, 0));
    e.mtime_ns = sqlite3_column_int64(q.s, 1);
    e.size = sqlite3_column_int64(q.s, 2);
    e.hash = static_cast<uint64_t>(sqlite3_column_int64(q.s, 3));
    std::string_view data(static_cast<const char*>(sqlite3_column_blob(q.s, 4)),
                          static_cast<size_t>(sqlite3_column_bytes(q.s, 4)));
    if (!decode_entry_data(data, e)) {
      FileEntry blank;
      blank.path = std::move(e.path);
      e = std::move(blank);  // hash 0: re-indexed on the next refresh
    }
    out.upserts.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return db_error(db_, "read");
  if (!all) {
    Stmt r;
    if (sqlite3_prepare_v2(db_, "SELECT path FROM removed WHERE gen>?", -1, &r.s, nullptr) !=
        SQLITE_OK)
      return db_error(db_, "query");
    sqlite3_bind_int64(r.s, 1, static_cast<sqlite3_int64>(generation));
    while ((rc = sqlite3_step(r.s)) == SQLITE_ROW)
      out.removed.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(r.s, 0)));
    if (rc != SQLITE_DONE) return db_error(db_, "read");
  }
  generation_ = out.generation;
  return out;
}

Result<uint64_t> IndexStore::apply(const std::vector<const FileEntry*>& upserts,
                                   const std::vector<std::string>& removed,
                                   const std::vector<Touch>& touched) {
  if (upserts.empty() && removed.empty() && touched.empty()) return generation_;
  Status st = exec("BEGIN IMMEDIATE");
  if (!st.ok()) return st.error();
  auto fail = [&](const std::string& what) {
    Error e = db_error(db_, what);
    (void)exec("ROLLBACK");
    return e;
  };
  auto cur = meta_int("gen");
  if (!cur.ok()) {
    (void)exec("ROLLBACK");
    return cur.error();
  }
  const sqlite3_int64 gen = static_cast<sqlite3_int64>(cur.value() + 1);
  Stmt ins, del, tomb, touch, setgen;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO files VALUES(?,?,?,?,?,?)", -1, &ins.s,
                         nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db_, "DELETE FROM files WHERE path=?", -1, &del.s, nullptr) !=
          SQLITE_OK ||
      sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO removed VALUES(?,?)", -1, &tomb.s,
                         nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db_, "UPDATE files SET mtime=?, size=?, gen=? WHERE path=?", -1,
                         &touch.s, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db_, "UPDATE meta SET value=? WHERE key='gen'", -1, &setgen.s,
                         nullptr) != SQLITE_OK)
    return fail("prepare");
  for (const FileEntry* e : upserts) {
    std::string data = encode_entry_data(*e);
    sqlite3_bind_text(ins.s, 1, e->path.data(), static_cast<int>(e->path.size()), SQLITE_STATIC);
    sqlite3_bind_int64(ins.s, 2, e->mtime_ns);
    sqlite3_bind_int64(ins.s, 3, e->size);
    sqlite3_bind_int64(ins.s, 4, static_cast<sqlite3_int64>(e->hash));
    sqlite3_bind_int64(ins.s, 5, gen);
    sqlite3_bind_blob(ins.s, 6, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(ins.s) != SQLITE_DONE) return fail("write");
    sqlite3_reset(ins.s);
  }
  for (const std::string& p : removed) {
    sqlite3_bind_text(del.s, 1, p.data(), static_cast<int>(p.size()), SQLITE_STATIC);
    sqlite3_bind_text(tomb.s, 1, p.data(), static_cast<int>(p.size()), SQLITE_STATIC);
    sqlite3_bind_int64(tomb.s, 2, gen);
    if (sqlite3_step(del.s) != SQLITE_DONE || sqlite3_step(tomb.s) != SQLITE_DONE)
      return fail("delete");
    sqlite3_reset(del.s);
    sqlite3_reset(tomb.s);
  }
  for (const Touch& t : touched) {
    sqlite3_bind_int64(touch.s, 1, t.mtime_ns);
    sqlite3_bind_int64(touch.s, 2, t.size);
    sqlite3_bind_int64(touch.s, 3, gen);
    sqlite3_bind_text(touch.s, 4, t.path.data(), static_cast<int>(t.path.size()), SQLITE_STATIC);
    if (sqlite3_step(touch.s) != SQLITE_DONE) return fail("update");
    sqlite3_reset(touch.s);
  }
  sqlite3_bind_int64(setgen.s, 1, gen);
  if (sqlite3_step(setgen.s) != SQLITE_DONE) return fail("update");
  st = exec("COMMIT");
  if (!st.ok()) {
    (void)exec("ROLLBACK");
    return st.error();
  }
  generation_ = static_cast<uint64_t>(gen);
  return generation_;
}

}  // namespace bastion::index
