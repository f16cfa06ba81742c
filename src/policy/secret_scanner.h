// Finds secrets in text: the detection half of the Redactor.
//
// A single pass over the text looks for cheap literal triggers ("ghp_",
// "-----BEGIN ", "://", "token", ...). Only at those positions do the
// detectors run, so ordinary source code costs one table lookup per byte.
// Each detector reports the byte span of the secret (for a URL password only
// the password, for `api_key = "…"` only the value) with a kind and a
// priority; overlapping spans are resolved in favour of the more specific one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bastion::policy::secret {

struct SecretSpan {
  size_t begin = 0;
  size_t end = 0;          // exclusive
  std::string_view kind;   // "aws_access_key", "private_key", ... (static storage)
  int priority = 0;        // higher wins on overlap
};

// What a detector sees: the whole text plus where the trigger matched.
struct ScanContext {
  std::string_view text;
  std::vector<SecretSpan>* out;
  void add(size_t begin, size_t end, std::string_view kind, int priority) const {
    if (end > begin) out->push_back({begin, end, kind, priority});
  }
};

// A detector runs at a trigger hit: `pos` is where the trigger literal
// starts and `len` its length.
using Detector = void (*)(const ScanContext& ctx, size_t pos, size_t len);

struct Trigger {
  std::string_view literal;
  bool case_insensitive;
  Detector detect;
};

// The trigger tables, one per detector family (secret_detect_*.cc).
const std::vector<Trigger>& token_triggers();
const std::vector<Trigger>& assignment_triggers();
const std::vector<Trigger>& key_body_triggers();

// Runs of full-width base64 lines of a private key body with no BEGIN line
// (a key read in chunks); see secret_detect_keybody.cc.
void detect_key_body_runs(const ScanContext& ctx);

// True when `source_path` names a dotenv file (.env, .env.local, prod.env, .envrc).
bool is_dotenv_path(std::string_view source_path);
// Redacts every non-trivial value of KEY=VALUE lines (dotenv files).
void detect_dotenv_file(const ScanContext& ctx);

// All secrets in `text`, non-overlapping, sorted by position.
std::vector<SecretSpan> find_secrets(std::string_view text, std::string_view source_path = "");

}  // namespace bastion::policy::secret
