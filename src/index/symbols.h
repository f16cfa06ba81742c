// Definitions and references of one source file, extracted with tree-sitter:
// definitions are the grammar's tags query matches (@definition.*, found by
// native rules where index/native_defs.h has them), references
// from its @reference.* captures plus every identifier leaf in the tree, so
// languages whose tags query lists few references (C) still feed the repo
// map's def/ref graph.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/languages.h"

namespace bastion::index {

enum class SymbolKind : uint8_t {
  kFunction, kMethod, kClass, kInterface, kType, kModule, kConstant, kMacro, kOther
};
const char* symbol_kind_name(SymbolKind kind);

struct Symbol {
  std::string name;
  SymbolKind kind = SymbolKind::kOther;
  uint32_t line = 0;      // 1-based first line of the definition
  uint32_t end_line = 0;  // 1-based last line
  std::string signature;  // the definition's header line(s), trimmed
};

struct FileSymbols {
  bool parsed = false;  // false when the language has no grammar
  // Not parsed yet, though it could be: the first pass of a big cold build
  // indexes text and paths only (IndexOptions::defer_symbols_over), and
  // CodeIndex::complete_symbols() parses these files later.
  bool pending = false;
  std::vector<Symbol> defs;
  // Referenced names with their counts, sorted by name. A definition's own
  // name is not counted as a reference.
  std::vector<std::pair<std::string, uint32_t>> refs;
};

// Never fails: unparseable input yields whatever tree-sitter recovered.
// Thread-safe (one parser per thread, queries shared).
FileSymbols extract_symbols(Lang lang, std::string_view content);

// The same, with definitions always taken from the grammar's tags query, even
// where native rules exist (index/native_defs.h): the reference those rules
// are tested against.
FileSymbols extract_symbols_by_query(Lang lang, std::string_view content);

}  // namespace bastion::index
