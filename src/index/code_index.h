// CodeIndex: the live view of one repository's index. It keeps per-file
// identity, symbols and terms, an inverted index for BM25 and a name ->
// defining-files table for the repo map, and updates them incrementally:
// refresh() walks the tree and re-reads only files whose mtime or size
// changed (then skips those whose content hash is unchanged), in parallel;
// notify_file_changed() re-indexes one path at once, for edits the agent
// makes. Search and the repo map call refresh() before answering, so results
// are never stale. With IndexOptions::watch, inotify tells refresh() which
// files changed, and it walks the tree only when the set of files may have
// changed. All public members are thread-safe.
//
// Storage: the SQLite store is the source of truth; an mmap-ed snapshot
// (index_snapshot.h) holds the bulk in query-ready form, and files changed
// since the snapshot live in memory on top of it (loaded from the rows the
// store wrote after the snapshot's generation). Opening costs a few
// milliseconds instead of decoding every row; refresh() rewrites the
// snapshot when the in-memory part grows.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "index/analysis_twins.h"
#include "index/derived_cache.h"
#include "index/file_entry.h"
#include "index/index_snapshot.h"
#include "index/index_store.h"
#include "index/index_view.h"
#include "index/tokenize.h"
#include "index/tree_watcher.h"
#include "util/result.h"

namespace bastion::index {

// Lists the repo-relative paths to index under a root. When `dirs` is not
// null it also receives the directories walked ("" = root), for watching.
using FileLister =
    std::function<std::vector<std::string>(const std::string& root, std::vector<std::string>* dirs)>;
using ProgressFn = std::function<void(size_t done, size_t total)>;

struct IndexOptions {
  FileLister lister;            // required
  std::string db_path;          // "" = default_db_path(root); ":memory:" = not persisted
  int threads = 0;              // 0 = hardware concurrency
  int64_t max_file_bytes = 1 << 20;  // larger or binary files: indexed by path only
  // Long-lived owners (an agent session): watch the tree with inotify so a
  // refresh re-reads only the files that changed instead of walking it
  // (tree_watcher.h). One-shot commands leave it off.
  bool watch = false;
  // A refresh that must analyse more than this many files (the cold build
  // of a big tree) indexes text and paths first, so search can answer in
  // seconds, and leaves symbols pending for complete_symbols(). 0 = never.
  size_t defer_symbols_over = 0;
  // Long-lived owners: after a refresh that deferred symbols, complete
  // them on a background thread (queries meanwhile see text and paths).
  bool background_symbols = false;
};

struct RefreshStats {
  size_t files = 0;      // files in the tree
  size_t analyzed = 0;   // parsed and tokenised (new or changed content)
  size_t touched = 0;    // mtime changed but content identical
  size_t reused = 0;     // of `analyzed`: copied from a byte-identical file, not parsed
  size_t removed = 0;
  size_t symbols_pending = 0;  // of `analyzed`: symbols deferred (IndexOptions)
  bool walked = true;    // false: only the files the watcher reported were looked at
  double seconds = 0;
  // Where `seconds` went: reading and analysing files (in parallel), adding
  // them to the in-memory index, writing the database, writing the snapshot.
  double analyze_seconds = 0, merge_seconds = 0, store_seconds = 0, snapshot_seconds = 0;
};

class CodeIndex {
 public:
  // `root` is resolved to its real path. Loads what the store holds (the
  // snapshot plus later rows); call refresh() to bring it up to date.
  static Result<std::unique_ptr<CodeIndex>> open(const std::string& root, IndexOptions options);

  Result<RefreshStats> refresh(const ProgressFn& progress = nullptr);
  // Parses the files whose symbols a refresh deferred (in this process or
  // another), in parallel, and folds them in. Files edited meanwhile are
  // re-read; files another refresh replaced meanwhile are left to it.
  Result<RefreshStats> complete_symbols(const ProgressFn& progress = nullptr);
  // Files whose symbols are still pending.
  size_t symbols_pending() const;
  ~CodeIndex();
  // Re-indexes one file (absolute or repo-relative) now, or drops it when it
  // no longer exists. Paths outside the root are ignored.
  void notify_file_changed(const std::string& path);

  // Rewrites the snapshot from the current state (refresh() does this when
  // the part held in memory grows). No-op for ":memory:" indexes.
  Status write_snapshot();
  // True when the current state came from a valid snapshot or was just
  // written to one (for tests and diagnostics).
  bool has_snapshot() const;

  const std::string& root() const { return root_; }

  // Read access for search and the repo map: `fn` runs under the lock.
  using View = IndexView;
  void read(const std::function<void(const View&)>& fn) const;

 private:
  friend class IndexView;
  CodeIndex(std::string root, IndexOptions options) : root_(std::move(root)), opt_(std::move(options)) {}

  struct Ident {
    int64_t mtime_ns = 0, size = 0;
    uint64_t hash = 0;
  };
  std::optional<uint32_t> slot_of_locked(std::string_view path) const;
  bool live_locked(uint32_t slot) const;
  Ident ident_locked(uint32_t slot) const;
  std::string path_locked(uint32_t slot) const;
  // Adds (or replaces) a file in memory.
  void add_locked(FileEntry entry);
  void remove_locked(const std::string& path);
  // Records new mtime/size for unchanged content.
  void touch_locked(uint32_t slot, int64_t mtime_ns, int64_t size);
  // Loads `snap` as the base and drops the in-memory part.
  void adopt_snapshot_locked(std::unique_ptr<Snapshot> snap);
  // Writes and adopts a snapshot of the current state plus `extra`: files
  // analysed but not added (their old versions already removed). `adopted`
  // is false when another process's snapshot replaced ours meanwhile; then
  // `extra` is still the caller's to add.
  Status write_snapshot_locked(std::span<FileEntry* const> extra = {}, bool* adopted = nullptr);
  // True when the snapshot should be rewritten, with `pending` more files
  // about to be added in memory.
  bool should_compact_locked(size_t pending = 0) const;
  bool stat_file(const std::string& rel, int64_t& mtime_ns, int64_t& size) const;
  // Reads and analyses `e` (path/mtime/size set); false if unreadable.
  // With `twins`, identical content analysed earlier is copied, not parsed
  // (`reused` set), and `e` is recorded there once analysed.
  bool load_content(FileEntry& e, uint64_t previous_hash, bool& unchanged,
                    AnalysisTwins* twins = nullptr, bool* reused = nullptr,
                    bool parse_symbols = true) const;

  // The paths a refresh must look at: the watcher's changed files when it
  // vouches for the rest, else a full listing (then watching what was walked).
  std::vector<std::string> paths_to_check(bool& walked);
  // Brings `paths` up to date. `walked`: they are the whole tree, so known
  // files not among them are removed. `complete`: re-analyse each with its
  // symbols even when unchanged, unless another refresh replaced it since.
  Result<RefreshStats> refresh_paths(std::vector<std::string> paths, bool walked, bool complete,
                                     const ProgressFn& progress);
  // Calls fn(path) for each live file whose symbols are pending.
  void for_each_pending_locked(const std::function<void(std::string_view)>& fn) const;
  void start_background_symbols();

  std::string root_;
  IndexOptions opt_;
  std::unique_ptr<TreeWatcher> watcher_;  // with opt_.watch, once refreshed
  bool rewalk_ = false;  // watches were added after a walk: walk once more
  std::string snap_path_;  // "" = no snapshot (":memory:")
  std::unique_ptr<IndexStore> store_;
  mutable std::mutex mu_;

  // Base: the snapshot's files at slots [0, base_).
  std::unique_ptr<Snapshot> snap_;
  uint32_t base_ = 0;
  std::vector<uint8_t> snap_dead_;  // replaced or removed since the snapshot
  size_t snap_dead_count_ = 0;
  std::unordered_map<uint32_t, std::pair<int64_t, int64_t>> snap_touched_;  // new mtime, size
  mutable std::unordered_map<uint32_t, FileSymbols> snap_symbols_;          // decoded on demand
  bool snapshot_stale_ = true;  // no valid snapshot reflects the state
  uint64_t generation_ = 0;     // store generation the state reflects

  // In memory: files indexed since the snapshot, at slots base_ + i.
  std::vector<FileEntry> slots_;
  std::vector<bool> live_;
  std::vector<uint32_t> free_;
  std::unordered_map<std::string, uint32_t> by_path_;  // -> absolute slot
  std::unordered_map<std::string, std::vector<Posting>> postings_;
  std::unordered_map<std::string, std::vector<uint32_t>, TermHash, std::equal_to<>> definers_;
  size_t mem_live_ = 0;

  uint64_t total_terms_ = 0;
  size_t live_count_ = 0;
  // Bumped by every change to the files held (add, remove, new snapshot):
  // `derived_` is valid for one version.
  uint64_t version_ = 1;
  mutable DerivedCache derived_;

  std::mutex background_mu_;
  std::thread background_;  // completes deferred symbols (background_symbols)
  std::atomic<bool> background_busy_{false};
  std::atomic<bool> background_checked_{false};  // looked for pending symbols since opening
  std::atomic<bool> stopping_{false};  // the destructor asks passes to stop
};

}  // namespace bastion::index
