// Native grep: PCRE2-JIT (with match limits) over the walker's files, in
// parallel, reading each file with read() into a per-thread buffer and
// matching the whole buffer at once (line numbers are counted only where a
// match is found). Binary files (a NUL in the first 8 KB) are skipped. A
// literal every match needs (grep_literal.h) lets files and lines without
// it skip PCRE2.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "util/result.h"

namespace bastion::index {

struct GrepOptions {
  std::string pattern;          // PCRE2 syntax
  bool ignore_case = false;
  std::string glob;             // filter on repo-relative path (basename when no '/')
  bool files_only = false;      // stop at the first match per file
  bool count_only = false;      // count matching lines, keep no text
  size_t max_lines_per_file = 0;  // 0 = unlimited (content mode)
  size_t max_file_bytes = 32u << 20;
  int threads = 0;              // 0 = hardware concurrency
  // Skip files and lines without a literal every match needs
  // (grep_literal.h); same results either way, off only to compare.
  bool literal_prefilter = true;
};

struct GrepLine {
  size_t line = 0;  // 1-based
  std::string text;  // the whole line, without the newline
};

struct GrepFileResult {
  std::string path;  // relative to the searched root
  size_t count = 0;  // matching lines
  std::vector<GrepLine> lines;
};

struct GrepSummary {
  std::vector<GrepFileResult> files;  // in path order
  size_t files_searched = 0;
  size_t files_hit_limit = 0;  // files where PCRE2's match limit stopped the search
};

// Searches `files` (paths relative to `root`, e.g. from list_files). A bad
// pattern is a kBadInput error carrying PCRE2's message and offset.
Result<GrepSummary> grep_files(const std::string& root, const std::vector<std::string>& files,
                               const GrepOptions& options);

// Walks `root` by list_files' rules and searches while the walk goes on:
// the walk's threads grep each directory's files as soon as it is listed,
// so no core waits for the whole listing (it was ~a third of the time on
// /usr/include). Same result as grep_files(root, list_files(root), options).
Result<GrepSummary> grep_tree(const std::string& root, const GrepOptions& options);

}  // namespace bastion::index
