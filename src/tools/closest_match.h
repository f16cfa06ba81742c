// Finds where a string the model expected in a file most nearly is, so a
// failed edit can say "lines 40-42 differ only in whitespace" or "closest
// match (85% similar) at line 40" instead of just "not found".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bastion::tools {

struct ClosestMatch {
  size_t first_line = 0;  // 1-based, inclusive
  size_t last_line = 0;
  double similarity = 0;  // 1.0 for a whitespace-only difference
  bool whitespace_only = false;
};

// nullopt when nothing is reasonably similar (or the file is too large).
std::optional<ClosestMatch> find_closest(std::string_view content, std::string_view needle);

// Lines [first, last] (1-based) of `content`, numbered like the read tool,
// at most `max_lines` of them, each cut at 200 bytes.
std::string numbered_lines(std::string_view content, size_t first, size_t last, size_t max_lines);

// 1-based line number of byte offset `pos`.
size_t line_of_offset(std::string_view content, size_t pos);

}  // namespace bastion::tools
