// KeyIds: interns strings as dense ids (0, 1, 2, ... in first-seen order).
// The snapshot writer files every posting of a cold build under its term,
// tens of millions of lookups for a 100k-file tree; a node-based map spent
// most of that time chasing pointers and comparing bytes. Here the table is
// flat, each slot keeps the key's 64-bit hash so bytes are compared only on
// a hash match, and keys are copied once into large blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace bastion::index {

class KeyIds {
 public:
  // The id of `key`, adding it when new.
  uint32_t intern(std::string_view key);
  uint32_t size() const { return static_cast<uint32_t>(keys_.size()); }
  std::string_view key(uint32_t id) const { return keys_[id]; }
  uint64_t hash(uint32_t id) const { return hashes_[id]; }

 private:
  void grow();
  std::string_view copy(std::string_view key);

  std::vector<uint32_t> table_;  // id + 1; 0 = empty
  std::vector<uint64_t> hashes_;
  std::vector<std::string_view> keys_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* free_at_ = nullptr;
  size_t free_left_ = 0;
};

}  // namespace bastion::index
