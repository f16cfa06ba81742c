// The compact repo map the agent gets with the user's first prompt, when it
// pays off.
//
// A map of the definitions a request names saves the model a search and a
// few reads, but it costs prompt tokens on every later request too, and
// building an index from nothing costs seconds. So the map is added only
// when (1) the repository's index already exists on disk (the user ran
// `bastion index`, or an earlier session searched), and (2) the prompt
// names an identifier the index defines or a file it holds. Otherwise the
// model gets no map and can still call `search` / `repo_map`.
#pragma once

#include <string>

#include "tools/lazy_index.h"
#include "util/result.h"

namespace bastion::tools {

struct FirstTurnMapOptions {
  size_t max_tokens = 512;  // 0 disables the map
  std::string db_path;      // "" = the index's default location
};

// The map text, or "" when it would not pay off.
Result<std::string> first_turn_map(LazyIndex& index, const std::string& prompt,
                                   const FirstTurnMapOptions& options = {});

}  // namespace bastion::tools
