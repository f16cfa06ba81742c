// Opens the index of the repository containing a directory, listing files
// with the walker (git's ignore semantics): the one entry point the CLI and
// the agent's tools use, so both see the same files and the same database.
#pragma once

#include <memory>
#include <string>

#include "index/code_index.h"

namespace bastion::index {

// The repository root for `dir`: its nearest ancestor holding .git, else
// `dir` itself (resolved).
std::string repo_root_for(const std::string& dir);

// A cold build with more files than this to analyse indexes text and
// paths first and parses symbols in a second pass (IndexOptions).
constexpr size_t kDeferSymbolsOver = 20000;

// Opens (without refreshing) the index for repo_root_for(dir). `watch`:
// see IndexOptions::watch (for long-lived owners such as an agent session);
// such owners also complete deferred symbols in the background.
// `defer_symbols`: a one-shot owner that calls complete_symbols() itself
// after refreshing (`bastion index`).
Result<std::unique_ptr<CodeIndex>> open_repo_index(const std::string& dir,
                                                   const std::string& db_path = "",
                                                   bool watch = false, bool defer_symbols = false);

}  // namespace bastion::index
