// The tamper-evident audit trail: one append-only JSONL file per session in
// which every record carries the HMAC-SHA-256 of its own content plus the
// previous record's hash, so editing, deleting, reordering or truncating
// records breaks the chain (`bastion audit verify`, audit_verify.h).
//
// Layout (AuditPaths::defaults()):
//   $XDG_STATE_HOME/bastion/audit/<session>.jsonl      the records
//   $XDG_DATA_HOME/bastion/audit-anchors/<session>.anchor  last seq + hash (MAC'd)
//   $XDG_DATA_HOME/bastion/audit-anchors/key           the HMAC key (0600)
// The anchor lives apart from the log so dropping the log's tail (or the
// whole log) is detected: the anchor still names the last record written.
//
// A record line: {"data":{…},"prev":"<hex>","seq":N,"session":"…",
// "ts":"2026-11-24T05:27:49.123Z","type":"tool_call","hash":"<hex>"} where
// hash = HMAC(key, the line without its ,"hash" member). Each append is
// written with one write() and fdatasync()ed before append() returns, so a
// kill -9 loses at most the record being written and never a returned one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/json.h"
#include "util/result.h"

namespace bastion::store {

// Record types the agent writes (free-form strings are accepted too).
inline constexpr const char* kAuditPrompt = "prompt";
inline constexpr const char* kAuditModelReply = "model_reply";
inline constexpr const char* kAuditToolCall = "tool_call";        // {name, args, result_digest, ok}
inline constexpr const char* kAuditApproval = "approval";         // {tool, decision, reason}
inline constexpr const char* kAuditFileDiff = "file_diff";        // {path, diff}
inline constexpr const char* kAuditRedaction = "redaction_count"; // {total, by_kind}
inline constexpr const char* kAuditSessionEnd = "session_end";

struct AuditPaths {
  std::string log_dir;
  std::string anchor_dir;  // anchors and the HMAC key
  // state_dir()/audit and data_dir()/audit-anchors.
  static AuditPaths defaults();
  // Logs in `log_dir`; anchors in data_dir()/audit-anchors when `log_dir` is
  // the default, else in "<log_dir>.anchors" (tests, custom locations).
  static AuditPaths for_dir(const std::string& log_dir);
  std::string log_path(const std::string& session) const;
  std::string anchor_path(const std::string& session) const;
  std::string key_path() const;
};

// "sha256:<hex>" of a tool result or other large payload, for records that
// should prove what was seen without storing it.
std::string audit_digest(std::string_view data);

// Session ids become file names: letters, digits, '-', '_', '.', 1-128 chars.
bool valid_audit_session_id(std::string_view id);

// Reads the HMAC key, creating it (0600, 32 random bytes) when `create`.
Result<std::string> load_audit_key(const AuditPaths& paths, bool create);

class AuditLog {
 public:
  // Opens (creating) the session's log in `dir` (see AuditPaths::for_dir)
  // and continues its chain. Fails with kIo when the existing log is damaged
  // before its anchored end, so a tampered chain is never silently extended.
  static Result<AuditLog> open(const std::string& dir, const std::string& session_id);
  static Result<AuditLog> open(const AuditPaths& paths, const std::string& session_id);

  AuditLog(AuditLog&& other) noexcept;
  AuditLog& operator=(AuditLog&& other) noexcept;
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  ~AuditLog();

  // Appends one record and makes it durable (fdatasync) before returning.
  Status append(const std::string& type, const Json& data);

  const std::string& session_id() const { return session_; }
  const std::string& path() const { return log_path_; }
  uint64_t last_seq() const { return seq_; }

 private:
  AuditLog() = default;
  Status write_anchor();

  AuditPaths paths_;
  std::string session_, log_path_, key_, last_hash_;
  uint64_t seq_ = 0;
  int fd_ = -1;
};

}  // namespace bastion::store
