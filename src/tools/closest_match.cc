#include "tools/closest_match.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "util/strings.h"

namespace bastion::tools {
namespace {

constexpr size_t kMaxFuzzyLines = 20000;

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size();
    std::string_view line = s.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == s.size()) break;
    pos = nl + 1;
  }
  return out;
}

std::string squeeze(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v') out += c;
  return out;
}

std::vector<uint16_t> bigrams(std::string_view s) {
  std::vector<uint16_t> out;
  std::string t = squeeze(s);
  for (size_t i = 0; i + 1 < t.size(); ++i)
    out.push_back(static_cast<uint16_t>((static_cast<unsigned char>(t[i]) << 8) |
                                        static_cast<unsigned char>(t[i + 1])));
  std::sort(out.begin(), out.end());
  return out;
}

// Dice coefficient of two sorted bigram multisets.
double dice(const std::vector<uint16_t>& a, const std::vector<uint16_t>& b) {
  if (a.empty() && b.empty()) return 1.0;
  size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) ++common, ++i, ++j;
    else if (a[i] < b[j]) ++i;
    else ++j;
  }
  return 2.0 * static_cast<double>(common) / static_cast<double>(a.size() + b.size());
}

std::string join(const std::vector<std::string_view>& lines, size_t from, size_t count) {
  std::string out;
  for (size_t i = from; i < from + count && i < lines.size(); ++i) {
    if (i > from) out += '\n';
    out += lines[i];
  }
  return out;
}

}  // namespace

size_t line_of_offset(std::string_view content, size_t pos) {
  return 1 + static_cast<size_t>(std::count(content.begin(), content.begin() + std::min(pos, content.size()), '\n'));
}

std::string numbered_lines(std::string_view content, size_t first, size_t last, size_t max_lines) {
  auto lines = split(content);
  std::string out;
  size_t shown = 0;
  for (size_t n = std::max<size_t>(first, 1); n <= last && n <= lines.size(); ++n) {
    if (shown++ == max_lines) {
      out += "  ...\n";
      break;
    }
    char num[24];
    std::snprintf(num, sizeof num, "%5zu\t", n);
    out += num;
    out += str::truncate_utf8(lines[n - 1], 200);
    out += '\n';
  }
  return out;
}

std::optional<ClosestMatch> find_closest(std::string_view content, std::string_view needle) {
  if (needle.empty() || content.empty()) return std::nullopt;
  auto lines = split(content);
  std::string_view trimmed = needle;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.remove_suffix(1);
  auto nlines = split(trimmed);
  size_t k = std::max<size_t>(1, nlines.size());

  // 1. Equal once whitespace is ignored (a window may cut into its first
  // and last lines, so search the squeezed needle inside the window).
  std::string want = squeeze(trimmed);
  if (!want.empty()) {
    std::vector<std::string> sq(lines.size());
    for (size_t i = 0; i < lines.size(); ++i) sq[i] = squeeze(lines[i]);
    for (size_t i = 0; i + k <= lines.size(); ++i) {
      std::string w;
      for (size_t j = i; j < i + k; ++j) w += sq[j];
      if (w.find(want) != std::string::npos) return ClosestMatch{i + 1, i + k, 1.0, true};
    }
  }

  // 2. Fuzzy: rank windows of k lines by bigram overlap, confirm the best
  // few by edit distance.
  if (lines.size() > kMaxFuzzyLines) return std::nullopt;
  auto target = bigrams(trimmed);
  std::vector<std::pair<double, size_t>> scored;
  for (size_t i = 0; i + k <= lines.size() || (i == 0 && lines.size() < k); ++i) {
    scored.push_back({dice(bigrams(join(lines, i, k)), target), i});
    if (lines.size() < k) break;
  }
  std::sort(scored.begin(), scored.end(), [](auto& a, auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::optional<ClosestMatch> best;
  for (size_t c = 0; c < scored.size() && c < 3; ++c) {
    size_t i = scored[c].second;
    std::string w = join(lines, i, k);
    size_t longest = std::max(w.size(), trimmed.size());
    if (longest == 0) continue;
    size_t d = str::edit_distance(w, trimmed, longest);
    double sim = 1.0 - static_cast<double>(std::min(d, longest)) / static_cast<double>(longest);
    sim = std::max(sim, scored[c].first * 0.9);  // partial-line needles score low on distance
    if (!best || sim > best->similarity)
      best = ClosestMatch{i + 1, std::min(i + k, lines.size()), sim, false};
  }
  if (!best || best->similarity < 0.4) return std::nullopt;
  return best;
}

}  // namespace bastion::tools
