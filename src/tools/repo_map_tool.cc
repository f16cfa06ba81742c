#include "tools/repo_map_tool.h"

#include <algorithm>

#include "index/repo_map.h"

namespace bastion::tools {

namespace {

std::vector<std::string> string_list(const Json& args, const char* key) {
  std::vector<std::string> out;
  auto it = args.find(key);
  if (it == args.end() || !it->is_array()) return out;
  for (auto& x : *it)
    if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

}  // namespace

RepoMapTool::RepoMapTool(std::shared_ptr<LazyIndex> index) : index_(std::move(index)) {
  spec_.name = "repo_map";
  spec_.description =
      "Show a map of the repository: the most important classes and functions as signatures, "
      "ranked toward the given files and identifiers.";
  spec_.parameters = Json{
      {"type", "object"},
      {"properties",
       {{"files", {{"type", "array"}, {"items", {{"type", "string"}}},
                   {"description", "files to focus on"}}},
        {"identifiers", {{"type", "array"}, {"items", {{"type", "string"}}},
                         {"description", "symbol names to focus on"}}},
        {"max_tokens", {{"type", "integer"}, {"description", "size budget (default 1024)"}}}}}};
}

CallSubject RepoMapTool::subject(const Json& args, const ToolContext& ctx) const {
  CallSubject s;
  s.paths.push_back(index_->root());
  s.summary = "repo map";
  return s;
}

ToolResult RepoMapTool::run(const Json& args, ToolContext& ctx) {
  index::RepoMapOptions opt;
  opt.focus_files = string_list(args, "files");
  opt.focus_identifiers = string_list(args, "identifiers");
  long long budget = json_int(args, "max_tokens", 1024);
  opt.max_tokens = static_cast<size_t>(std::clamp(budget, 64LL, 8192LL));
  auto opened = index_->get();
  if (!opened.ok()) return {"repo_map unavailable: " + opened.error().message, true, Json::object()};
  auto map = index::repo_map(**opened, opt);
  if (!map.ok()) return {"repo_map failed: " + map.error().message, true, Json::object()};
  if (map->empty()) return {"The index holds no definitions for this workspace.", false, Json::object()};
  return {map.value(), false, Json::object()};
}

}  // namespace bastion::tools
