#include "tools/registry.h"

#include <algorithm>

#include "tools/core_tools.h"

namespace bastion::tools {

void ToolRegistry::add(std::unique_ptr<Tool> tool) {
  if (!tool) return;
  remove(tool->name());  // a later registration replaces an earlier one
  tools_.push_back(std::move(tool));
}

void ToolRegistry::remove(std::string_view name) {
  tools_.erase(std::remove_if(tools_.begin(), tools_.end(),
                              [&](const std::unique_ptr<Tool>& t) { return t->name() == name; }),
               tools_.end());
}

Tool* ToolRegistry::find(std::string_view name) const {
  for (const auto& t : tools_)
    if (t->name() == name) return t.get();
  return nullptr;
}

std::vector<llm::ToolSpec> ToolRegistry::specs() const {
  std::vector<llm::ToolSpec> out;
  out.reserve(tools_.size());
  for (const auto& t : tools_) out.push_back(t->spec());
  return out;
}

ToolRegistry make_core_registry() {
  ToolRegistry r;
  r.add(make_read_tool());
  r.add(make_write_tool());
  r.add(make_edit_tool());
  r.add(make_glob_tool());
  r.add(make_grep_tool());
  r.add(make_bash_tool());
  r.add(make_todo_tool());
  return r;
}

}  // namespace bastion::tools
