// edit: exact string replacement in a file. Fails helpfully: a missing
// old_string names the closest region (whitespace-insensitive, then fuzzy);
// an ambiguous one names every line it occurs on. Keeps CRLF files CRLF,
// restores redaction placeholders, writes atomically and returns a diff.
#include <algorithm>

#include "policy/redactor.h"
#include "tools/closest_match.h"
#include "tools/core_tools.h"
#include "tools/tool_util.h"
#include "tools/unified_diff.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::tools {
namespace {

std::vector<size_t> find_all(std::string_view hay, std::string_view needle) {
  std::vector<size_t> out;
  for (size_t pos = hay.find(needle); pos != std::string_view::npos;
       pos = hay.find(needle, pos + needle.size()))
    out.push_back(pos);
  return out;
}

bool is_crlf_file(std::string_view s) {
  size_t lf = static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
  if (lf == 0) return false;
  size_t crlf = 0;
  for (size_t p = s.find("\r\n"); p != std::string_view::npos; p = s.find("\r\n", p + 2)) ++crlf;
  return crlf * 2 >= lf;
}

std::string to_crlf(const std::string& s) {
  return str::replace_all(str::replace_all(s, "\r\n", "\n"), "\n", "\r\n");
}

class EditTool : public Tool {
 public:
  EditTool() {
    spec_.name = "edit";
    spec_.description =
        "Replace old_string with new_string in a file. old_string must match exactly, "
        "including indentation, and be unique unless replace_all is true.";
    spec_.parameters = object_schema({{"path", {{"type", "string"}}},
                                      {"old_string", {{"type", "string"}}},
                                      {"new_string", {{"type", "string"}}},
                                      {"replace_all", {{"type", "boolean"}}}},
                                     {"path", "old_string", "new_string"});
  }
  const llm::ToolSpec& spec() const override { return spec_; }
  ToolKind kind() const override { return ToolKind::kEdit; }

  CallSubject subject(const Json& args, const ToolContext& ctx) const override {
    return file_subject(args, ctx, "edit");
  }

  ToolResult run(const Json& args, ToolContext& ctx) override {
    std::string path, old_s, new_s, err;
    if (!get_string_arg(args, "path", &path, &err) ||
        !get_string_arg(args, "old_string", &old_s, &err) ||
        !get_string_arg(args, "new_string", &new_s, &err))
      return error_result(err);
    bool replace_all = json_bool(args, "replace_all", false);
    auto abs = resolve_in_workspace(path, ctx);
    if (!abs.ok()) return error_result(abs.error().message);
    if (ctx.redactor) {
      old_s = ctx.redactor->restore(old_s);
      new_s = ctx.redactor->restore(new_s);
    }
    if (old_s == new_s) return error_result("old_string and new_string are identical; nothing to change");
    if (fs::is_directory(*abs)) return error_result(path + " is a directory");

    std::string before;
    auto data = fs::read_file(*abs);
    if (!data.ok()) {
      if (data.error().kind != ErrorKind::kNotFound) return error_result(data.error().message);
      if (!old_s.empty())
        return error_result("file not found: " + path + " (use an empty old_string to create it)");
    } else {
      before = std::move(*data);
      if (old_s.empty() && !before.empty())
        return error_result("old_string is empty but " + path +
                            " is not; quote the text to replace, or use write to replace the whole file");
    }

    std::string shown = display_path(*abs, ctx);
    if (is_crlf_file(before)) {
      old_s = to_crlf(old_s);
      new_s = to_crlf(new_s);
    }
    std::string after;
    std::vector<size_t> hits;
    if (old_s.empty()) {
      after = new_s;
      hits.push_back(0);
    } else {
      hits = find_all(before, old_s);
      if (hits.empty()) return not_found(before, old_s, shown);
      if (hits.size() > 1 && !replace_all) return not_unique(before, hits, shown);
      after.reserve(before.size() + hits.size() * (new_s.size() + 1));
      size_t prev = 0;
      for (size_t h : hits) {
        after.append(before, prev, h - prev);
        after += new_s;
        prev = h + old_s.size();
      }
      after.append(before, prev, std::string::npos);
    }

    ToolResult r = write_file_change(*abs, before, after, shown, ctx);
    if (r.is_error) return r;
    r.meta["replacements"] = hits.size();
    size_t first = line_of_offset(after, hits[0]);
    size_t last = line_of_offset(after, hits[0] + new_s.size());
    r.output = "Edited " + shown + ": " + std::to_string(hits.size()) +
               (hits.size() == 1 ? " replacement" : " replacements") + ". Now:\n" +
               numbered_lines(after, first > 2 ? first - 2 : 1, last + 2, 16);
    return r;
  }

 private:
  static ToolResult not_found(const std::string& content, const std::string& needle,
                              const std::string& shown) {
    std::string msg = "old_string not found in " + shown + ".";
    auto m = find_closest(content, needle);
    if (!m) return error_result(msg + " No similar text found; read the file again before editing.");
    std::string where = m->first_line == m->last_line
                            ? "line " + std::to_string(m->first_line)
                            : "lines " + std::to_string(m->first_line) + "-" + std::to_string(m->last_line);
    if (m->whitespace_only)
      msg += " It matches " + where + " if whitespace is ignored; copy the exact text:\n";
    else
      msg += " Closest match (" + std::to_string(static_cast<int>(m->similarity * 100)) + "% similar) at " +
             where + ":\n";
    return error_result(msg + numbered_lines(content, m->first_line, m->last_line, 20));
  }

  static ToolResult not_unique(const std::string& content, const std::vector<size_t>& hits,
                               const std::string& shown) {
    std::string lines;
    for (size_t i = 0; i < hits.size() && i < 20; ++i)
      lines += (i ? ", " : "") + std::to_string(line_of_offset(content, hits[i]));
    if (hits.size() > 20) lines += ", ...";
    return error_result("old_string occurs " + std::to_string(hits.size()) + " times in " + shown +
                        " (lines " + lines +
                        "). Include more surrounding lines to make it unique, or set replace_all "
                        "to change every occurrence.");
  }

  llm::ToolSpec spec_;
};

}  // namespace

std::unique_ptr<Tool> make_edit_tool() { return std::make_unique<EditTool>(); }

}  // namespace bastion::tools
