// CodeIndex::refresh() and notify_file_changed(): bringing the index up to
// date with the files on disk (see code_index.h).
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "index/code_index.h"
#include "index/walker_git.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::index {

bool CodeIndex::stat_file(const std::string& rel, int64_t& mtime_ns, int64_t& size) const {
  struct stat st;
  if (::stat((root_ + "/" + rel).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  size = st.st_size;
  return true;
}

bool CodeIndex::load_content(FileEntry& e, uint64_t previous_hash, bool& unchanged,
                             AnalysisTwins* twins, bool* reused, bool parse_symbols) const {
  unchanged = false;
  if (reused) *reused = false;
  std::string content;
  if (e.size <= opt_.max_file_bytes) {
    auto r = fs::read_file(root_ + "/" + e.path);
    if (!r.ok()) return false;
    content = std::move(r.value());
  }
  uint64_t h = content_hash(content) ^ static_cast<uint64_t>(e.size);
  if (previous_hash != 0 && h == previous_hash) {
    unchanged = true;
    return true;
  }
  if (str::looks_binary(content)) content.clear();
  const FileEntry* twin = twins ? twins->find(h, lang_for_path(e.path)) : nullptr;
  if (twin) {
    analyze_file_like(*twin, e);
    if (reused) *reused = true;
  } else {
    analyze_file(content, e, parse_symbols);
  }
  e.hash = h;  // identity of the bytes on disk, even when not analysed
  if (twins && !twin) twins->add(&e);
  return true;
}

std::vector<std::string> CodeIndex::paths_to_check(bool& walked) {
  walked = true;
  if (opt_.watch) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!watcher_) {
      GitRepo repo = find_repo(root_);
      std::string info = repo.common_dir.empty() ? "" : repo.common_dir + "/info";
      watcher_ = std::make_unique<TreeWatcher>(root_, repo.git_dir, info);
    }
    TreeWatcher::Changes changes = watcher_->drain();
    if (!changes.structural && !rewalk_) {
      walked = false;
      std::vector<std::string> known;  // others are ignored files: new ones are structural
      for (std::string& p : changes.modified)
        if (slot_of_locked(p)) known.push_back(std::move(p));
      return known;
    }
  }
  std::vector<std::string> dirs;
  std::vector<std::string> paths = opt_.lister(root_, opt_.watch ? &dirs : nullptr);
  if (opt_.watch) {
    // Tracked files inside ignored directories are listed but their
    // directories are not walked: watch those too.
    for (const std::string& p : paths) {
      size_t slash = p.rfind('/');
      dirs.push_back(slash == std::string::npos ? "" : p.substr(0, slash));
    }
    std::sort(dirs.begin(), dirs.end());
    dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
    std::lock_guard<std::mutex> lock(mu_);
    // A change made between the walk and a new watch was seen by neither:
    // the next refresh walks again, after which the watches vouch.
    rewalk_ = watcher_->watch_dirs(dirs) > 0;
  }
  return paths;
}

Result<RefreshStats> CodeIndex::refresh(const ProgressFn& progress) {
  bool walked = true;
  std::vector<std::string> paths = paths_to_check(walked);
  auto stats = refresh_paths(std::move(paths), walked, /*complete=*/false, progress);
  // Pending symbols come from this refresh or from an earlier owner that
  // closed before completing them (looked for once per open).
  if (stats.ok() && opt_.background_symbols &&
      (stats.value().symbols_pending > 0 || !background_checked_.exchange(true)) &&
      symbols_pending() > 0)
    start_background_symbols();
  return stats;
}

Result<RefreshStats> CodeIndex::complete_symbols(const ProgressFn& progress) {
  std::vector<std::string> paths;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for_each_pending_locked([&](std::string_view p) { paths.emplace_back(p); });
  }
  if (paths.empty()) return RefreshStats{.walked = false};
  return refresh_paths(std::move(paths), /*walked=*/false, /*complete=*/true, progress);
}

size_t CodeIndex::symbols_pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for_each_pending_locked([&n](std::string_view) { ++n; });
  return n;
}

void CodeIndex::for_each_pending_locked(const std::function<void(std::string_view)>& fn) const {
  for (uint32_t s = 0; s < base_; ++s)
    if (!snap_dead_[s] && index::symbols_pending(snap_->symbols_data(s))) fn(snap_->path(s));
  for (size_t i = 0; i < slots_.size(); ++i)
    if (live_[i] && slots_[i].symbols.pending) fn(slots_[i].path);
}

void CodeIndex::start_background_symbols() {
  std::lock_guard<std::mutex> lock(background_mu_);
  if (background_busy_.exchange(true)) return;
  if (background_.joinable()) background_.join();  // an earlier pass, finished
  background_ = std::thread([this] {
    // A failure leaves the files pending for the next pass; the index
    // stays correct for text and paths meanwhile.
    (void)complete_symbols();
    background_busy_ = false;
  });
}

CodeIndex::~CodeIndex() {
  stopping_ = true;
  std::lock_guard<std::mutex> lock(background_mu_);
  if (background_.joinable()) background_.join();
}

Result<RefreshStats> CodeIndex::refresh_paths(std::vector<std::string> paths, bool walked,
                                              bool complete, const ProgressFn& progress) {
  auto t0 = std::chrono::steady_clock::now();
  RefreshStats stats;
  stats.walked = walked;
  stats.files = paths.size();

  // Snapshot what we know, then stat and (re)analyse outside the lock.
  struct Job {
    FileEntry entry;
    uint64_t old_hash = 0;
    uint32_t slot = 0;
    bool known = false;
    int state = 0;  // 0 unchanged, 1 analysed, 2 touched, 3 vanished
    bool reused = false;
  };
  std::vector<Job> jobs(paths.size());
  size_t unknown = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < paths.size(); ++i) {
      jobs[i].entry.path = std::move(paths[i]);
      if (auto slot = slot_of_locked(jobs[i].entry.path)) {
        Ident id = ident_locked(*slot);
        jobs[i].known = true;
        jobs[i].slot = *slot;
        jobs[i].old_hash = id.hash;
        jobs[i].entry.mtime_ns = id.mtime_ns;
        jobs[i].entry.size = id.size;
      } else {
        ++unknown;
      }
    }
  }
  const bool parse_symbols =
      complete || opt_.defer_symbols_over == 0 || unknown <= opt_.defer_symbols_over;
  int nthreads = opt_.threads > 0 ? opt_.threads
                                  : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0}, done{0};
  AnalysisTwins twins;  // points into `jobs`, which no longer grows
  auto work = [&](bool report) {
    for (size_t i; (i = next.fetch_add(1)) < jobs.size() && !stopping_;) {
      Job& j = jobs[i];
      int64_t mtime = 0, size = 0;
      if (complete && !j.known) {
        // Dropped since it was listed as pending: nothing to complete.
      } else if (!stat_file(j.entry.path, mtime, size)) {
        j.state = 3;
      } else if (complete || !j.known || mtime != j.entry.mtime_ns || size != j.entry.size ||
                 j.old_hash == 0) {
        j.entry.mtime_ns = mtime;
        j.entry.size = size;
        bool unchanged = false;
        if (!load_content(j.entry, complete ? 0 : j.old_hash, unchanged, &twins, &j.reused,
                          parse_symbols))
          j.state = 3;
        else j.state = unchanged ? 2 : 1;
      }
      size_t d = done.fetch_add(1) + 1;
      if (report && progress && (d % 64 == 0 || d == jobs.size())) progress(d, jobs.size());
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < nthreads && jobs.size() > 64; ++t) pool.emplace_back(work, false);
  work(true);
  for (auto& th : pool) th.join();
  if (stopping_) return make_error(ErrorKind::kInternal, "index refresh stopped: the index is closing");
  if (progress) progress(jobs.size(), jobs.size());
  auto since = [](std::chrono::steady_clock::time_point& t) {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - t).count();
    t = now;
    return s;
  };
  auto t = t0;
  stats.analyze_seconds = since(t);

  std::lock_guard<std::mutex> lock(mu_);
  if (complete) {
    // Another refresh may have replaced or dropped a file since it was
    // listed as pending: its state is newer than ours, keep it.
    for (Job& j : jobs) {
      auto slot = slot_of_locked(j.entry.path);
      if (!slot || *slot != j.slot || ident_locked(*slot).hash != j.old_hash) j.state = 0;
    }
  }
  // Files we know that are no longer listed (or vanished) go; after a
  // watcher-guided look, only those that vanished.
  std::vector<std::string> removed;
  if (stats.walked) {
    std::vector<uint8_t> keep(base_ + slots_.size(), 0);
    for (const Job& j : jobs)
      if (j.known && j.state != 3 && j.slot < keep.size()) keep[j.slot] = 1;
    for (uint32_t s = 0; s < keep.size(); ++s)
      if (!keep[s] && live_locked(s)) removed.push_back(path_locked(s));
  } else {
    for (const Job& j : jobs)
      if (j.known && j.state == 3 && live_locked(j.slot)) removed.push_back(j.entry.path);
  }
  for (const std::string& p : removed) remove_locked(p);
  stats.removed = removed.size();

  std::vector<FileEntry*> fresh;  // analysed, not yet added
  std::vector<IndexStore::Touch> touched;
  for (Job& j : jobs) {
    if (j.state == 1) {
      ++stats.analyzed;
      stats.reused += j.reused;
      stats.symbols_pending += j.entry.symbols.pending;
      fresh.push_back(&j.entry);
    } else if (j.state == 2) {
      ++stats.touched;
      touch_locked(j.slot, j.entry.mtime_ns, j.entry.size);
      touched.push_back({j.entry.path, j.entry.mtime_ns, j.entry.size});
    }
  }
  std::vector<const FileEntry*> upserts(fresh.begin(), fresh.end());
  auto add_fresh = [&] {
    for (FileEntry* e : fresh) add_locked(std::move(*e));
    fresh.clear();
  };
  // Bulk (a cold build, a branch switch): the snapshot is rewritten anyway,
  // so the new files go from the jobs straight into it instead of through
  // the in-memory tables first.
  const bool bulk = should_compact_locked(fresh.size());
  if (bulk) {
    for (FileEntry* e : fresh) remove_locked(e->path);
  } else {
    // Pointers into slots_ only after adding: adding may move them.
    std::vector<std::string> paths;
    for (const FileEntry* e : fresh) paths.push_back(e->path);
    add_fresh();
    upserts.clear();
    for (const std::string& p : paths) upserts.push_back(&slots_[by_path_[p] - base_]);
  }
  stats.merge_seconds = since(t);
  auto gen = store_->apply(upserts, removed, touched);
  stats.store_seconds = since(t);
  if (!gen.ok()) {
    add_fresh();  // as on the incremental path: memory holds the new state
    return gen.error();
  }
  if (!upserts.empty() || !removed.empty() || !touched.empty()) generation_ = gen.value();
  if (bulk || should_compact_locked()) {
    // A failed snapshot write costs speed, not correctness: the rows are
    // committed, and the next open falls back to them.
    bool adopted = false;
    (void)write_snapshot_locked(fresh, &adopted);
    if (!adopted) add_fresh();
    stats.snapshot_seconds = since(t);
  }
  stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

void CodeIndex::notify_file_changed(const std::string& path) {
  std::string abs = fs::absolute(path, root_);
  if (!fs::is_within(abs, root_) || abs == root_) return;
  std::string rel = fs::relative_to(abs, root_);
  FileEntry e;
  e.path = rel;
  uint64_t old_hash = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto slot = slot_of_locked(rel)) old_hash = ident_locked(*slot).hash;
  }
  bool unchanged = false;
  bool present = stat_file(rel, e.mtime_ns, e.size) && load_content(e, old_hash, unchanged);
  std::lock_guard<std::mutex> lock(mu_);
  auto slot = slot_of_locked(rel);
  Result<uint64_t> gen = generation_;
  if (!present) {
    if (!slot) return;
    remove_locked(rel);
    gen = store_->apply({}, {rel});
  } else if (unchanged && slot) {
    touch_locked(*slot, e.mtime_ns, e.size);
    gen = store_->apply({}, {}, {{rel, e.mtime_ns, e.size}});
  } else {
    if (unchanged) return;  // removed meanwhile; the next refresh sees it
    add_locked(std::move(e));
    gen = store_->apply({&slots_[by_path_[rel] - base_]}, {});
  }
  if (gen.ok()) generation_ = gen.value();
}

}  // namespace bastion::index
