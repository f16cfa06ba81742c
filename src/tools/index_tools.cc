#include "tools/index_tools.h"

#include "tools/repo_map_tool.h"
#include "tools/search_tool.h"

namespace bastion::tools {

std::shared_ptr<LazyIndex> add_index_tools(ToolRegistry& registry, const std::string& workspace,
                                           index::DenseSearch dense) {
  auto index = std::make_shared<LazyIndex>(workspace);
  registry.add(std::make_unique<SearchTool>(index, std::move(dense)));
  registry.add(std::make_unique<RepoMapTool>(index));
  return index;
}

}  // namespace bastion::tools
