// SHA-256 and HMAC-SHA-256 against the published test vectors (FIPS 180-2
// examples, RFC 4231), including keys longer than a block.
#include "store/digest.h"

#include <gtest/gtest.h>

#include <string>

namespace bastion::store {
namespace {

TEST(Digest, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.update("ab");
  h.update("c");
  EXPECT_EQ(h.hex_digest(), sha256_hex("abc"));
}

TEST(Digest, HmacSha256Rfc4231) {
  // Test case 1: 20-byte key of 0x0b.
  EXPECT_EQ(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: short key.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: 131-byte key (longer than the block, hashed first).
  EXPECT_EQ(hmac_sha256_hex(std::string(131, '\xaa'),
                            "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Digest, DigestEqualComparesWholeStrings) {
  EXPECT_TRUE(digest_equal("abcd", "abcd"));
  EXPECT_FALSE(digest_equal("abcd", "abce"));
  EXPECT_FALSE(digest_equal("abc", "abcd"));
}

}  // namespace
}  // namespace bastion::store
