// Registers the index-backed tools (search, repo_map) for a workspace. The
// returned index is shared by both and opened at their first use; wire
// ToolContext::on_file_changed to its notify_file_changed so the agent's own
// edits are indexed at once.
#pragma once

#include <memory>
#include <string>

#include "index/search.h"
#include "tools/lazy_index.h"
#include "tools/registry.h"

namespace bastion::tools {

// Adds `search` and `repo_map` over the workspace's index, which is opened
// (and refreshed) only when one of them runs. `dense`, when set, adds the
// optional embedding signal to `search` (the CLI builds it from the user's
// configuration).
std::shared_ptr<LazyIndex> add_index_tools(ToolRegistry& registry, const std::string& workspace,
                                           index::DenseSearch dense = {});

}  // namespace bastion::tools
