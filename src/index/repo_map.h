// The repo map: the repository's most relevant definitions, ranked by
// personalized PageRank over the def/ref graph toward the files and
// identifiers in play, rendered as elided signatures ("⋮" marks skipped
// code) that fit a token budget. It gives the model the shape of a codebase
// for a few hundred tokens instead of many file reads.
#pragma once

#include <string>
#include <vector>

#include "index/code_index.h"

namespace bastion::index {

struct RepoMapOptions {
  size_t max_tokens = 1024;                     // estimated as bytes / 4
  std::vector<std::string> focus_files;         // repo-relative or absolute
  std::vector<std::string> focus_identifiers;   // names the user mentioned
};

std::string render_repo_map(const CodeIndex::View& view, const std::string& root,
                            const RepoMapOptions& options);

// Refreshes the index, then renders.
Result<std::string> repo_map(CodeIndex& index, const RepoMapOptions& options);

// Rough token estimate used for budgets (bytes / 4, rounded up).
size_t estimate_tokens(std::string_view text);

}  // namespace bastion::index
