// Secret redaction: everything that goes to the model passes redact() first.
//
// Secrets (private keys, cloud keys, tokens, JWTs, URL passwords, .env
// values, high-entropy values assigned to key-like names) become stable
// placeholders like `[REDACTED:aws_access_key:1]`. The same secret always maps
// to the same placeholder within a session, and restore() turns placeholders
// the model writes back into the real values before anything touches disk.
// Detection lives in secret_scanner.h; this class owns the session mapping.
// Not thread-safe: share one instance per session behind the caller's lock.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace bastion::policy {

class Redactor {
 public:
  // Returns text with secrets replaced. `source_path` (may be empty) lets
  // file-type rules apply (.env files, key files).
  std::string redact(std::string_view text, std::string_view source_path = "");
  // Replaces known placeholders with their original values; unknown
  // placeholders are left as they are.
  std::string restore(std::string_view text) const;
  // True when `text` holds a placeholder this redactor issued.
  bool has_placeholder(std::string_view text) const;
  // Total secrets replaced so far (each occurrence counts).
  size_t redaction_count() const { return count_; }
  // Count per kind, for the session summary.
  const std::map<std::string, size_t>& counts_by_kind() const { return by_kind_; }
  // "3 secrets redacted (aws_access_key 1, github_token 2)" or "" when none.
  std::string summary() const;

 private:
  const std::string& placeholder_for(const std::string& secret, std::string_view kind);

  std::map<std::string, std::string> secret_to_placeholder_;
  std::map<std::string, std::string> placeholder_to_secret_;
  std::map<std::string, size_t> next_index_;  // per kind
  std::map<std::string, size_t> by_kind_;
  size_t count_ = 0;
};

}  // namespace bastion::policy
