// The `search` tool: hybrid code search over the workspace index, with terse
// output (file names plus their best lines), as SWE-agent found models use
// best. The index is refreshed before each answer, so results are fresh.
#pragma once

#include <memory>

#include "index/search.h"
#include "tools/lazy_index.h"
#include "tools/tool.h"

namespace bastion::tools {

class SearchTool : public Tool {
 public:
  // `dense`: the optional embedding signal (index::SearchOptions::dense).
  explicit SearchTool(std::shared_ptr<LazyIndex> index, index::DenseSearch dense = {});
  const llm::ToolSpec& spec() const override { return spec_; }
  ToolKind kind() const override { return ToolKind::kRead; }
  CallSubject subject(const Json& args, const ToolContext& ctx) const override;
  ToolResult run(const Json& args, ToolContext& ctx) override;

 private:
  std::shared_ptr<LazyIndex> index_;
  index::DenseSearch dense_;
  llm::ToolSpec spec_;
};

}  // namespace bastion::tools
