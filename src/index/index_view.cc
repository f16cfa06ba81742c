#include "index/index_view.h"

#include "index/code_index.h"

namespace bastion::index {

uint32_t IndexView::slot_count() const {
  return ix_.base_ + static_cast<uint32_t>(ix_.slots_.size());
}

bool IndexView::live(uint32_t slot) const { return slot < slot_count() && ix_.live_locked(slot); }

size_t IndexView::live_count() const { return ix_.live_count_; }

double IndexView::avg_len() const {
  return ix_.live_count_ ? static_cast<double>(ix_.total_terms_) / ix_.live_count_ : 1.0;
}

std::string_view IndexView::path(uint32_t slot) const {
  return slot < ix_.base_ ? ix_.snap_->path(slot) : std::string_view(ix_.slots_[slot - ix_.base_].path);
}

Lang IndexView::lang(uint32_t slot) const {
  return slot < ix_.base_ ? static_cast<Lang>(ix_.snap_->file(slot).lang)
                          : ix_.slots_[slot - ix_.base_].lang;
}

uint32_t IndexView::lines(uint32_t slot) const {
  return slot < ix_.base_ ? ix_.snap_->file(slot).lines : ix_.slots_[slot - ix_.base_].lines;
}

uint32_t IndexView::term_count(uint32_t slot) const {
  return slot < ix_.base_ ? ix_.snap_->file(slot).term_count
                          : ix_.slots_[slot - ix_.base_].term_count;
}

const FileSymbols& IndexView::symbols(uint32_t slot) const {
  if (slot >= ix_.base_) return ix_.slots_[slot - ix_.base_].symbols;
  auto it = ix_.snap_symbols_.find(slot);
  if (it != ix_.snap_symbols_.end()) return it->second;
  FileSymbols syms;
  if (!decode_symbols(ix_.snap_->symbols_data(slot), syms)) syms = FileSymbols{};
  return ix_.snap_symbols_.emplace(slot, std::move(syms)).first->second;
}

void IndexView::references(uint32_t slot,
                           std::vector<std::pair<std::string_view, uint32_t>>& out) const {
  out.clear();
  auto decoded = slot < ix_.base_ ? ix_.snap_symbols_.find(slot) : ix_.snap_symbols_.end();
  if (slot >= ix_.base_ || decoded != ix_.snap_symbols_.end()) {
    const FileSymbols& s = slot >= ix_.base_ ? ix_.slots_[slot - ix_.base_].symbols : decoded->second;
    for (const auto& [name, n] : s.refs) out.emplace_back(name, n);
    return;
  }
  (void)decode_refs(ix_.snap_->symbols_data(slot), out);
}

std::optional<uint32_t> IndexView::find(std::string_view path) const {
  return ix_.slot_of_locked(path);
}

void IndexView::for_each_file(
    const std::function<void(std::string_view path, uint32_t slot)>& fn) const {
  for (uint32_t s = 0; s < ix_.base_; ++s)
    if (!ix_.snap_dead_[s]) fn(ix_.snap_->path(s), s);
  for (uint32_t i = 0; i < ix_.slots_.size(); ++i)
    if (ix_.live_[i]) fn(ix_.slots_[i].path, ix_.base_ + i);
}

std::span<const Posting> IndexView::postings(std::string_view term) const {
  std::span<const Posting> base;
  if (ix_.snap_) base = ix_.snap_->postings(term);
  const std::vector<Posting>* mem = nullptr;
  if (!ix_.postings_.empty()) {
    auto it = ix_.postings_.find(std::string(term));
    if (it != ix_.postings_.end()) mem = &it->second;
  }
  if (base.empty()) return mem ? std::span<const Posting>(*mem) : std::span<const Posting>();
  if (!mem) {
    // Edits since the snapshot kill few slots: most terms need no merge.
    bool any_dead = false;
    if (ix_.snap_dead_count_ > 0)
      for (const Posting& p : base) any_dead = any_dead || ix_.snap_dead_[p.slot];
    if (!any_dead) return base;
  }
  auto cached = merged_postings_.find(term);
  if (cached != merged_postings_.end()) return cached->second;
  std::vector<Posting> v;
  v.reserve(base.size() + (mem ? mem->size() : 0));
  for (const Posting& p : base)
    if (!ix_.snap_dead_[p.slot]) v.push_back(p);
  if (mem) v.insert(v.end(), mem->begin(), mem->end());
  return merged_postings_.emplace(std::string(term), std::move(v)).first->second;
}

std::span<const uint32_t> IndexView::definers(std::string_view name) const {
  return merged_definers(name, ix_.snap_ ? ix_.snap_->definers(name) : std::span<const uint32_t>());
}

std::span<const uint32_t> IndexView::definers_up_to(std::string_view name, size_t n,
                                                    bool& more) const {
  std::span<const uint32_t> base;
  if (ix_.snap_) base = ix_.snap_->definers(name);
  more = base.size() > ix_.snap_dead_count_ && base.size() - ix_.snap_dead_count_ > n;
  return more ? std::span<const uint32_t>() : merged_definers(name, base);
}

std::span<const uint32_t> IndexView::merged_definers(std::string_view name,
                                                     std::span<const uint32_t> base) const {
  const std::vector<uint32_t>* mem = nullptr;
  if (!ix_.definers_.empty()) {
    auto it = ix_.definers_.find(name);
    if (it != ix_.definers_.end()) mem = &it->second;
  }
  if (base.empty()) return mem ? std::span<const uint32_t>(*mem) : std::span<const uint32_t>();
  if (!mem) {
    // Edits since the snapshot kill few slots: most names need no merge.
    bool any_dead = false;
    if (ix_.snap_dead_count_ > 0)
      for (uint32_t s : base) any_dead = any_dead || ix_.snap_dead_[s];
    if (!any_dead) return base;
  }
  auto cached = merged_definers_.find(name);
  if (cached != merged_definers_.end()) return cached->second;
  std::vector<uint32_t> v;
  v.reserve(base.size() + (mem ? mem->size() : 0));
  for (uint32_t s : base)
    if (!ix_.snap_dead_[s]) v.push_back(s);
  if (mem) v.insert(v.end(), mem->begin(), mem->end());
  return merged_definers_.emplace(std::string(name), std::move(v)).first->second;
}

DerivedCache& IndexView::derived() const {
  if (ix_.derived_.version != ix_.version_) ix_.derived_.reset(ix_.version_);
  return ix_.derived_;
}

}  // namespace bastion::index
