// The languages the symbol index parses with tree-sitter, how a path maps to
// one, and the grammar and tags query for each. Grammars and their shipped
// queries/tags.scm are fetched from npm at build time (cmake/index.cmake).
#pragma once

#include <cstdint>
#include <string_view>

struct TSLanguage;

namespace bastion::index {

// Values are fixed: the build generates queries keyed by them.
enum class Lang : uint8_t {
  kC = 0,
  kCpp = 1,
  kPython = 2,
  kJavaScript = 3,
  kTypeScript = 4,
  kTsx = 5,
  kGo = 6,
  kRust = 7,
  kJava = 8,
  kNone = 255,  // not parsed: still searchable as text
};

// By extension (.h counts as C++, the superset). kNone when unknown.
Lang lang_for_path(std::string_view path);
const char* lang_name(Lang lang);
Lang lang_from_name(std::string_view name);

// The grammar, or null for kNone.
const TSLanguage* ts_language(Lang lang);

// The grammar package's queries/tags.scm (TypeScript/TSX include
// JavaScript's). Empty for kNone.
std::string_view tags_query(Lang lang);

}  // namespace bastion::index
