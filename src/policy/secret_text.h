// Character classes and measures shared by the secret detectors: cheap,
// inline, locale-free checks so scanning stays fast on every file read.
#pragma once

#include <cstddef>
#include <string_view>

namespace bastion::policy::secret {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_alpha(char c) { return is_upper(c) || is_lower(c); }
inline bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
inline bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
inline bool is_base64url(char c) { return is_alnum(c) || c == '_' || c == '-'; }
inline bool is_base64(char c) { return is_alnum(c) || c == '+' || c == '/'; }
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
inline char lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// True when the byte before `pos` cannot continue a token of `cls`
// (start of text counts as a boundary).
template <typename Cls>
bool boundary_before(std::string_view text, size_t pos, Cls cls) {
  return pos == 0 || !cls(text[pos - 1]);
}

// Length of the run of bytes matching `cls` starting at `pos`.
template <typename Cls>
size_t run_length(std::string_view text, size_t pos, Cls cls, size_t max = 4096) {
  size_t n = 0;
  while (pos + n < text.size() && n < max && cls(text[pos + n])) ++n;
  return n;
}

// Shannon entropy in bits per byte of `s` (0 for empty input).
double shannon_entropy(std::string_view s);

// Case-insensitive substring test; `needle` must be lowercase.
bool icontains(std::string_view hay, std::string_view needle);

bool has_digit(std::string_view s);
bool has_alpha(std::string_view s);
bool all_hex(std::string_view s);
// 8-4-4-4-12 hex UUID.
bool is_uuid(std::string_view s);

}  // namespace bastion::policy::secret
