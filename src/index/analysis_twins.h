// AnalysisTwins: the files one refresh has analysed, by content hash and
// language, so a byte-identical copy (vendored packages, several installs of
// one library, duplicated node_modules) copies the analysis instead of being
// parsed again (analyze_file_like). Thread-safe; the entries it points to
// must outlive it and stay unchanged while it is used.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "index/file_entry.h"

namespace bastion::index {

class AnalysisTwins {
 public:
  // An analysed entry with this content hash (FileEntry::hash) and
  // language, or null.
  const FileEntry* find(uint64_t hash, Lang lang) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_hash_.find(hash);
    return it != by_hash_.end() && it->second->lang == lang ? it->second : nullptr;
  }
  // Records `entry` (analysed, hash set); the first one per hash is kept.
  void add(const FileEntry* entry) {
    std::lock_guard<std::mutex> lock(mu_);
    by_hash_.emplace(entry->hash, entry);
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, const FileEntry*> by_hash_;
};

}  // namespace bastion::index
