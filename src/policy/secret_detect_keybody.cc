// Pieces of private keys that arrive without their BEGIN line: a file read
// in chunks (`read` with offset/limit), `tail -n +2 id_rsa`, `sed -n 3,9p`,
// or grep output. The PEM detector needs "-----BEGIN ... PRIVATE KEY", so
// without these a key's body could reach the model one chunk at a time.
//
//  - "-----END <...> PRIVATE KEY-----" with the body lines before it: the
//    body and the END line are redacted.
//  - A run of at least three consecutive lines that each hold exactly one
//    full-width base64 line of a key (64 characters for PEM/PuTTY, 70 for
//    OpenSSH) and look random: the run (plus a shorter final line) is
//    redacted as a private key body. Lines may carry a line-number or grep
//    prefix ("   12\t", "key.pem:12:").
#include <string_view>

#include "policy/secret_scanner.h"
#include "policy/secret_text.h"

namespace bastion::policy::secret {
namespace {

constexpr int kKeyBodyPriority = 100;

bool is_b64_or_pad(char c) { return is_base64(c) || c == '='; }

struct LineBody {
  size_t begin = 0;  // where the base64 content starts
  size_t end = 0;    // end of content (before '\r'/'\n')
  bool ok = false;   // the line is a (possibly prefixed) base64 line
};

// Classifies the line [start, stop): its content is the trailing base64 run;
// whatever precedes it must be a short prefix ending in a tab, ':', '|' or
// space (line numbers, grep's "file:12:"), or nothing.
LineBody key_body_line(std::string_view t, size_t start, size_t stop) {
  LineBody b;
  size_t end = stop;
  if (end > start && t[end - 1] == '\r') --end;
  size_t p = end;
  while (p > start && is_b64_or_pad(t[p - 1])) --p;
  if (p == end) return b;
  // Padding only at the end.
  for (size_t i = p; i < end; ++i)
    if (t[i] == '=' && i + 2 < end) return b;
  if (p > start) {
    char sep = t[p - 1];
    if (!(sep == '\t' || sep == ':' || sep == '|' || sep == ' ') || p - start > 200) return b;
  }
  b.begin = p;
  b.end = end;
  b.ok = true;
  return b;
}

size_t line_start(std::string_view t, size_t pos) {
  size_t nl = pos == 0 ? std::string_view::npos : t.rfind('\n', pos - 1);
  return nl == std::string_view::npos ? 0 : nl + 1;
}

// "-----END <label>-----" whose label names a private key: walk back over
// the body lines right above it.
void detect_pem_tail(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  size_t label_end = t.find("-----", pos + len);
  if (label_end == std::string_view::npos || label_end - pos > 80) return;
  std::string_view label = t.substr(pos + len, label_end - pos - len);
  if (label.find("PRIVATE KEY") == std::string_view::npos) return;
  size_t begin = pos;
  size_t ls = line_start(t, pos);
  while (ls > 0) {
    size_t prev = line_start(t, ls - 1);
    std::string_view line = t.substr(prev, ls - 1 - prev);
    if (line.find("-----BEGIN ") != std::string_view::npos) break;  // the PEM detector has it
    LineBody b = key_body_line(t, prev, ls - 1);
    bool header = line.find("Proc-Type:") != std::string_view::npos ||
                  line.find("DEK-Info:") != std::string_view::npos;
    if (!b.ok && !header) break;
    if (b.ok) begin = b.begin;
    ls = prev;
  }
  ctx.add(begin, label_end + 5, "private_key", kKeyBodyPriority);
}

bool looks_like_key_line(std::string_view content) {
  if (content.size() != 64 && content.size() != 70) return false;
  for (char c : content)
    if (!is_base64(c)) return false;
  return true;
}

}  // namespace

const std::vector<Trigger>& key_body_triggers() {
  static const std::vector<Trigger> kTriggers = {{"-----END ", false, detect_pem_tail}};
  return kTriggers;
}

void detect_key_body_runs(const ScanContext& ctx) {
  std::string_view t = ctx.text;
  size_t run_begin = 0, run_end = 0, run_lines = 0;
  std::string joined;
  auto flush = [&](size_t pos) {
    if (run_lines >= 3 && shannon_entropy(joined) >= 5.0) {
      // A shorter final line of the same block belongs to it.
      if (pos < t.size()) {
        size_t nl = t.find('\n', pos);
        LineBody last = key_body_line(t, pos, nl == std::string_view::npos ? t.size() : nl);
        if (last.ok && last.end - last.begin < 70) run_end = last.end;
      }
      ctx.add(run_begin, run_end, "private_key", kKeyBodyPriority);
    }
    run_lines = 0;
    joined.clear();
  };
  size_t pos = 0;
  while (pos < t.size()) {
    size_t nl = t.find('\n', pos);
    size_t stop = nl == std::string_view::npos ? t.size() : nl;
    // Cheap length filter first: content is 64 or 70 bytes plus a short prefix.
    bool candidate = stop - pos >= 64 && stop - pos <= 64 + 200 + 8;
    LineBody b = candidate ? key_body_line(t, pos, stop) : LineBody{};
    if (b.ok && looks_like_key_line(t.substr(b.begin, b.end - b.begin))) {
      if (run_lines == 0) run_begin = b.begin;
      run_end = b.end;
      ++run_lines;
      if (joined.size() < 4096) joined.append(t.substr(b.begin, b.end - b.begin));
    } else if (run_lines > 0) {
      flush(pos);
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (run_lines > 0) flush(t.size());
}

}  // namespace bastion::policy::secret
