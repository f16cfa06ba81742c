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

// Opens (without refreshing) the index for repo_root_for(dir). `watch`:
// see IndexOptions::watch (for long-lived owners such as an agent session).
Result<std::unique_ptr<CodeIndex>> open_repo_index(const std::string& dir,
                                                   const std::string& db_path = "",
                                                   bool watch = false);

}  // namespace bastion::index
