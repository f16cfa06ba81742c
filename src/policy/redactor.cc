#include "policy/redactor.h"

#include <vector>

#include "policy/secret_scanner.h"

namespace bastion::policy {

namespace {
constexpr std::string_view kPrefix = "[REDACTED:";

struct Range {
  size_t begin, end;
};
}  // namespace

// Where this redactor's own placeholders sit in `text`. A secret detector
// may take a placeholder for a secret (it sits where a key's value goes);
// redacting it again would break restore() and make redaction unstable.
static std::vector<Range> known_placeholders(std::string_view text,
                                             const std::map<std::string, std::string>& known) {
  std::vector<Range> out;
  if (known.empty()) return out;
  for (size_t pos = 0;;) {
    size_t start = text.find(kPrefix, pos);
    if (start == std::string_view::npos) break;
    size_t close = text.find(']', start + kPrefix.size());
    if (close == std::string_view::npos) break;
    if (known.count(std::string(text.substr(start, close + 1 - start)))) out.push_back({start, close + 1});
    pos = start + 1;
  }
  return out;
}

const std::string& Redactor::placeholder_for(const std::string& secret, std::string_view kind) {
  auto it = secret_to_placeholder_.find(secret);
  if (it != secret_to_placeholder_.end()) return it->second;
  std::string k(kind);
  size_t n = ++next_index_[k];
  std::string ph = std::string(kPrefix) + k + ":" + std::to_string(n) + "]";
  placeholder_to_secret_[ph] = secret;
  return secret_to_placeholder_.emplace(secret, ph).first->second;
}

std::string Redactor::redact(std::string_view text, std::string_view source_path) {
  // Placeholders already in the text are blanked out for the scan, so a
  // detector neither takes one for a secret nor runs a value through one.
  std::vector<Range> placeholders = known_placeholders(text, placeholder_to_secret_);
  std::string masked;
  std::string_view scanned = text;
  if (!placeholders.empty()) {
    masked.assign(text);
    for (const Range& r : placeholders) masked.replace(r.begin, r.end - r.begin, r.end - r.begin, ' ');
    scanned = masked;
  }
  std::vector<secret::SecretSpan> spans = secret::find_secrets(scanned, source_path);
  if (spans.empty()) return std::string(text);
  auto is_placeholder = [&](const secret::SecretSpan& s) {
    for (const Range& r : placeholders)
      if (s.begin < r.end && r.begin < s.end) return true;
    return false;
  };
  std::string out;
  out.reserve(text.size());
  size_t last = 0;
  for (const auto& s : spans) {
    if (is_placeholder(s)) continue;
    out.append(text.substr(last, s.begin - last));
    std::string secret(text.substr(s.begin, s.end - s.begin));
    const std::string& ph = placeholder_for(secret, s.kind);
    // Count by the kind of the placeholder, so one secret always counts
    // under one kind even when detectors disagree.
    std::string_view kind = std::string_view(ph).substr(kPrefix.size());
    kind = kind.substr(0, kind.rfind(':'));
    ++by_kind_[std::string(kind)];
    ++count_;
    out.append(ph);
    last = s.end;
  }
  out.append(text.substr(last));
  return out;
}

std::string Redactor::restore(std::string_view text) const {
  if (placeholder_to_secret_.empty() || text.find(kPrefix) == std::string_view::npos)
    return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (;;) {
    size_t start = text.find(kPrefix, pos);
    if (start == std::string_view::npos) break;
    size_t close = text.find(']', start + kPrefix.size());
    if (close == std::string_view::npos) break;
    auto it = placeholder_to_secret_.find(std::string(text.substr(start, close + 1 - start)));
    if (it == placeholder_to_secret_.end()) {
      out.append(text.substr(pos, start + 1 - pos));
      pos = start + 1;
      continue;
    }
    out.append(text.substr(pos, start - pos));
    out.append(it->second);
    pos = close + 1;
  }
  out.append(text.substr(pos));
  return out;
}

bool Redactor::has_placeholder(std::string_view text) const {
  return !known_placeholders(text, placeholder_to_secret_).empty();
}

std::string Redactor::summary() const {
  if (count_ == 0) return "";
  std::string s = std::to_string(count_) + (count_ == 1 ? " secret" : " secrets") + " redacted (";
  bool first = true;
  for (const auto& [kind, n] : by_kind_) {
    if (!first) s += ", ";
    s += kind + " " + std::to_string(n);
    first = false;
  }
  return s + ")";
}

}  // namespace bastion::policy
