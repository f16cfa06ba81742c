#include "store/audit_record.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "store/digest.h"

namespace bastion::store::audit {
namespace {

constexpr std::string_view kHashMember = ",\"hash\":\"";

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::string encode_record(std::string_view key, const std::string& session, uint64_t seq,
                          const std::string& ts, const std::string& type, const Json& data,
                          const std::string& prev, std::string* hash_out) {
  Json rec = Json::object();
  rec["seq"] = seq;
  rec["ts"] = ts;
  rec["session"] = session;
  rec["type"] = type;
  rec["data"] = data;
  rec["prev"] = prev;
  std::string body = dump_json(rec);  // keys sorted: deterministic bytes
  std::string hash = hmac_sha256_hex(key, body);
  if (hash_out) *hash_out = hash;
  body.pop_back();  // '}'
  return body + std::string(kHashMember) + hash + "\"}\n";
}

DecodedRecord decode_record(std::string_view key, std::string_view line) {
  DecodedRecord r;
  // ... ,"hash":"<64 hex>"}
  const size_t tail = kHashMember.size() + 64 + 2;
  if (line.size() < tail + 2 || line.substr(line.size() - 2) != "\"}") return r;
  size_t hpos = line.size() - tail;
  if (line.substr(hpos, kHashMember.size()) != kHashMember) return r;
  r.hash = std::string(line.substr(hpos + kHashMember.size(), 64));
  if (!is_hex64(r.hash)) return r;
  std::string body = std::string(line.substr(0, hpos)) + "}";
  r.mac_ok = digest_equal(hmac_sha256_hex(key, body), r.hash);
  auto j = parse_json(body, "audit record");
  if (!j.ok() || !j.value().is_object()) return r;
  const Json& o = j.value();
  if (!o.contains("seq") || !o["seq"].is_number_unsigned()) return r;
  r.seq = o["seq"].get<uint64_t>();
  r.prev = json_string(o, "prev");
  r.session = json_string(o, "session");
  r.ts = json_string(o, "ts");
  r.type = json_string(o, "type");
  r.data = o.contains("data") ? o["data"] : Json();
  r.parsed = !r.type.empty() && is_hex64(r.prev);
  return r;
}

std::string encode_anchor(std::string_view key, const std::string& session, uint64_t seq,
                          const std::string& hash) {
  Json a = Json::object();
  a["session"] = session;
  a["seq"] = seq;
  a["hash"] = hash;
  a["mac"] = hmac_sha256_hex(key, "anchor\n" + session + "\n" + std::to_string(seq) + "\n" + hash);
  return dump_json(a) + "\n";
}

std::optional<Anchor> decode_anchor(std::string_view key, std::string_view text) {
  auto j = parse_json(text, "audit anchor");
  if (!j.ok() || !j.value().is_object()) return std::nullopt;
  const Json& o = j.value();
  if (!o.contains("seq") || !o["seq"].is_number_unsigned()) return std::nullopt;
  Anchor a;
  a.session = json_string(o, "session");
  a.seq = o["seq"].get<uint64_t>();
  a.hash = json_string(o, "hash");
  std::string mac = json_string(o, "mac");
  a.mac_ok = digest_equal(
      hmac_sha256_hex(key, "anchor\n" + a.session + "\n" + std::to_string(a.seq) + "\n" + a.hash), mac);
  return a;
}

std::string now_timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace bastion::store::audit
