// Turns code and prose into search terms for BM25, the same way for files
// and queries: identifiers are split at snake_case and camelCase boundaries
// (HTTPAdapter -> http, adapter; session_cls -> session, cls) and also kept
// whole, words are lower-cased and lightly stemmed (sessions -> session), and
// stopwords and bare numbers are dropped.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bastion::index {

// Parts of an identifier, lower-cased: "getHTTPResponse_code" ->
// {"get", "http", "response", "code"}. Digits stay with their part.
std::vector<std::string> split_identifier(std::string_view ident);

// Light English stemming of a lower-case word (plural and -ing/-ed forms).
std::string stem(std::string_view word);

bool is_stopword(std::string_view lower_word);

// Appends the search terms of `text` to `out` (with repeats).
void append_terms(std::string_view text, std::vector<std::string>& out);
// Calls `fn` with each term append_terms() would append, in order, without
// building strings; the view is valid only during the call.
void for_each_term(std::string_view text, const std::function<void(std::string_view)>& fn);

// Term -> occurrences, looked up by string_view without allocating.
struct TermHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using TermCounts = std::unordered_map<std::string, uint32_t, TermHash, std::equal_to<>>;

// The terms append_terms() would append, counted into `counts`; allocates
// only for a term's first occurrence. Returns how many terms it counted.
size_t count_terms(std::string_view text, TermCounts& counts);

// Terms of a repo-relative path: its directory and file-name words.
std::vector<std::string> path_terms(std::string_view path);

}  // namespace bastion::index
