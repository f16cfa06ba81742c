#include "policy/secret_scanner.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>

#include "policy/secret_text.h"

namespace bastion::policy::secret {
namespace {

// Index of all triggers by their first two bytes. Case-sensitive triggers
// are keyed on the raw bytes, case-insensitive ones on lowercased bytes, so
// common English pairs ("an", "as") only cost a lookup for the exact case.
class TriggerIndex {
 public:
  TriggerIndex() {
    for (int c = 0; c < 256; ++c) lower_[c] = static_cast<unsigned char>(lower(static_cast<char>(c)));
    add_all(token_triggers());
    add_all(assignment_triggers());
    add_all(key_body_triggers());
  }

  void scan(const ScanContext& ctx) const {
    std::string_view t = ctx.text;
    const auto* d = reinterpret_cast<const unsigned char*>(t.data());
    const size_t n = t.size();
    if (n < 2) return;
    for (size_t i = 0; i + 1 < n; ++i) {
      unsigned exact = (unsigned{d[i]} << 8) | d[i + 1];
      if (exact_bits_[exact >> 3] & (1u << (exact & 7))) check(ctx, i, buckets_[exact_slot_[exact]], false);
      unsigned folded = (unsigned{lower_[d[i]]} << 8) | lower_[d[i + 1]];
      if (folded_bits_[folded >> 3] & (1u << (folded & 7))) check(ctx, i, buckets_[folded_slot_[folded]], true);
    }
  }

 private:
  void add_all(const std::vector<Trigger>& triggers) {
    for (const Trigger& tr : triggers) {
      auto a = static_cast<unsigned char>(tr.literal[0]);
      auto b = static_cast<unsigned char>(tr.literal[1]);
      if (tr.case_insensitive) {
        unsigned key = (unsigned{lower_[a]} << 8) | lower_[b];
        folded_bits_[key >> 3] |= static_cast<unsigned char>(1u << (key & 7));
        bucket_for(&folded_slot_[key]).push_back(&tr);
      } else {
        unsigned key = (unsigned{a} << 8) | b;
        exact_bits_[key >> 3] |= static_cast<unsigned char>(1u << (key & 7));
        bucket_for(&exact_slot_[key]).push_back(&tr);
      }
    }
  }

  // The bucket a slot names, given one on first use. Slot 0 is "none" (and
  // buckets_[0] stays empty).
  std::vector<const Trigger*>& bucket_for(unsigned char* slot) {
    if (*slot == 0) {
      if (buckets_.size() > 255) std::abort();  // more two-byte prefixes than a slot can name
      *slot = static_cast<unsigned char>(buckets_.size());
      buckets_.emplace_back();
    }
    return buckets_[*slot];
  }

  void check(const ScanContext& ctx, size_t i, const std::vector<const Trigger*>& bucket,
             bool folded) const {
    std::string_view t = ctx.text;
    for (const Trigger* tr : bucket) {
      size_t len = tr->literal.size();
      if (i + len > t.size()) continue;
      bool match = true;
      if (folded) {
        for (size_t k = 2; k < len && match; ++k)
          match = lower_[static_cast<unsigned char>(t[i + k])] == static_cast<unsigned char>(tr->literal[k]);
      } else {
        match = std::memcmp(t.data() + i + 2, tr->literal.data() + 2, len - 2) == 0;
      }
      if (match) tr->detect(ctx, i, len);
    }
  }

  std::array<unsigned char, 256> lower_{};
  std::array<unsigned char, 8192> exact_bits_{};
  std::array<unsigned char, 8192> folded_bits_{};
  // Two-byte prefix -> index into buckets_. A byte per prefix instead of a
  // vector per prefix: 128 KB rather than 3 MB of every process's memory.
  std::array<unsigned char, 65536> exact_slot_{};
  std::array<unsigned char, 65536> folded_slot_{};
  std::vector<std::vector<const Trigger*>> buckets_{1};
};

const TriggerIndex& trigger_index() {
  static const auto* kIndex = new TriggerIndex();
  return *kIndex;
}

}  // namespace

std::vector<SecretSpan> find_secrets(std::string_view text, std::string_view source_path) {
  std::vector<SecretSpan> spans;
  ScanContext ctx{text, &spans};
  trigger_index().scan(ctx);
  detect_key_body_runs(ctx);
  if (!source_path.empty() && is_dotenv_path(source_path)) detect_dotenv_file(ctx);
  if (spans.empty()) return spans;

  // Overlapping detections are one secret: redact their union, so no tail
  // of a secret that one detector cut short stays visible, and name it by
  // the highest-priority detector (the earliest, then longest, on a tie).
  std::sort(spans.begin(), spans.end(), [](const SecretSpan& a, const SecretSpan& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    return a.end > b.end;
  });
  std::vector<SecretSpan> merged;
  for (const SecretSpan& s : spans) {
    if (merged.empty() || s.begin >= merged.back().end) {
      merged.push_back(s);
      continue;
    }
    SecretSpan& m = merged.back();
    m.end = std::max(m.end, s.end);
    if (s.priority > m.priority) {
      m.kind = s.kind;
      m.priority = s.priority;
    }
  }
  return merged;
}

}  // namespace bastion::policy::secret
