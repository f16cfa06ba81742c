// SHA-256 and HMAC-SHA-256 as lowercase hex, for the audit trail's hash
// chain and repository trust records (OpenSSL libcrypto underneath).
#pragma once

#include <string>
#include <string_view>

namespace bastion::store {

// SHA-256 of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// Incremental SHA-256 for hashing several inputs without concatenating.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  std::string hex_digest();  // finishes; call once

 private:
  void* ctx_;
};

// HMAC-SHA-256 of `data` under `key` as 64 lowercase hex digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Constant-time comparison of two equal-length strings.
bool digest_equal(std::string_view a, std::string_view b);

}  // namespace bastion::store
