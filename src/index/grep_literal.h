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
// returned; with `caseless`, only those ascii_caseless_ok accepts.
std::string required_literal(std::string_view pattern, size_t min_size = 3,
                             bool caseless = false);

// The first occurrence of `needle` (non-empty) in [begin, end), or nullptr.
const char* find_literal(const char* begin, const char* end, std::string_view needle);

// True when PCRE2 (UTF, caseless) matches each byte of `literal` only by
// itself or its other ASCII case: no 'k' (also U+212A KELVIN SIGN) and no
// 's' (also U+017F LONG S) of either case.
bool ascii_caseless_ok(std::string_view literal);

// Like find_literal, ignoring ASCII case; `lower` is the needle in lower case.
const char* find_literal_caseless(const char* begin, const char* end, std::string_view lower);

}  // namespace bastion::index
