#include "tools/search_tool.h"

#include "index/search.h"

namespace bastion::tools {

SearchTool::SearchTool(std::shared_ptr<LazyIndex> index, index::DenseSearch dense)
    : index_(std::move(index)), dense_(std::move(dense)) {
  spec_.name = "search";
  spec_.description =
      "Find the files and lines most relevant to a query: an issue description, an error "
      "message or stack trace, identifiers, or a file path. Ranks by symbol definitions, "
      "file names and content. Returns file paths with their best matching lines.";
  spec_.parameters = Json{
      {"type", "object"},
      {"properties",
       {{"query", {{"type", "string"}, {"description", "what to look for"}}},
        {"max_files",
         {{"type", "integer"}, {"description", "files to return (default 8, max 50)"}}}}},
      {"required", Json::array({"query"})}};
}

CallSubject SearchTool::subject(const Json& args, const ToolContext& ctx) const {
  CallSubject s;
  s.paths.push_back(index_->root());
  s.summary = "search " + json_string(args, "query").substr(0, 80);
  return s;
}

ToolResult SearchTool::run(const Json& args, ToolContext& ctx) {
  std::string query = json_string(args, "query");
  if (query.find_first_not_of(" \t\r\n") == std::string::npos)
    return {"search: `query` must be a non-empty string", true, Json::object()};
  long long k = json_int(args, "max_files", 8);
  if (k < 1) k = 1;
  if (k > 50) k = 50;
  index::SearchOptions opt;
  opt.k = static_cast<size_t>(k);
  opt.lines_per_file = 3;
  opt.dense = dense_;
  auto opened = index_->get();
  if (!opened.ok()) return {"search unavailable: " + opened.error().message, true, Json::object()};
  auto hits = index::search(**opened, query, opt);
  if (!hits.ok()) return {"search failed: " + hits.error().message, true, Json::object()};
  if (hits->empty()) return {"No matches in the index for this query.", false, Json::object()};
  std::string out;
  Json files = Json::array();
  for (auto& h : hits.value()) {
    out += h.path + "\n";
    for (auto& l : h.lines) out += "  " + std::to_string(l.line) + ": " + l.text + "\n";
    files.push_back(h.path);
  }
  return {out, false, Json{{"files", files}}};
}

}  // namespace bastion::tools
