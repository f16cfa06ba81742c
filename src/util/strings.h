// Small string helpers used across modules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bastion::str {

std::vector<std::string> split(std::string_view s, char sep);
std::vector<std::string> split_lines(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string_view trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::string to_lower(std::string_view s);
std::string replace_all(std::string s, std::string_view from, std::string_view to);

// Keeps the first `head` and last `tail` bytes of text longer than
// head+tail, replacing the middle with a marker naming what was dropped.
// Cuts fall on line boundaries when one is near, and never split UTF-8.
std::string elide_middle(std::string_view text, size_t head, size_t tail);

// True when the buffer looks binary (NUL byte or invalid UTF-8 dominance in
// the first 8 KB), as git and ripgrep decide.
bool looks_binary(std::string_view data);

// Truncates to at most `max_bytes` without splitting a UTF-8 sequence.
std::string truncate_utf8(std::string_view s, size_t max_bytes);

// Levenshtein distance, capped: returns cap+1 when the distance exceeds cap.
size_t edit_distance(std::string_view a, std::string_view b, size_t cap);

// Random hex identifier of `bytes` random bytes.
std::string random_hex(size_t bytes);

}  // namespace bastion::str
