// read: a window of a text file with numbered lines, capped per line and in
// total so one call never floods the context. Binary files and directories
// are refused with a hint; paths outside the workspace are refused.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "tools/core_tools.h"
#include "tools/tool_util.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::tools {
namespace {

constexpr long long kDefaultLimit = 400;
constexpr size_t kMaxLineBytes = 500;
constexpr size_t kMaxTotalBytes = 48 * 1024;

class ReadTool : public Tool {
 public:
  ReadTool() {
    spec_.name = "read";
    spec_.description =
        "Read a text file with numbered lines. Default: the first 400 lines; use offset "
        "(1-based line) and limit for other ranges.";
    spec_.parameters = object_schema(
        {{"path", {{"type", "string"}}},
         {"offset", {{"type", "integer"}, {"description", "first line, 1-based"}}},
         {"limit", {{"type", "integer"}, {"description", "max lines"}}}},
        {"path"});
  }
  const llm::ToolSpec& spec() const override { return spec_; }
  ToolKind kind() const override { return ToolKind::kRead; }

  CallSubject subject(const Json& args, const ToolContext& ctx) const override {
    return file_subject(args, ctx, "read");
  }

  ToolResult run(const Json& args, ToolContext& ctx) override {
    std::string path, err;
    if (!get_string_arg(args, "path", &path, &err)) return error_result(err);
    auto abs = resolve_in_workspace(path, ctx);
    if (!abs.ok()) return error_result(abs.error().message);
    if (fs::is_directory(*abs))
      return error_result(path + " is a directory; use glob (e.g. pattern \"" +
                          (path == "." ? std::string() : path + "/") + "*\") to list it");
    auto data = fs::read_file(*abs);
    if (!data.ok()) {
      if (data.error().kind == ErrorKind::kNotFound) return error_result("file not found: " + path);
      return error_result(data.error().message);
    }
    const std::string& text = *data;
    if (str::looks_binary(text))
      return error_result(path + " is a binary file (" + std::to_string(text.size()) +
                          " bytes); not shown");

    long long offset = json_int(args, "offset", 1);
    long long limit = json_int(args, "limit", kDefaultLimit);
    if (offset < 1) offset = 1;
    if (limit < 1) limit = kDefaultLimit;

    ToolResult r;
    r.meta["path"] = *abs;
    if (text.empty()) {
      r.output = "(empty file)";
      return r;
    }
    // Count lines (a final newline does not start another line).
    size_t total_lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    if (text.back() != '\n') ++total_lines;
    if (static_cast<size_t>(offset) > total_lines)
      return error_result("offset " + std::to_string(offset) + " is past the end: " + path +
                          " has " + std::to_string(total_lines) + " lines");

    std::string out;
    size_t line_no = 0, pos = 0, last_shown = 0;
    bool truncated_lines = false, hit_byte_cap = false;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      size_t end = nl == std::string::npos ? text.size() : nl;
      ++line_no;
      if (line_no >= static_cast<size_t>(offset)) {
        if (line_no >= static_cast<size_t>(offset + limit)) break;
        std::string_view line(text.data() + pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::string shown = sanitize_utf8(str::truncate_utf8(line, kMaxLineBytes));
        if (line.size() > kMaxLineBytes) {
          shown += " [... line truncated, " + std::to_string(line.size()) + " bytes]";
          truncated_lines = true;
        }
        char num[24];
        std::snprintf(num, sizeof num, "%5zu\t", line_no);
        if (out.size() + shown.size() + 8 > kMaxTotalBytes && last_shown > 0) {
          hit_byte_cap = true;
          break;
        }
        out += num;
        out += shown;
        out += '\n';
        last_shown = line_no;
      }
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
    if (last_shown < total_lines) {
      out += "[showing lines " + std::to_string(offset) + "-" + std::to_string(last_shown) + " of " +
             std::to_string(total_lines) + (hit_byte_cap ? " (output size cap)" : "") +
             "; read with offset=" + std::to_string(last_shown + 1) + " for more]\n";
    }
    if (truncated_lines) out += "[long lines were truncated to " + std::to_string(kMaxLineBytes) + " bytes]\n";
    r.output = std::move(out);
    r.meta["first_line"] = offset;
    r.meta["last_line"] = last_shown;
    r.meta["total_lines"] = total_lines;
    return r;
  }

 private:
  llm::ToolSpec spec_;
};

}  // namespace

std::unique_ptr<Tool> make_read_tool() { return std::make_unique<ReadTool>(); }

}  // namespace bastion::tools
