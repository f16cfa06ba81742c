// write: creates or replaces a whole file atomically (temp file + rename),
// creating parent directories. Redaction placeholders the model copied are
// turned back into the real secrets first, so a file never loses them.
#include <algorithm>

#include "policy/redactor.h"
#include "tools/core_tools.h"
#include "tools/tool_util.h"
#include "tools/unified_diff.h"
#include "util/fs.h"

namespace bastion::tools {
namespace {

class WriteTool : public Tool {
 public:
  WriteTool() {
    spec_.name = "write";
    spec_.description =
        "Create or overwrite a file with the given content. Prefer edit for changes to "
        "existing files.";
    spec_.parameters =
        object_schema({{"path", {{"type", "string"}}}, {"content", {{"type", "string"}}}},
                      {"path", "content"});
  }
  const llm::ToolSpec& spec() const override { return spec_; }
  ToolKind kind() const override { return ToolKind::kEdit; }

  CallSubject subject(const Json& args, const ToolContext& ctx) const override {
    return file_subject(args, ctx, "write");
  }

  ToolResult run(const Json& args, ToolContext& ctx) override {
    std::string path, content, err;
    if (!get_string_arg(args, "path", &path, &err) ||
        !get_string_arg(args, "content", &content, &err))
      return error_result(err);
    auto abs = resolve_in_workspace(path, ctx);
    if (!abs.ok()) return error_result(abs.error().message);
    if (fs::is_directory(*abs)) return error_result(path + " is a directory");
    if (ctx.redactor) content = ctx.redactor->restore(content);

    std::string before;
    bool existed = false;
    auto old = fs::read_file(*abs);
    if (old.ok()) {
      before = std::move(*old);
      existed = true;
    } else if (old.error().kind != ErrorKind::kNotFound) {
      return error_result(old.error().message);
    }
    std::string shown = display_path(*abs, ctx);
    DiffStats stats;
    ToolResult r = write_file_change(*abs, before, content, shown, ctx, &stats);
    if (r.is_error) return r;
    size_t lines = static_cast<size_t>(std::count(content.begin(), content.end(), '\n')) +
                   (!content.empty() && content.back() != '\n' ? 1 : 0);
    if (!existed)
      r.output = "Created " + shown + " (" + std::to_string(lines) + " lines)";
    else if (before == content)
      r.output = "Wrote " + shown + " (content unchanged)";
    else
      r.output = "Updated " + shown + " (+" + std::to_string(stats.added) + " -" +
                 std::to_string(stats.removed) + " lines)";
    return r;
  }

 private:
  llm::ToolSpec spec_;
};

}  // namespace

std::unique_ptr<Tool> make_write_tool() { return std::make_unique<WriteTool>(); }

}  // namespace bastion::tools
