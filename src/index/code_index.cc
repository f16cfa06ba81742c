#include "index/code_index.h"

#include <algorithm>
#include <filesystem>

#include "util/fs.h"

namespace bastion::index {

Result<std::unique_ptr<CodeIndex>> CodeIndex::open(const std::string& root, IndexOptions options) {
  if (!options.lister) return make_error(ErrorKind::kInternal, "CodeIndex needs a file lister");
  std::string real = fs::resolve_real(root, std::filesystem::current_path().string());
  if (!fs::is_directory(real)) return make_error(ErrorKind::kNotFound, "not a directory: " + root);
  std::string db = options.db_path.empty() ? default_db_path(real) : options.db_path;
  std::unique_ptr<CodeIndex> index(new CodeIndex(real, std::move(options)));
  auto store = IndexStore::open(db);
  if (!store.ok()) return store.error();
  index->store_ = std::move(store.value());
  if (db != ":memory:") index->snap_path_ = snapshot_path_for(db);

  // Fast path: the snapshot, plus the rows written after it.
  if (!index->snap_path_.empty()) {
    auto snap = Snapshot::open(index->snap_path_);
    if (snap.ok() && snap.value()->db_id() == index->store_->id()) {
      auto delta = index->store_->load_since(snap.value()->generation());
      if (!delta.ok()) return delta.error();
      // A snapshot newer than the database is from a database since lost.
      if (delta->generation >= snap.value()->generation()) {
        index->adopt_snapshot_locked(std::move(snap.value()));
        index->snapshot_stale_ = false;
        for (const std::string& p : delta->removed) index->remove_locked(p);
        for (FileEntry& e : delta->upserts) index->add_locked(std::move(e));
        index->generation_ = delta->generation;
        return index;
      }
    }
  }
  // Slow path: decode every row; refresh() then writes a snapshot.
  auto all = index->store_->load_all();
  if (!all.ok()) return all.error();
  size_t terms = 0;
  for (const FileEntry& e : all->upserts) terms = std::max(terms, e.terms.size());
  index->postings_.reserve(terms * 4 + 1024);
  index->by_path_.reserve(all->upserts.size());
  for (FileEntry& e : all->upserts) index->add_locked(std::move(e));
  index->generation_ = all->generation;
  index->snapshot_stale_ = true;
  return index;
}

void CodeIndex::read(const std::function<void(const View&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  IndexView v(*this);
  fn(v);
}

bool CodeIndex::has_snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snap_ != nullptr && !snapshot_stale_;
}

std::optional<uint32_t> CodeIndex::slot_of_locked(std::string_view path) const {
  if (!by_path_.empty()) {
    auto it = by_path_.find(std::string(path));
    if (it != by_path_.end()) return it->second;
  }
  if (snap_) {
    auto s = snap_->find_path(path);
    if (s && !snap_dead_[*s]) return s;
  }
  return std::nullopt;
}

bool CodeIndex::live_locked(uint32_t slot) const {
  return slot < base_ ? !snap_dead_[slot] : live_[slot - base_];
}

CodeIndex::Ident CodeIndex::ident_locked(uint32_t slot) const {
  if (slot >= base_) {
    const FileEntry& e = slots_[slot - base_];
    return {e.mtime_ns, e.size, e.hash};
  }
  const SnapshotFile& f = snap_->file(slot);
  Ident id{f.mtime_ns, f.size, f.hash};
  auto t = snap_touched_.find(slot);
  if (t != snap_touched_.end()) {
    id.mtime_ns = t->second.first;
    id.size = t->second.second;
  }
  return id;
}

std::string CodeIndex::path_locked(uint32_t slot) const {
  return slot < base_ ? std::string(snap_->path(slot)) : slots_[slot - base_].path;
}

void CodeIndex::add_locked(FileEntry e) {
  remove_locked(e.path);
  ++version_;
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    i = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
    live_.push_back(false);
  }
  const uint32_t slot = base_ + i;
  for (auto& [term, tf] : e.terms) postings_[term].push_back({slot, tf});
  for (const Symbol& s : e.symbols.defs) {
    auto& v = definers_[s.name];
    if (v.empty() || v.back() != slot) v.push_back(slot);
  }
  total_terms_ += e.term_count;
  by_path_[e.path] = slot;
  slots_[i] = std::move(e);
  live_[i] = true;
  ++live_count_;
  ++mem_live_;
}

void CodeIndex::remove_locked(const std::string& path) {
  ++version_;
  auto it = by_path_.find(path);
  if (it == by_path_.end()) {
    // A snapshot file: mark it dead (its postings are filtered on read).
    if (!snap_) return;
    auto s = snap_->find_path(path);
    if (!s || snap_dead_[*s]) return;
    snap_dead_[*s] = 1;
    ++snap_dead_count_;
    total_terms_ -= snap_->file(*s).term_count;
    --live_count_;
    snap_touched_.erase(*s);
    snap_symbols_.erase(*s);
    return;
  }
  uint32_t slot = it->second;
  FileEntry& e = slots_[slot - base_];
  for (auto& [term, tf] : e.terms) {
    auto p = postings_.find(term);
    if (p == postings_.end()) continue;
    auto& v = p->second;
    v.erase(std::remove_if(v.begin(), v.end(), [&](const Posting& x) { return x.slot == slot; }),
            v.end());
    if (v.empty()) postings_.erase(p);
  }
  for (const Symbol& s : e.symbols.defs) {
    auto d = definers_.find(s.name);
    if (d == definers_.end()) continue;
    auto& v = d->second;
    v.erase(std::remove(v.begin(), v.end(), slot), v.end());
    if (v.empty()) definers_.erase(d);
  }
  total_terms_ -= e.term_count;
  e = FileEntry{};
  live_[slot - base_] = false;
  free_.push_back(slot - base_);
  by_path_.erase(it);
  --live_count_;
  --mem_live_;
}

void CodeIndex::touch_locked(uint32_t slot, int64_t mtime_ns, int64_t size) {
  if (slot >= base_) {
    slots_[slot - base_].mtime_ns = mtime_ns;
    slots_[slot - base_].size = size;
  } else {
    snap_touched_[slot] = {mtime_ns, size};
  }
}

void CodeIndex::adopt_snapshot_locked(std::unique_ptr<Snapshot> snap) {
  ++version_;
  snap_ = std::move(snap);
  base_ = snap_->file_count();
  snap_dead_.assign(base_, 0);
  snap_dead_count_ = 0;
  snap_touched_.clear();
  snap_symbols_.clear();
  slots_.clear();
  live_.clear();
  free_.clear();
  by_path_.clear();
  postings_.clear();
  definers_.clear();
  mem_live_ = 0;
  total_terms_ = snap_->total_terms();
  live_count_ = base_;
  generation_ = snap_->generation();
}

}  // namespace bastion::index
