// What the index knows about one file: identity (mtime, size, content hash)
// for incremental refresh, its symbols for the repo map, and its term
// counts for BM25. analyze_file() computes it from the content; the binary
// encoding is what the SQLite store persists per file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/languages.h"
#include "index/symbols.h"

namespace bastion::index {

struct FileEntry {
  std::string path;  // repo-relative, '/'-separated
  int64_t mtime_ns = 0;
  int64_t size = 0;
  uint64_t hash = 0;  // XXH3-64 of the content
  Lang lang = Lang::kNone;
  uint32_t lines = 0;
  FileSymbols symbols;
  // Content terms with counts, sorted by term (identifiers split, comments
  // and code alike), plus the path's terms prefixed "P:" and the file
  // name's prefixed "F:". term_count sums the content terms: the BM25
  // document length.
  std::vector<std::pair<std::string, uint32_t>> terms;
  uint32_t term_count = 0;
};

uint64_t content_hash(std::string_view content);

// Fills lang, hash, lines, symbols and terms from `content`. Content that
// is_generated() is tokenised but not parsed for symbols. Without
// `parse_symbols`, content that would be parsed gets symbols.pending.
void analyze_file(std::string_view content, FileEntry& entry, bool parse_symbols = true);

// Huge (over 512 KB) or minified (average line over 250 bytes) content:
// generated tables, bundles, preprocessed headers. Parsing it would cost
// more than the rest of its directory and its symbols are noise; it stays
// listed and searchable by path and words.
bool is_generated(std::string_view content);

// Fills `entry` (path set) from `twin`, an analysed file with the same
// content and language: symbols and content terms are copied, only the
// path terms are derived. For vendored copies and duplicated installs,
// which would otherwise be parsed once per copy.
void analyze_file_like(const FileEntry& twin, FileEntry& entry);

// Everything but path/mtime/size/hash, for storage.
std::string encode_entry_data(const FileEntry& entry);
// False when `data` is corrupt (the caller then re-indexes the file).
bool decode_entry_data(std::string_view data, FileEntry& entry);

// Just the symbols (the snapshot stores them per file, decoded on demand).
void encode_symbols(const FileSymbols& symbols, std::string& out);
// False when `data` is corrupt.
bool decode_symbols(std::string_view data, FileSymbols& symbols);
// Just the references of encoded symbols, as views into `data`, without
// decoding the definitions. False (and no refs) when `data` is corrupt, as
// decode_symbols() would be.
bool decode_refs(std::string_view data, std::vector<std::pair<std::string_view, uint32_t>>& refs);
// Whether encoded symbols are pending, without decoding them.
bool symbols_pending(std::string_view data);

}  // namespace bastion::index
