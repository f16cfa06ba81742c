#include "index/tokenize.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>

namespace bastion::index {
namespace {

bool is_word_char(unsigned char c) { return std::isalnum(c) || c == '_'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

const std::unordered_set<std::string_view>& stopwords() {
  // English function words plus keywords so common in code that they carry
  // no signal for finding a file.
  static const std::unordered_set<std::string_view> kWords = {
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
  return kWords;
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
    cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  flush();
  return parts;
}

std::string stem(std::string_view w) {
  std::string s(w);
  size_t n = s.size();
  if (n <= 3) return s;
  auto ends = [&](std::string_view suf) {
    return s.size() > suf.size() + 1 && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
  };
  if (ends("ies")) return s.substr(0, n - 3) + "y";
  if (ends("sses")) return s.substr(0, n - 2);
  if (ends("ing") && n > 5) {
    s = s.substr(0, n - 3);
    if (s.size() > 2 && s[s.size() - 1] == s[s.size() - 2] && s.back() != 'l' && s.back() != 's')
      s.pop_back();  // running -> run
    return s;
  }
  if (ends("ed") && n > 4 && !ends("eed")) {
    s = s.substr(0, n - 2);
    if (s.size() > 2 && s[s.size() - 1] == s[s.size() - 2] && s.back() != 'l' && s.back() != 's')
      s.pop_back();
    return s;
  }
  if (s.back() == 's' && !ends("ss") && !ends("us") && !ends("is")) return s.substr(0, n - 1);
  return s;
}

bool is_stopword(std::string_view w) { return stopwords().count(w) > 0; }

void append_terms(std::string_view text, std::vector<std::string>& out) {
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
    std::vector<std::string> parts = split_identifier(word);
    if (parts.size() > 1) {
      std::string whole;
      for (auto& p : parts) whole += p;
      out.push_back(std::move(whole));  // the compound, for exact identifier hits
    }
    for (auto& p : parts) {
      if (p.size() < 2 || is_digit(p[0]) || is_stopword(p)) continue;
      std::string st = stem(p);
      if (!is_stopword(st)) out.push_back(std::move(st));
    }
  }
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
