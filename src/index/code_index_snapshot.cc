// CodeIndex: folding the in-memory part into a new snapshot (see
// code_index.h and index_snapshot.h).
#include "index/code_index.h"

namespace bastion::index {

bool CodeIndex::should_compact_locked(size_t pending) const {
  if (snap_path_.empty()) return false;
  if (snapshot_stale_ || !snap_) return true;
  // Keep what a process start loads from the rows small: a few dozen files
  // decode in well under a millisecond each.
  const size_t limit = std::max<size_t>(64, base_ / 16);
  return mem_live_ + pending > limit || snap_dead_count_ > std::max<size_t>(256, base_ / 4);
}

Status CodeIndex::write_snapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  if (snap_path_.empty()) return ok_status();
  return write_snapshot_locked();
}

Status CodeIndex::write_snapshot_locked(std::span<FileEntry* const> extra, bool* adopted) {
  if (adopted) *adopted = false;
  SnapshotWriter w;
  const uint32_t total = base_ + static_cast<uint32_t>(slots_.size());
  constexpr uint32_t kNone = UINT32_MAX;
  std::vector<uint32_t> remap(total, kNone);
  for (uint32_t s = 0; s < base_; ++s) {
    if (snap_dead_[s]) continue;
    const SnapshotFile& f = snap_->file(s);
    SnapshotWriter::FileInfo info;
    info.path = snap_->path(s);
    Ident id = ident_locked(s);
    info.mtime_ns = id.mtime_ns;
    info.size = id.size;
    info.hash = f.hash;
    info.lang = static_cast<Lang>(f.lang);
    info.lines = f.lines;
    info.term_count = f.term_count;
    info.symbols_data = snap_->symbols_data(s);
    remap[s] = w.add_file(info);
  }
  std::string sym;
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    if (!live_[i]) continue;
    const FileEntry& e = slots_[i];
    sym.clear();
    encode_symbols(e.symbols, sym);
    SnapshotWriter::FileInfo info;
    info.path = e.path;
    info.mtime_ns = e.mtime_ns;
    info.size = e.size;
    info.hash = e.hash;
    info.lang = e.lang;
    info.lines = e.lines;
    info.term_count = e.term_count;
    info.symbols_data = sym;
    remap[base_ + i] = w.add_file(info);
  }
  // Files not in memory go straight to the writer: one hash lookup per
  // posting instead of two (memory, then writer), and no second copy.
  for (const FileEntry* e : extra) {
    sym.clear();
    encode_symbols(e->symbols, sym);
    SnapshotWriter::FileInfo info;
    info.path = e->path;
    info.mtime_ns = e->mtime_ns;
    info.size = e->size;
    info.hash = e->hash;
    info.lang = e->lang;
    info.lines = e->lines;
    info.term_count = e->term_count;
    info.symbols_data = sym;
    const uint32_t slot = w.add_file(info);
    for (const auto& [term, tf] : e->terms) w.add_posting(term, slot, tf);
    for (const Symbol& s : e->symbols.defs) w.add_definer(s.name, slot);
  }
  if (snap_) {
    snap_->for_each_term([&](std::string_view term, std::span<const Posting> ps) {
      for (const Posting& p : ps)
        if (remap[p.slot] != kNone) w.add_posting(term, remap[p.slot], p.tf);
    });
    snap_->for_each_name([&](std::string_view name, std::span<const uint32_t> slots) {
      for (uint32_t s : slots)
        if (remap[s] != kNone) w.add_definer(name, remap[s]);
    });
  }
  for (auto& [term, ps] : postings_)
    for (const Posting& p : ps) w.add_posting(term, remap[p.slot], p.tf);
  for (auto& [name, slots] : definers_)
    for (uint32_t s : slots) w.add_definer(name, remap[s]);

  Status st = w.write(snap_path_, store_->id(), generation_);
  if (!st.ok()) return st;
  auto snap = Snapshot::open(snap_path_);
  if (!snap.ok()) return snap.error();
  // Another process may have renamed its own snapshot over ours meanwhile;
  // it is just as valid for the database, but not for this state.
  if (snap.value()->generation() != generation_ || snap.value()->file_count() != w.file_count())
    return ok_status();
  adopt_snapshot_locked(std::move(snap.value()));
  snapshot_stale_ = false;
  if (adopted) *adopted = true;
  return ok_status();
}

}  // namespace bastion::index
