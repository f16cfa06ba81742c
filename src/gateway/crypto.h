// Hashing for the gateway: API keys are stored only as SHA-256 digests, and
// the audit log chains each entry to the previous one by SHA-256.
#pragma once

#include <string>
#include <string_view>

namespace bastion::gateway {

// Lower-case hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view data);

// A new random API key: "bgw_" + 48 hex chars (192 bits from /dev/urandom
// via OpenSSL's RAND_bytes).
std::string generate_api_key();
// `bytes` random bytes as hex, for request ids. OpenSSL's generator: no
// file or device opened per call (std::random_device was, per request).
std::string random_id(size_t bytes);

}  // namespace bastion::gateway
