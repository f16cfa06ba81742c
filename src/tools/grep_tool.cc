// grep: regex search (PCRE2) over the gitignore-aware walker's files, in
// parallel. Terse by default (matching file names); `content` gives
// path:line:text, `count` per-file counts. Output is capped.
#include <algorithm>

#include "index/grep.h"
#include "tools/core_tools.h"
#include "tools/tool_util.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::tools {
namespace {

constexpr size_t kMaxFiles = 200;
constexpr size_t kMaxContentLines = 250;
constexpr size_t kMaxLineBytes = 300;
constexpr size_t kMaxOutputBytes = 32 * 1024;

class GrepTool : public Tool {
 public:
  GrepTool() {
    spec_.name = "grep";
    spec_.description =
        "Search file contents with a regex (PCRE2). Skips gitignored and binary files. "
        "Lists matching files unless output_mode is content (path:line:text) or count.";
    spec_.parameters = object_schema(
        {{"pattern", {{"type", "string"}}},
         {"path", {{"type", "string"}, {"description", "file or directory (default: workspace)"}}},
         {"glob", {{"type", "string"}, {"description", "file filter, e.g. \"*.py\""}}},
         {"-i", {{"type", "boolean"}, {"description", "ignore case"}}},
         {"output_mode",
          {{"type", "string"}, {"enum", Json::array({"files_with_matches", "content", "count"})}}}},
        {"pattern"});
  }
  const llm::ToolSpec& spec() const override { return spec_; }
  ToolKind kind() const override { return ToolKind::kRead; }

  CallSubject subject(const Json& args, const ToolContext& ctx) const override {
    CallSubject s;
    std::string path = json_string(args, "path", ".");
    s.paths.push_back(resolve_path(path.empty() ? "." : path, ctx));
    s.summary = "grep " + json_string(args, "pattern");
    return s;
  }

  ToolResult run(const Json& args, ToolContext& ctx) override {
    std::string pattern, err;
    if (!get_string_arg(args, "pattern", &pattern, &err)) return error_result(err);
    if (pattern.empty()) return error_result("`pattern` must not be empty");
    std::string mode = json_string(args, "output_mode", "files_with_matches");
    if (mode != "files_with_matches" && mode != "content" && mode != "count")
      return error_result("output_mode must be files_with_matches, content or count");
    std::string path = json_string(args, "path", ".");
    auto abs = resolve_in_workspace(path.empty() ? "." : path, ctx);
    if (!abs.ok()) return error_result(abs.error().message);

    std::string root;
    std::vector<std::string> files;  // empty: the whole tree under root
    if (fs::is_directory(*abs)) {
      root = *abs;
    } else if (fs::exists(*abs)) {
      size_t slash = abs->rfind('/');
      root = abs->substr(0, slash);
      files.push_back(abs->substr(slash + 1));
    } else {
      return error_result("path not found: " + path);
    }

    index::GrepOptions opt;
    opt.pattern = pattern;
    opt.ignore_case = json_bool(args, "-i", false);
    opt.glob = json_string(args, "glob");
    opt.files_only = mode == "files_with_matches";
    opt.count_only = mode == "count";
    opt.max_lines_per_file = kMaxContentLines + 1;  // one more, to know output was capped
    auto res = files.empty() ? index::grep_tree(root, opt) : index::grep_files(root, files, opt);
    if (!res.ok()) return error_result(res.error().message);

    ToolResult r;
    auto shown = [&](const std::string& rel) { return display_path(root + "/" + rel, ctx); };
    std::string out;
    size_t total_lines = 0, files_listed = 0;
    bool capped = false;
    for (const auto& f : res->files) {
      total_lines += f.count;
      if (capped) continue;
      if (mode == "content") {
        for (const auto& line : f.lines) {
          std::string text = sanitize_utf8(str::truncate_utf8(line.text, kMaxLineBytes));
          if (line.text.size() > kMaxLineBytes) text += " [...]";
          std::string row = shown(f.path) + ":" + std::to_string(line.line) + ":" + text + "\n";
          if (out.size() + row.size() > kMaxOutputBytes || ++files_listed > kMaxContentLines) {
            capped = true;
            break;
          }
          out += row;
        }
      } else {
        if (++files_listed > kMaxFiles || out.size() > kMaxOutputBytes) {
          capped = true;
          continue;
        }
        out += shown(f.path);
        if (mode == "count") out += ":" + std::to_string(f.count);
        out += "\n";
      }
    }
    r.meta["files"] = res->files.size();
    r.meta["files_searched"] = res->files_searched;
    if (res->files.empty()) {
      r.output = "No matches for " + pattern;
      if (!opt.glob.empty()) r.output += " in files matching " + opt.glob;
      return r;
    }
    if (capped)
      out += mode == "content"
                 ? "[output capped; " + std::to_string(res->files.size()) +
                       " files match. Narrow the pattern, path or glob]\n"
                 : "[" + std::to_string(kMaxFiles) + " of " + std::to_string(res->files.size()) +
                       " files shown; narrow the pattern, path or glob]\n";
    if (res->files_hit_limit)
      out += "[regex too expensive in " + std::to_string(res->files_hit_limit) +
             " files; results there may be incomplete]\n";
    r.output = std::move(out);
    return r;
  }

 private:
  llm::ToolSpec spec_;
};

}  // namespace

std::unique_ptr<Tool> make_grep_tool() { return std::make_unique<GrepTool>(); }

}  // namespace bastion::tools
