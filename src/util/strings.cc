#include "util/strings.h"

#include <algorithm>
#include <cctype>
#include <random>

namespace bastion::str {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  for (;;) {
    size_t j = s.find(sep, i);
    if (j == std::string_view::npos) {
      out.emplace_back(s.substr(i));
      return out;
    }
    out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
}

std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find('\n', i);
    if (j == std::string_view::npos) j = s.size();
    std::string_view line = s.substr(i, j - i);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.emplace_back(line);
    i = j + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view x) {
  return s.size() >= x.size() && s.substr(s.size() - x.size()) == x;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  if (from.empty()) return s;
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

namespace {
// Moves `pos` back to the start of a UTF-8 sequence.
size_t utf8_floor(std::string_view s, size_t pos) {
  while (pos > 0 && pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) --pos;
  return pos;
}
}  // namespace

std::string truncate_utf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  return std::string(s.substr(0, utf8_floor(s, max_bytes)));
}

std::string elide_middle(std::string_view text, size_t head, size_t tail) {
  if (text.size() <= head + tail + 64) return std::string(text);
  size_t head_end = utf8_floor(text, head);
  size_t nl = text.rfind('\n', head_end);
  if (nl != std::string_view::npos && nl > head_end / 2) head_end = nl + 1;
  size_t tail_start = utf8_floor(text, text.size() - tail);
  size_t nl2 = text.find('\n', tail_start);
  if (nl2 != std::string_view::npos && nl2 < tail_start + tail / 2) tail_start = nl2 + 1;
  size_t dropped_bytes = tail_start - head_end;
  size_t dropped_lines = static_cast<size_t>(
      std::count(text.begin() + head_end, text.begin() + tail_start, '\n'));
  std::string out(text.substr(0, head_end));
  out += "\n[... " + std::to_string(dropped_lines) + " lines (" + std::to_string(dropped_bytes) +
         " bytes) elided ...]\n";
  out += text.substr(tail_start);
  return out;
}

bool looks_binary(std::string_view data) {
  std::string_view probe = data.substr(0, 8192);
  return probe.find('\0') != std::string_view::npos;
}

size_t edit_distance(std::string_view a, std::string_view b, size_t cap) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > cap) return cap + 1;
  std::vector<size_t> prev(a.size() + 1), cur(a.size() + 1);
  for (size_t i = 0; i <= a.size(); ++i) prev[i] = i;
  for (size_t j = 1; j <= b.size(); ++j) {
    cur[0] = j;
    size_t row_min = cur[0];
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t sub = prev[i - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[i] = std::min({prev[i] + 1, cur[i - 1] + 1, sub});
      row_min = std::min(row_min, cur[i]);
    }
    if (row_min > cap) return cap + 1;
    std::swap(prev, cur);
  }
  return prev[a.size()];
}

std::string random_hex(size_t bytes) {
  static const char* kHex = "0123456789abcdef";
  std::random_device rd;
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    unsigned v = rd() & 0xFF;
    out += kHex[v >> 4];
    out += kHex[v & 15];
  }
  return out;
}

}  // namespace bastion::str
