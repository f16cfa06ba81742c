#include "policy/secret_text.h"

#include <cmath>

namespace bastion::policy::secret {

double shannon_entropy(std::string_view s) {
  if (s.empty()) return 0;
  size_t counts[256] = {};
  for (unsigned char c : s) ++counts[c];
  double h = 0;
  const double n = static_cast<double>(s.size());
  for (size_t c : counts) {
    if (c == 0) continue;
    double p = static_cast<double>(c) / n;
    h -= p * std::log2(p);
  }
  return h;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

bool has_digit(std::string_view s) {
  for (char c : s)
    if (is_digit(c)) return true;
  return false;
}

bool has_alpha(std::string_view s) {
  for (char c : s)
    if (is_alpha(c)) return true;
  return false;
}

bool all_hex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_hex(c)) return false;
  return true;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

}  // namespace bastion::policy::secret
