// The `repo_map` tool: a compact map of the repository's most relevant
// definitions (elided signatures), ranked toward given files and
// identifiers and cut to a token budget, so the model learns the codebase's
// shape without reading whole files.
#pragma once

#include <memory>

#include "tools/lazy_index.h"
#include "tools/tool.h"

namespace bastion::tools {

class RepoMapTool : public Tool {
 public:
  explicit RepoMapTool(std::shared_ptr<LazyIndex> index);
  const llm::ToolSpec& spec() const override { return spec_; }
  ToolKind kind() const override { return ToolKind::kRead; }
  CallSubject subject(const Json& args, const ToolContext& ctx) const override;
  ToolResult run(const Json& args, ToolContext& ctx) override;

 private:
  std::shared_ptr<LazyIndex> index_;
  llm::ToolSpec spec_;
};

}  // namespace bastion::tools
