// The byte format of one audit record line and of an anchor, shared by the
// writer (audit_log.cc) and the verifier (audit_verify.cc). Hashes cover the
// exact bytes written, so verification never depends on re-serialising JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/json.h"

namespace bastion::store::audit {

// The chain's starting "previous hash".
inline const std::string kGenesis(64, '0');

// Builds the line (with trailing '\n') and returns its hash via `hash_out`.
std::string encode_record(std::string_view key, const std::string& session, uint64_t seq,
                          const std::string& ts, const std::string& type, const Json& data,
                          const std::string& prev, std::string* hash_out);

struct DecodedRecord {
  bool mac_ok = false;      // the hash matches the content
  bool parsed = false;      // the content is a well-formed record
  std::string hash;         // as written in the line
  uint64_t seq = 0;
  std::string prev, session, ts, type;
  Json data;
};

// Decodes one line (without '\n'). Never throws; see mac_ok/parsed.
DecodedRecord decode_record(std::string_view key, std::string_view line);

struct Anchor {
  std::string session;
  uint64_t seq = 0;
  std::string hash;
  bool mac_ok = false;
};
std::string encode_anchor(std::string_view key, const std::string& session, uint64_t seq,
                          const std::string& hash);
std::optional<Anchor> decode_anchor(std::string_view key, std::string_view text);

// "2026-11-24T05:27:49.123Z" (UTC, now).
std::string now_timestamp();

}  // namespace bastion::store::audit
