// ToolRegistry: the tools the model is offered, by name. The core set comes
// from make_core_registry(); other modules (index search, MCP servers,
// subagents) add theirs with add(). specs() is what goes into each request,
// in registration order so the prompt prefix stays stable and cacheable.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "tools/tool.h"

namespace bastion::tools {

class ToolRegistry {
 public:
  void add(std::unique_ptr<Tool> tool);
  // Removes a tool (e.g. a bare deny rule on it), so its schema costs nothing.
  void remove(std::string_view name);
  Tool* find(std::string_view name) const;
  std::vector<llm::ToolSpec> specs() const;
  size_t size() const { return tools_.size(); }

 private:
  std::vector<std::unique_ptr<Tool>> tools_;
};

// read, write, edit, glob, grep, bash, todo.
ToolRegistry make_core_registry();

}  // namespace bastion::tools
