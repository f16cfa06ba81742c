// The index snapshot: one immutable, mmap-ed file beside the SQLite database
// holding everything a query reads (per-file identity and lengths, postings
// per term, the name -> defining-files table, each file's encoded symbols)
// in ready-to-use form, with hash tables for paths, terms and names. Opening
// it costs a few milliseconds whatever the repository's size, where decoding
// every SQLite row cost hundreds; a query touches only its terms' postings
// and the candidate files' symbols.
//
// The snapshot is derived data: the database stays the source of truth. It
// is stamped with the database generation it reflects (rows written later
// are overlaid at open, see CodeIndex) and carries a hash of its body, so a
// torn, corrupt or old-version file is rejected and rebuilt, never trusted.
// Writers write a temp file and rename it over, so a kill -9 mid-write leaves
// the previous snapshot (or none) in place.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/key_ids.h"
#include "index/languages.h"
#include "util/result.h"

namespace bastion::index {

struct Posting {
  uint32_t slot;
  uint32_t tf;
};

// One file's fixed-size record, as stored.
struct SnapshotFile {
  uint32_t path_off, path_len;
  int64_t mtime_ns;
  int64_t size;
  uint64_t hash;
  uint32_t sym_off, sym_len;  // encode_symbols() bytes
  uint32_t lines;
  uint32_t term_count;
  uint32_t lang;  // Lang value
  uint32_t reserved;
};

class Snapshot {
 public:
  // Maps and validates `path`. Errors (missing, torn, corrupt, other
  // version) mean "rebuild": the caller falls back to the database.
  static Result<std::unique_ptr<Snapshot>> open(const std::string& path);
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  uint64_t generation() const { return generation_; }
  // Identity of the database it was derived from (IndexStore::id()).
  uint64_t db_id() const { return db_id_; }
  uint32_t file_count() const { return nfiles_; }
  uint64_t total_terms() const { return total_terms_; }

  const SnapshotFile& file(uint32_t slot) const { return files_[slot]; }
  std::string_view path(uint32_t slot) const;
  std::string_view symbols_data(uint32_t slot) const;
  std::optional<uint32_t> find_path(std::string_view path) const;
  // Sorted by slot; empty when the term is unknown.
  std::span<const Posting> postings(std::string_view term) const;
  std::span<const uint32_t> definers(std::string_view name) const;

  // Every term with its postings (for rewriting the snapshot).
  template <typename Fn>
  void for_each_term(Fn&& fn) const {
    for (uint32_t i = 0; i < nterms_; ++i)
      fn(str(terms_[i].str_off, terms_[i].str_len),
         std::span<const Posting>(postings_ + terms_[i].off, terms_[i].count));
  }
  template <typename Fn>
  void for_each_name(Fn&& fn) const {
    for (uint32_t i = 0; i < nnames_; ++i)
      fn(str(names_[i].str_off, names_[i].str_len),
         std::span<const uint32_t>(name_slots_ + names_[i].off, names_[i].count));
  }

  struct KeyRec {
    uint32_t str_off, str_len, off, count;
  };

 private:
  Snapshot() = default;
  std::string_view str(uint32_t off, uint32_t len) const { return {blob_ + off, len}; }
  // Slot/record index + 1 of `key` in a table, 0 when absent.
  template <typename Eq>
  uint32_t probe(const uint32_t* table, uint32_t cap, std::string_view key, Eq&& eq) const;

  void* map_ = nullptr;
  size_t map_size_ = 0;
  uint64_t generation_ = 0;
  uint64_t db_id_ = 0;
  uint64_t total_terms_ = 0;
  uint32_t nfiles_ = 0, nterms_ = 0, nnames_ = 0;
  uint32_t path_cap_ = 0, term_cap_ = 0, name_cap_ = 0;
  const SnapshotFile* files_ = nullptr;
  const uint32_t* path_table_ = nullptr;
  const KeyRec* terms_ = nullptr;
  const uint32_t* term_table_ = nullptr;
  const Posting* postings_ = nullptr;
  const KeyRec* names_ = nullptr;
  const uint32_t* name_table_ = nullptr;
  const uint32_t* name_slots_ = nullptr;
  const char* blob_ = nullptr;
  uint64_t blob_size_ = 0;
};

// Collects files, postings and definers, then writes a snapshot. Slots are
// assigned in add_file() order; postings and definers must name them.
class SnapshotWriter {
 public:
  struct FileInfo {
    std::string_view path;
    int64_t mtime_ns = 0;
    int64_t size = 0;
    uint64_t hash = 0;
    Lang lang = Lang::kNone;
    uint32_t lines = 0;
    uint32_t term_count = 0;
    std::string_view symbols_data;  // encode_symbols() bytes
  };
  uint32_t add_file(const FileInfo& info);
  // Postings for a slot may arrive in any order; each (term, slot) once.
  void add_posting(std::string_view term, uint32_t slot, uint32_t tf);
  void add_definer(std::string_view name, uint32_t slot);
  uint32_t file_count() const { return static_cast<uint32_t>(files_.size()); }

  // Writes `path` atomically (temp file + rename), stamped with the
  // database's id and the generation the content reflects.
  Status write(const std::string& path, uint64_t db_id, uint64_t generation);

 private:
  uint32_t intern(std::string_view s);
  std::vector<SnapshotFile> files_;
  std::string blob_;
  KeyIds terms_;
  std::vector<std::vector<Posting>> postings_;  // by term id
  KeyIds names_;
  std::vector<std::vector<uint32_t>> definers_;  // by name id
  uint64_t total_terms_ = 0;
};

// The snapshot file for a database path.
std::string snapshot_path_for(const std::string& db_path);

}  // namespace bastion::index
