// required_literal and find_literal: see grep_literal.h.
#include "index/grep_literal.h"

#include <cstring>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace bastion::index {
namespace {

constexpr size_t kNone = std::string_view::npos;

// Index just past the character class opening at p[i] == '[', or kNone.
size_t skip_class(std::string_view p, size_t i) {
  ++i;
  if (i < p.size() && p[i] == '^') ++i;
  if (i < p.size() && p[i] == ']') ++i;  // a leading ']' is literal
  while (i < p.size()) {
    if (p[i] == '\\') {
      if (i + 1 < p.size() && (p[i + 1] == 'Q' || p[i + 1] == 'E')) return kNone;
      i += 2;
    } else if (p[i] == '[' && i + 1 < p.size() && p[i + 1] == ':') {
      size_t close = p.find(":]", i + 2);
      if (close == kNone) return kNone;
      i = close + 2;
    } else if (p[i] == ']') {
      return i + 1;
    } else {
      ++i;
    }
  }
  return kNone;
}

// Index just past the group opening at p[i] == '(', or kNone.
size_t skip_group(std::string_view p, size_t i) {
  int depth = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '\\') {
      if (i + 1 < p.size() && (p[i + 1] == 'Q' || p[i + 1] == 'E')) return kNone;
      i += 2;
    } else if (c == '[') {
      i = skip_class(p, i);
      if (i == kNone) return kNone;
    } else {
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) return i + 1;
      ++i;
    }
  }
  return kNone;
}

// Escapes of one letter that stand for a class or an assertion and take no
// argument: they end a literal run. Any other letter or digit escape (\x41,
// \1, \p{L}, \cX, \K, \G, \Q...) makes the pattern "not understood".
bool simple_escape(char c) { return std::strchr("sSdDwWbBhHvVRXntrfeazZA", c) != nullptr; }

bool is_quantifier(char c) { return c == '*' || c == '+' || c == '?' || c == '{'; }

// Splits `p` at its top-level '|' (outside groups, classes and escapes).
bool split_alternatives(std::string_view p, std::vector<std::string_view>* out) {
  size_t start = 0, i = 0;
  while (i < p.size()) {
    if (p[i] == '\\') {
      i += 2;
    } else if (p[i] == '[') {
      i = skip_class(p, i);
      if (i == kNone) return false;
    } else if (p[i] == '(') {
      i = skip_group(p, i);
      if (i == kNone) return false;
    } else {
      if (p[i] == '|') {
        out->push_back(p.substr(start, i - start));
        start = i + 1;
      }
      ++i;
    }
  }
  out->push_back(p.substr(start));
  return true;
}

// The longest string found in one of the runs of every alternative.
std::string common_substring(const std::vector<std::vector<std::string>>& alts) {
  std::string best;
  for (const std::string& run : alts[0]) {
    for (size_t len = run.size(); len > best.size(); --len) {
      for (size_t at = 0; at + len <= run.size() && len > best.size(); ++at) {
        std::string_view piece(run.data() + at, len);
        bool everywhere = true;
        for (size_t a = 1; a < alts.size() && everywhere; ++a) {
          bool found = false;
          for (const std::string& r : alts[a]) found |= r.find(piece) != std::string::npos;
          everywhere = found;
        }
        if (everywhere) best = std::string(piece);
      }
    }
  }
  return best;
}

// Literal runs that every match of `p` contains in its matched text; false
// when `p` is not understood. An alternation yields the longest string all
// its branches contain (`(malloc|calloc|realloc)` -> "alloc").
bool collect_runs(std::string_view p, std::vector<std::string>* runs, int depth) {
  if (depth > 8) return false;
  std::vector<std::string_view> alts;
  if (!split_alternatives(p, &alts)) return false;
  if (alts.size() > 1) {
    std::vector<std::vector<std::string>> alt_runs(alts.size());
    for (size_t a = 0; a < alts.size(); ++a)
      if (!collect_runs(alts[a], &alt_runs[a], depth + 1)) return false;
    std::string common = common_substring(alt_runs);
    if (!common.empty()) runs->push_back(std::move(common));
    return true;
  }
  std::string cur;
  auto end_run = [&] {
    if (!cur.empty()) runs->push_back(std::move(cur));
    cur.clear();
  };
  size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    char lit;
    if (c == ')') return false;  // unbalanced
    if (c == '(') {
      if (i + 1 < p.size() && p[i + 1] == '*') return false;  // (*UCP), (*CR)...
      size_t body = i + 1;  // where a group's own pattern starts, or kNone to skip it
      if (i + 1 < p.size() && p[i + 1] == '?') {
        if (i + 2 >= p.size() || !std::strchr(":=!<>|", p[i + 2]))
          return false;  // inline options (?i), comments, recursion, named forms
        // (?: (?> (?| hold part of the match; lookarounds and named
        // groups are skipped.
        body = std::strchr(":>|", p[i + 2]) ? i + 3 : kNone;
      }
      size_t close = skip_group(p, i);
      if (close == kNone) return false;
      end_run();
      // A group that may be left out ('?', '*', '{') adds nothing; one that
      // is not understood adds nothing either (its options end with it).
      bool optional = close < p.size() && is_quantifier(p[close]) && p[close] != '+';
      if (body != kNone && !optional) {
        std::vector<std::string> inner;
        if (collect_runs(p.substr(body, close - 1 - body), &inner, depth + 1))
          for (auto& r : inner) runs->push_back(std::move(r));
      }
      i = close;
      continue;
    }
    if (c == '[') {
      i = skip_class(p, i);
      if (i == kNone) return false;
      end_run();
      continue;
    }
    if (c == '.' || c == '^' || c == '$' || is_quantifier(c) ||
        static_cast<unsigned char>(c) >= 0x80) {
      // A quantifier with no atom of ours before it (after a group or a
      // class) was handled with that atom; a UTF-8 byte just ends the run.
      if (c == '{') {
        size_t close = p.find('}', i);
        if (close == kNone) return false;
        i = close;
      }
      end_run();
      ++i;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= p.size()) return false;
      char n = p[i + 1];
      bool alnum = (n >= '0' && n <= '9') || (n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z');
      if (alnum || static_cast<unsigned char>(n) >= 0x80) {
        if (!alnum || !simple_escape(n)) return false;
        end_run();
        i += 2;
        continue;
      }
      lit = n;  // escaped punctuation stands for itself
      i += 2;
    } else {
      lit = c;
      ++i;
    }
    if (lit == '\n' || lit == '\r') return false;
    // The atom `lit` is required once unless a quantifier may drop it; a
    // repeat of it ends the run either way.
    if (i < p.size() && is_quantifier(p[i])) {
      if (p[i] == '+') cur += lit;
      end_run();
      continue;  // the quantifier itself is skipped at the top of the loop
    }
    cur += lit;
  }
  end_run();
  return true;
}

}  // namespace

std::string required_literal(std::string_view p, size_t min_size, bool caseless) {
  // These act on the whole match wherever they are: \K moves its start, \G
  // ties it to the search offset, \Q..\E quotes, verbs change newlines.
  if (p.size() > 1000 || p.find("\\K") != kNone || p.find("\\G") != kNone ||
      p.find("\\Q") != kNone || p.find("(*") != kNone)
    return "";
  std::vector<std::string> runs;
  if (!collect_runs(p, &runs, 0)) return "";
  std::string best;
  for (auto& r : runs)
    if (r.size() > best.size() && (!caseless || ascii_caseless_ok(r))) best = std::move(r);
  return best.size() >= min_size ? best : "";
}

const char* find_literal(const char* begin, const char* end, std::string_view needle) {
  size_t k = needle.size();
  if (k == 0 || static_cast<size_t>(end - begin) < k) return nullptr;
  if (k == 1) return static_cast<const char*>(std::memchr(begin, needle[0], end - begin));
  const char* last = end - k;  // the last place an occurrence can start
  const char* p = begin;
#if defined(__SSE2__)
  // Candidates are where the first and the last byte both fit (two 16-byte
  // compares), checked with memcmp.
  const __m128i first = _mm_set1_epi8(needle[0]);
  const __m128i final = _mm_set1_epi8(needle[k - 1]);
  for (; p + 16 <= last + 1; p += 16) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k - 1));
    unsigned mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, final))));
    while (mask) {
      int bit = __builtin_ctz(mask);
      if (std::memcmp(p + bit + 1, needle.data() + 1, k - 2) == 0) return p + bit;
      mask &= mask - 1;
    }
  }
#endif
  for (; p <= last; ++p) {
    p = static_cast<const char*>(std::memchr(p, needle[0], last - p + 1));
    if (!p) return nullptr;
    if (std::memcmp(p + 1, needle.data() + 1, k - 1) == 0) return p;
  }
  return nullptr;
}

bool ascii_caseless_ok(std::string_view literal) {
  for (char c : literal)
    if (c == 'k' || c == 'K' || c == 's' || c == 'S' || static_cast<unsigned char>(c) >= 0x80)
      return false;
  return true;
}

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool equal_caseless(const char* text, std::string_view lower_needle) {
  for (size_t i = 0; i < lower_needle.size(); ++i)
    if (lower(text[i]) != lower_needle[i]) return false;
  return true;
}

}  // namespace

const char* find_literal_caseless(const char* begin, const char* end, std::string_view needle) {
  size_t k = needle.size();
  if (k == 0 || static_cast<size_t>(end - begin) < k) return nullptr;
  const char* last = end - k;
  const char* p = begin;
#if defined(__SSE2__)
  if (k >= 2) {
    // A letter matches in either case: OR-ing 0x20 folds 'A'-'Z' onto
    // 'a'-'z' and maps no other byte there.
    const __m128i first = _mm_set1_epi8(needle[0]);
    const __m128i final = _mm_set1_epi8(needle[k - 1]);
    const __m128i fold_first = _mm_set1_epi8(is_letter(needle[0]) ? 0x20 : 0);
    const __m128i fold_final = _mm_set1_epi8(is_letter(needle[k - 1]) ? 0x20 : 0);
    for (; p + 16 <= last + 1; p += 16) {
      __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), fold_first);
      __m128i b =
          _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k - 1)), fold_final);
      unsigned mask = static_cast<unsigned>(
          _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, final))));
      while (mask) {
        int bit = __builtin_ctz(mask);
        if (equal_caseless(p + bit, needle)) return p + bit;
        mask &= mask - 1;
      }
    }
  }
#endif
  for (; p <= last; ++p)
    if (equal_caseless(p, needle)) return p;
  return nullptr;
}

}  // namespace bastion::index
