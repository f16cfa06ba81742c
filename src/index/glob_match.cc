#include "index/glob_match.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

namespace bastion::index {
namespace {

// Outcomes of a sub-match. The two abort codes prune backtracking: once the
// text is exhausted no later start can succeed (kAbortAll), and once a
// single `*` has hit a '/' only an enclosing `**` can help (kAbortToStarStar).
enum Outcome { kMatch, kNoMatch, kAbortAll, kAbortToStarStar };

bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_alpha(unsigned char c) { return is_upper(c) || is_lower(c); }
bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_print(unsigned char c) { return c >= 0x20 && c <= 0x7e; }
bool is_punct(unsigned char c) { return c && std::strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c); }

// Returns -1 for an unknown class name (the whole pattern is then invalid).
int class_matches(std::string_view name, unsigned char c) {
  if (name == "alnum") return is_alpha(c) || is_digit(c);
  if (name == "alpha") return is_alpha(c);
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "cntrl") return c < 0x20 || c == 0x7f;
  if (name == "digit") return is_digit(c);
  if (name == "graph") return is_print(c) && c != ' ';
  if (name == "lower") return is_lower(c);
  if (name == "print") return is_print(c);
  if (name == "punct") return is_punct(c);
  if (name == "space") return is_space(c);
  if (name == "upper") return is_upper(c);
  if (name == "xdigit") return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return -1;
}

bool is_special(char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

// Remembers the outcome of run(pi, ti). With two or more stars a pattern
// such as `**/**/*a*a*a*b` re-tries the same (pattern, text) positions an
// exponential number of times; with the memo each pair is computed once.
class OutcomeMemo {
 public:
  OutcomeMemo(size_t pattern_size, size_t text_size) : width_(text_size + 1) {
    size_t cells = (pattern_size + 1) * width_;
    if (cells <= kDenseCells) dense_.assign(cells, kUnknown);
  }

  int get(size_t pi, size_t ti) const {
    if (!dense_.empty()) return dense_[pi * width_ + ti];
    auto it = sparse_.find(pi * width_ + ti);
    return it == sparse_.end() ? kUnknown : it->second;
  }

  void put(size_t pi, size_t ti, Outcome o) {
    if (!dense_.empty())
      dense_[pi * width_ + ti] = static_cast<int8_t>(o);
    else
      sparse_[pi * width_ + ti] = static_cast<int8_t>(o);
  }

  static constexpr int kUnknown = -1;

 private:
  static constexpr size_t kDenseCells = 1 << 20;
  size_t width_;
  std::vector<int8_t> dense_;
  std::unordered_map<size_t, int8_t> sparse_;
};

size_t count_stars(std::string_view p) {
  size_t n = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') ++i;
    else if (p[i] == '*') ++n;
  }
  return n;
}

class Matcher {
 public:
  Matcher(std::string_view p, std::string_view t, bool path_mode)
      : p_(p), t_(t), path_(path_mode) {
    if (count_stars(p) >= 2) memo_.emplace(p.size(), t.size());
  }

  Outcome run(size_t pi, size_t ti) const {
    if (!memo_) return run_uncached(pi, ti);
    size_t key_ti = ti < t_.size() ? ti : t_.size();
    int known = memo_->get(pi, key_ti);
    if (known != OutcomeMemo::kUnknown) return static_cast<Outcome>(known);
    Outcome o = run_uncached(pi, ti);
    memo_->put(pi, key_ti, o);
    return o;
  }

 private:
  Outcome run_uncached(size_t pi, size_t ti) const {
    for (; pi < p_.size(); ++pi, ++ti) {
      unsigned char pc = at_p(pi);
      if (ti >= t_.size() && pc != '*') return kAbortAll;
      unsigned char tc = at_t(ti);
      switch (pc) {
        case '\\':
          ++pi;
          if (tc != at_p(pi)) return kNoMatch;  // a trailing '\' matches nothing
          break;
        case '?':
          if (path_ && tc == '/') return kNoMatch;
          break;
        case '[': {
          Outcome o = match_class(pi, tc);
          if (o != kMatch) return o;
          break;
        }
        case '*':
          return match_star(pi, ti);
        default:
          if (tc != pc) return kNoMatch;
      }
    }
    return ti >= t_.size() ? kMatch : kNoMatch;
  }

  unsigned char at_p(size_t i) const { return i < p_.size() ? p_[i] : '\0'; }
  unsigned char at_t(size_t i) const { return i < t_.size() ? t_[i] : '\0'; }

  Outcome match_star(size_t pi, size_t ti) const {
    bool cross_slash;
    if (at_p(pi + 1) == '*') {
      size_t first = pi;
      while (at_p(pi + 1) == '*') ++pi;
      size_t next = pi + 1;
      bool bounded_before = first == 0 || p_[first - 1] == '/';
      bool bounded_after = next >= p_.size() || p_[next] == '/' ||
                           (p_[next] == '\\' && at_p(next + 1) == '/');
      if (bounded_before && bounded_after) {
        // "**/" may match zero directories.
        if (at_p(next) == '/' && run(next + 1, ti) == kMatch) return kMatch;
        cross_slash = true;
      } else {
        cross_slash = !path_;
      }
    } else {
      cross_slash = !path_;
    }
    size_t next = pi + 1;
    if (next >= p_.size()) {
      if (!cross_slash && t_.find('/', ti) != std::string_view::npos) return kAbortToStarStar;
      return kMatch;
    }
    if (!cross_slash && p_[next] == '/') {
      // A lone `*` before '/' swallows exactly the rest of this component.
      size_t slash = t_.find('/', ti);
      if (slash == std::string_view::npos) return kAbortAll;
      return run(next, slash);
    }
    for (; ti < t_.size(); ++ti) {
      unsigned char tc = t_[ti];
      if (!is_special(p_[next])) {
        // Skip ahead to the next occurrence of the literal that follows.
        unsigned char want = p_[next];
        while (ti < t_.size() && (cross_slash || t_[ti] != '/') &&
               static_cast<unsigned char>(t_[ti]) != want)
          ++ti;
        if (ti >= t_.size() || static_cast<unsigned char>(t_[ti]) != want)
          return kAbortToStarStar;
        tc = t_[ti];
      }
      Outcome o = run(next, ti);
      if (o != kNoMatch) {
        if (!cross_slash || o != kAbortToStarStar) return o;
      } else if (!cross_slash && tc == '/') {
        return kAbortToStarStar;
      }
    }
    return kAbortAll;
  }

  // On kMatch, advances `pi` to the closing ']'.
  Outcome match_class(size_t& pi, unsigned char tc) const {
    unsigned char pc = at_p(++pi);
    bool negated = false;
    if (pc == '!' || pc == '^') {
      negated = true;
      pc = at_p(++pi);
    }
    unsigned char prev = 0;
    bool matched = false;
    do {
      if (!pc) return kAbortAll;
      if (pc == '\\') {
        pc = at_p(++pi);
        if (!pc) return kAbortAll;
        if (tc == pc) matched = true;
      } else if (pc == '-' && prev && at_p(pi + 1) && at_p(pi + 1) != ']') {
        pc = at_p(++pi);
        if (pc == '\\') {
          pc = at_p(++pi);
          if (!pc) return kAbortAll;
        }
        if (tc <= pc && tc >= prev) matched = true;
        pc = 0;  // a range cannot start another range
      } else if (pc == '[' && at_p(pi + 1) == ':') {
        size_t name_start = pi + 2;
        size_t end = name_start;
        while (at_p(end) && at_p(end) != ']') ++end;
        if (!at_p(end)) return kAbortAll;
        if (end < name_start + 1 || p_[end - 1] != ':') {
          // No ":]": an ordinary '[' member.
          if (tc == '[') matched = true;
        } else {
          int r = class_matches(p_.substr(name_start, end - 1 - name_start), tc);
          if (r < 0) return kAbortAll;
          if (r) matched = true;
          pi = end;
          pc = 0;
        }
      } else if (tc == pc) {
        matched = true;
      }
      prev = pc;
      pc = at_p(++pi);
    } while (pc != ']');
    if (matched == negated || (path_ && tc == '/')) return kNoMatch;
    return kMatch;
  }

  std::string_view p_, t_;
  bool path_;
  mutable std::optional<OutcomeMemo> memo_;  // only for patterns with two or more stars
};

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool path_mode) {
  return Matcher(pattern, text, path_mode).run(0, 0) == kMatch;
}

size_t glob_literal_prefix(std::string_view pattern) {
  size_t i = 0;
  while (i < pattern.size() && !is_special(pattern[i])) ++i;
  return i;
}

bool glob_is_literal(std::string_view pattern) {
  return glob_literal_prefix(pattern) == pattern.size();
}

}  // namespace bastion::index
