// Turns code and prose into search terms for BM25, the same way for files
// and queries: identifiers are split at snake_case and camelCase boundaries
// (HTTPAdapter -> http, adapter; session_cls -> session, cls) and also kept
// whole, words are lower-cased and lightly stemmed (sessions -> session), and
// stopwords and bare numbers are dropped.
#pragma once

#include <string>
#include <string_view>
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

// Terms of a repo-relative path: its directory and file-name words.
std::vector<std::string> path_terms(std::string_view path);

}  // namespace bastion::index
