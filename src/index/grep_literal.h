// A literal prefilter for the grep: a string every match of a PCRE2 pattern
// must contain, found in a file with a SIMD scan much faster than PCRE2-JIT
// walking the bytes itself. Files without the literal skip PCRE2 entirely and
// the search jumps to the lines holding it (on /usr/include the JIT was a
// quarter of the CPU time for `\bstatic\s+inline\b`, most of it in the 97%
// of files with no match).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bastion::index {

// A byte string that every match of `pattern` (PCRE2 syntax, compiled
// without PCRE2_CASELESS or PCRE2_EXTENDED) contains within the matched text
// itself, or "" when the pattern is not understood well enough to say
// (inline options, \K, \G, \Q, verbs, numeric escapes...). Conservative:
// a quantified atom or group is dropped, lookarounds are skipped, an
// alternation gives the longest string all its branches hold. The literal
// never holds a newline. Only literals of `min_size` bytes or more are
// returned.
std::string required_literal(std::string_view pattern, size_t min_size = 3);

// The first occurrence of `needle` (non-empty) in [begin, end), or nullptr.
const char* find_literal(const char* begin, const char* end, std::string_view needle);

}  // namespace bastion::index
