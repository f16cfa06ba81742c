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
// A request id: 24 hex chars, the first 12 the milliseconds since the epoch
// and the last 12 random (48 bits). Ids of successive requests sort in
// time order, so each new gw_requests row lands on the last page of the id
// index instead of a random one (a page written to the WAL per request).
std::string request_id();

}  // namespace bastion::gateway
