// Verifying and reading the audit trail written by AuditLog: checks every
// session's hash chain against its content, its sequence numbers and its
// separately stored anchor, and names the session, record and kind of
// tampering it finds (modified, deleted, reordered, truncated, ...).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/audit_log.h"

namespace bastion::store {

struct AuditIssue {
  std::string session;
  uint64_t record = 0;  // seq (or line number when the seq is unreadable); 0 = whole log
  std::string kind;     // modified | deleted | reordered | truncated | malformed | foreign |
                        // missing_anchor | bad_anchor | deleted_log | torn_write
  std::string message;  // one line for the user
  bool fatal = true;    // torn_write (a crash mid-append, never acknowledged) is not
};

struct AuditReport {
  size_t sessions = 0;
  size_t records = 0;
  std::vector<AuditIssue> issues;
  bool ok() const {
    for (const auto& i : issues)
      if (i.fatal) return false;
    return true;
  }
};

// Session ids with a log or an anchor under `paths`, sorted.
std::vector<std::string> list_audit_sessions(const AuditPaths& paths);

// Verifies one session (when `session` is non-empty) or all of them.
// Errors only for setup problems (no key); tampering is reported in issues.
Result<AuditReport> verify_audit(const AuditPaths& paths, const std::string& session = "");

struct AuditEntry {
  uint64_t seq = 0;
  std::string ts, type;
  Json data;
};

// The session's records in order (no verification; use verify_audit).
Result<std::vector<AuditEntry>> read_audit(const AuditPaths& paths, const std::string& session);

}  // namespace bastion::store
