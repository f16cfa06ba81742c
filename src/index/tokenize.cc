#include "index/tokenize.h"

#include <algorithm>
#include <array>

namespace bastion::index {
namespace {

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// ASCII only, whatever the locale: bytes of UTF-8 sequences are not word
// characters (as std::isalnum in the "C" locale, without its call).
bool is_word_char(unsigned char c) { return is_lower(c) || is_upper(c) || is_digit(c) || c == '_'; }
char ascii_lower(char c) { return is_upper(c) ? static_cast<char>(c + ('a' - 'A')) : c; }

// English function words plus keywords so common in code that they carry
// no signal for finding a file.
constexpr std::string_view kStopwords[] = {
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "did", "do",
    "does", "for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "just", "me", "my", "no", "not", "of", "on", "or", "our",
    "she", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "to", "too", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "why", "will", "with", "would", "you", "your", "also",
    "am", "been", "being", "other", "only", "very", "should", "would", "here", "all", "any",
    "each", "more", "most", "same", "about", "after", "before", "because", "way", "using",
    "use", "used", "get", "got", "like", "one", "two", "want", "see", "seem", "now", "still",
    "def", "self", "return", "import", "none", "true", "false", "null", "var", "let", "const",
    "int", "void", "else", "elif", "try", "except", "pass", "raise", "new", "this", "py",
    "lambda", "cls", "args", "kwargs", "http", "https", "www", "com", "org", "github",
    "issue", "version", "line", "file", "error", "traceback", "recent", "call", "last",
    "most", "expected", "actual", "result", "output", "example", "code", "work", "working",
    "thank", "thanks", "please", "would", "think", "way", "bug"};

// The stopwords bucketed by length and first letter: a lookup compares a
// word with the one or two stopwords that could equal it, without hashing.
class StopwordTable {
 public:
  StopwordTable() {
    for (std::string_view w : kStopwords) buckets_[bucket(w)].push_back(w);
  }
  bool contains(std::string_view w) const {
    if (w.empty() || w.size() > kMaxLen || !is_lower(w[0])) return false;
    for (std::string_view s : buckets_[bucket(w)])
      if (s == w) return true;
    return false;
  }

 private:
  static constexpr size_t kMaxLen = 15;
  static size_t bucket(std::string_view w) { return w.size() * 26 + (w[0] - 'a'); }
  std::array<std::vector<std::string_view>, (kMaxLen + 1) * 26> buckets_;
};

const StopwordTable& stopwords() {
  static const StopwordTable kTable;
  return kTable;
}

}  // namespace

std::vector<std::string> split_identifier(std::string_view s) {
  std::vector<std::string> parts;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) parts.push_back(std::move(cur));
    cur.clear();
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_' || c == '-' || c == '$') {
      flush();
      continue;
    }
    if (is_upper(c) && !cur.empty()) {
      char prev = s[i - 1];
      bool next_lower = i + 1 < s.size() && is_lower(s[i + 1]);
      // fooBar | HTTPResponse (split before the last capital of a run)
      if (is_lower(prev) || is_digit(prev) || (is_upper(prev) && next_lower)) flush();
    }
    cur += ascii_lower(c);
  }
  flush();
  return parts;
}

namespace {

// stem() on `s` in place.
void stem_in_place(std::string& s) {
  const size_t n = s.size();
  if (n <= 3) return;
  auto ends = [&](std::string_view suf) {
    return n > suf.size() + 1 && s.compare(n - suf.size(), suf.size(), suf) == 0;
  };
  auto drop_double = [&] {  // running -> run
    if (s.size() > 2 && s[s.size() - 1] == s[s.size() - 2] && s.back() != 'l' && s.back() != 's')
      s.pop_back();
  };
  if (ends("ies")) {
    s.resize(n - 3);
    s += 'y';
  } else if (ends("sses")) {
    s.resize(n - 2);
  } else if (ends("ing") && n > 5) {
    s.resize(n - 3);
    drop_double();
  } else if (ends("ed") && n > 4 && !ends("eed")) {
    s.resize(n - 2);
    drop_double();
  } else if (s.back() == 's' && !ends("ss") && !ends("us") && !ends("is")) {
    s.resize(n - 1);
  }
}

// Calls emit(term) for each term of `text`, in order, with repeats; the
// string_view is valid only during the call. Same rules as split_identifier
// and stem, without allocating per word.
template <typename Emit>
void scan_terms(std::string_view text, Emit&& emit) {
  thread_local std::string whole, part;
  thread_local std::vector<std::pair<uint32_t, uint32_t>> parts;  // [b, e) in `whole`
  size_t i = 0, n = text.size();
  while (i < n) {
    if (!is_word_char(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    size_t b = i;
    while (i < n && is_word_char(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view word = text.substr(b, i - b);
    if (word.size() < 2 || word.size() > 60 || is_digit(word[0])) continue;
    // split_identifier(), into `whole` (the lower-cased parts, joined) and
    // part boundaries.
    whole.clear();
    parts.clear();
    uint32_t start = 0;
    auto flush = [&] {
      if (whole.size() > start) parts.push_back({start, static_cast<uint32_t>(whole.size())});
      start = static_cast<uint32_t>(whole.size());
    };
    for (size_t k = 0; k < word.size(); ++k) {
      char c = word[k];
      if (c == '_') {
        flush();
        continue;
      }
      if (is_upper(c) && whole.size() > start) {
        char prev = word[k - 1];
        bool next_lower = k + 1 < word.size() && is_lower(word[k + 1]);
        if (is_lower(prev) || is_digit(prev) || (is_upper(prev) && next_lower)) flush();
      }
      whole += ascii_lower(c);
    }
    flush();
    if (parts.size() > 1) emit(std::string_view(whole));  // the compound
    for (auto [pb, pe] : parts) {
      std::string_view p(whole.data() + pb, pe - pb);
      if (p.size() < 2 || is_digit(p[0]) || is_stopword(p)) continue;
      part.assign(p);
      stem_in_place(part);
      if (!is_stopword(part)) emit(std::string_view(part));
    }
  }
}

}  // namespace

std::string stem(std::string_view w) {
  std::string s(w);
  stem_in_place(s);
  return s;
}

bool is_stopword(std::string_view w) { return stopwords().contains(w); }

void append_terms(std::string_view text, std::vector<std::string>& out) {
  scan_terms(text, [&](std::string_view t) { out.emplace_back(t); });
}

void for_each_term(std::string_view text, const std::function<void(std::string_view)>& fn) {
  scan_terms(text, fn);
}

size_t count_terms(std::string_view text, TermCounts& counts) {
  size_t total = 0;
  scan_terms(text, [&](std::string_view t) {
    ++total;
    auto it = counts.find(t);
    if (it != counts.end()) ++it->second;
    else counts.emplace(std::string(t), 1);
  });
  return total;
}

std::vector<std::string> path_terms(std::string_view path) {
  std::vector<std::string> out;
  std::string cleaned(path);
  for (char& c : cleaned)
    if (c == '/' || c == '.') c = ' ';
  append_terms(cleaned, out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace bastion::index
