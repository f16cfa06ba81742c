// glob: files matching a pattern, through the gitignore-aware walker,
// newest first (recently touched files are usually the relevant ones).
#include <sys/stat.h>

#include <algorithm>

#include "index/glob_match.h"
#include "index/walker.h"
#include "tools/core_tools.h"
#include "tools/tool_util.h"
#include "util/fs.h"

namespace bastion::tools {
namespace {

constexpr size_t kMaxResults = 100;

class GlobTool : public Tool {
 public:
  GlobTool() {
    spec_.name = "glob";
    spec_.description =
        "Find files by glob pattern (e.g. \"src/**/*.cc\"; a pattern without '/' matches file "
        "names at any depth). Skips gitignored files. Newest first.";
    spec_.parameters = object_schema(
        {{"pattern", {{"type", "string"}}},
         {"path", {{"type", "string"}, {"description", "directory to search (default: workspace)"}}}},
        {"pattern"});
  }
  const llm::ToolSpec& spec() const override { return spec_; }
  ToolKind kind() const override { return ToolKind::kRead; }

  CallSubject subject(const Json& args, const ToolContext& ctx) const override {
    CallSubject s;
    std::string path = json_string(args, "path", ".");
    s.paths.push_back(resolve_path(path.empty() ? "." : path, ctx));
    s.summary = "glob " + json_string(args, "pattern");
    return s;
  }

  ToolResult run(const Json& args, ToolContext& ctx) override {
    std::string pattern, err;
    if (!get_string_arg(args, "pattern", &pattern, &err)) return error_result(err);
    while (pattern.rfind("./", 0) == 0) pattern.erase(0, 2);
    if (pattern.empty()) return error_result("`pattern` must not be empty");
    std::string dir = json_string(args, "path", ".");
    auto abs = resolve_in_workspace(dir.empty() ? "." : dir, ctx);
    if (!abs.ok()) return error_result(abs.error().message);
    if (!fs::is_directory(*abs)) return error_result(dir + " is not a directory");

    bool by_name = pattern.find('/') == std::string::npos;
    struct Hit {
      std::string path;
      int64_t mtime_ns;
    };
    std::vector<Hit> hits;
    for (const std::string& rel : index::list_files(*abs)) {
      if (rel.empty() || rel.back() == '/') continue;
      std::string_view subject = rel;
      if (by_name) {
        size_t slash = rel.rfind('/');
        if (slash != std::string::npos) subject = subject.substr(slash + 1);
      }
      if (!index::glob_match(pattern, subject)) continue;
      std::string full = *abs + "/" + rel;
      struct stat st;
      int64_t mtime = ::lstat(full.c_str(), &st) == 0
                          ? int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec
                          : 0;
      hits.push_back({display_path(full, ctx), mtime});
    }
    ToolResult r;
    r.meta["count"] = hits.size();
    if (hits.empty()) {
      r.output = "No files match " + pattern;
      return r;
    }
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
      return a.mtime_ns != b.mtime_ns ? a.mtime_ns > b.mtime_ns : a.path < b.path;
    });
    std::string out;
    for (size_t i = 0; i < hits.size() && i < kMaxResults; ++i) out += hits[i].path + "\n";
    if (hits.size() > kMaxResults)
      out += "[" + std::to_string(kMaxResults) + " of " + std::to_string(hits.size()) +
             " files shown, newest first; narrow the pattern or path]\n";
    r.output = std::move(out);
    return r;
  }

 private:
  llm::ToolSpec spec_;
};

}  // namespace

std::unique_ptr<Tool> make_glob_tool() { return std::make_unique<GlobTool>(); }

}  // namespace bastion::tools
