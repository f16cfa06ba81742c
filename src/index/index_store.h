// Persists the index in SQLite (WAL), one row per file: identity columns
// (mtime, size, hash) that incremental refresh compares cheaply, plus the
// encoded symbols and terms. The database for a repository lives at
// cache_dir()/index/<xxh64 of the repo's real path>.db.
//
// Every write transaction bumps a generation counter and stamps the rows it
// writes (and the paths it deletes) with it, so a reader holding a snapshot
// of generation G loads only what changed after G (load_since).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "index/file_entry.h"
#include "util/result.h"

struct sqlite3;

namespace bastion::index {

// cache_dir()/index/<hash>.db for a resolved repository root.
std::string default_db_path(const std::string& root);

class IndexStore {
 public:
  // Opens or creates the database (and its directory). A database written
  // by an incompatible schema is cleared, so it is rebuilt, never misread.
  static Result<std::unique_ptr<IndexStore>> open(const std::string& db_path);
  ~IndexStore();
  IndexStore(const IndexStore&) = delete;
  IndexStore& operator=(const IndexStore&) = delete;

  // Random id fixed when the database was created: a snapshot derived from
  // another database (deleted and recreated) is never trusted.
  uint64_t id() const { return id_; }

  struct Delta {
    std::vector<FileEntry> upserts;  // rows written after the generation
    std::vector<std::string> removed;
    uint64_t generation = 0;  // the database's current generation
  };
  // Every stored file (as `upserts`). Rows that fail to decode come back
  // with hash 0, so the next refresh re-indexes them.
  Result<Delta> load_all() { return load_since(0, true); }
  // Rows written and paths deleted after `generation`, read consistently.
  Result<Delta> load_since(uint64_t generation, bool all = false);

  struct Touch {
    std::string path;
    int64_t mtime_ns;
    int64_t size;
  };
  // One transaction: inserts or replaces `upserts`, deletes `removed` paths,
  // updates the identity of `touched` (same content, new mtime). Returns the
  // new generation (the old one when there was nothing to write).
  Result<uint64_t> apply(const std::vector<const FileEntry*>& upserts,
                         const std::vector<std::string>& removed,
                         const std::vector<Touch>& touched = {});


 private:
  explicit IndexStore(sqlite3* db) : db_(db) {}
  Status exec(const char* sql);
  Result<uint64_t> meta_int(const char* key);
  sqlite3* db_;
  uint64_t id_ = 0;
  uint64_t generation_ = 0;
};

}  // namespace bastion::index
