// KeyIds: dense ids in first-seen order, the same id for the same bytes
// however often the table grows, and keys that outlive the block they were
// copied into (including empty keys and keys bigger than a block).
#include "index/key_ids.h"

#include <gtest/gtest.h>

#include <string>

namespace bastion::index {
namespace {

TEST(KeyIds, SameBytesSameIdAcrossGrowth) {
  KeyIds ids;
  const int n = 50000;  // grows the table many times and spans several blocks
  for (int i = 0; i < n; ++i) EXPECT_EQ(ids.intern("term_" + std::to_string(i)), static_cast<uint32_t>(i));
  EXPECT_EQ(ids.size(), static_cast<uint32_t>(n));
  for (int i = n - 1; i >= 0; i -= 7) {
    std::string key = "term_" + std::to_string(i);
    EXPECT_EQ(ids.intern(key), static_cast<uint32_t>(i));
    EXPECT_EQ(ids.key(i), key);
  }
  EXPECT_EQ(ids.size(), static_cast<uint32_t>(n));
}

TEST(KeyIds, EmptyHugeAndBinaryKeys) {
  KeyIds ids;
  std::string huge(3 << 20, 'x');  // bigger than a block
  std::string binary("a\0b", 3);
  uint32_t e = ids.intern("");
  uint32_t h = ids.intern(huge);
  uint32_t b = ids.intern(binary);
  uint32_t a = ids.intern("a");  // a prefix of `binary` is another key
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_NE(a, b);
  EXPECT_EQ(ids.intern(""), e);
  EXPECT_EQ(ids.intern(huge), h);
  EXPECT_EQ(ids.intern(binary), b);
  EXPECT_EQ(ids.key(e), "");
  EXPECT_EQ(ids.key(h), huge);
  EXPECT_EQ(ids.key(b), binary);
  KeyIds other;  // the hash is a function of the bytes alone
  EXPECT_EQ(other.hash(other.intern(binary)), ids.hash(b));
  EXPECT_NE(ids.hash(a), ids.hash(b));
}

}  // namespace
}  // namespace bastion::index
