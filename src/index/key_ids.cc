#include "index/key_ids.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

namespace bastion::index {

std::string_view KeyIds::copy(std::string_view key) {
  constexpr size_t kBlock = 1 << 20;
  if (key.size() > free_left_) {
    size_t bytes = std::max(kBlock, key.size());
    blocks_.push_back(std::make_unique<char[]>(bytes));
    free_at_ = blocks_.back().get();
    free_left_ = bytes;
  }
  if (!key.empty()) std::memcpy(free_at_, key.data(), key.size());
  std::string_view stored(free_at_, key.size());
  free_at_ += key.size();
  free_left_ -= key.size();
  return stored;
}

void KeyIds::grow() {
  size_t cap = table_.empty() ? 1024 : table_.size() * 2;
  table_.assign(cap, 0);
  for (uint32_t id = 0; id < keys_.size(); ++id) {
    size_t at = hashes_[id] & (cap - 1);
    while (table_[at] != 0) at = (at + 1) & (cap - 1);
    table_[at] = id + 1;
  }
}

uint32_t KeyIds::intern(std::string_view key) {
  if ((keys_.size() + 1) * 2 > table_.size()) grow();
  const uint64_t h = XXH3_64bits(key.data(), key.size());
  const size_t mask = table_.size() - 1;
  for (size_t at = h & mask;; at = (at + 1) & mask) {
    uint32_t e = table_[at];
    if (e == 0) {
      table_[at] = static_cast<uint32_t>(keys_.size()) + 1;
      hashes_.push_back(h);
      keys_.push_back(copy(key));
      return static_cast<uint32_t>(keys_.size() - 1);
    }
    if (hashes_[e - 1] == h && keys_[e - 1] == key) return e - 1;
  }
}

}  // namespace bastion::index
