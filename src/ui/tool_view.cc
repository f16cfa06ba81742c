#include "ui/tool_view.h"

#include "tools/unified_diff.h"
#include "ui/style.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::ui {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string one_line(std::string s, size_t max) {
  for (auto& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() > max) s = s.substr(0, max) + "…";
  return s;
}

}  // namespace

std::string tool_target(const Json& args) {
  if (!args.is_object()) return "";
  for (const char* key : {"command", "path", "file_path", "pattern", "query", "url"}) {
    auto it = args.find(key);
    if (it != args.end() && it->is_string()) return it->get<std::string>();
  }
  if (args.contains("todos")) return std::to_string(args["todos"].size()) + " items";
  return "";
}

std::string tool_call_line(const std::string& name, const std::string& arguments_json) {
  Json args = Json::parse(arguments_json, nullptr, false);
  std::string target = args.is_discarded() ? arguments_json : tool_target(args);
  return paint(Color::kGreen, "● ") + paint(Color::kBold, name) + "(" + one_line(target, 160) + ")";
}

std::vector<std::string> color_diff(const std::string& diff, int max_lines, bool* elided) {
  std::vector<std::string> out;
  auto lines = split_lines(diff);
  int shown = 0;
  for (auto& l : lines) {
    if (l.rfind("--- ", 0) == 0 || l.rfind("+++ ", 0) == 0) continue;
    if (shown >= max_lines) {
      if (elided) *elided = true;
      out.push_back(paint(Color::kGray, "    … " + std::to_string(lines.size() - shown) +
                                            " more diff lines (ctrl-o to expand)"));
      break;
    }
    Color c = Color::kNone;
    if (!l.empty() && l[0] == '+') c = Color::kGreen;
    else if (!l.empty() && l[0] == '-') c = Color::kRed;
    else if (l.rfind("@@", 0) == 0) c = Color::kCyan;
    out.push_back("    " + paint(c, l));
    ++shown;
  }
  return out;
}

ToolResultView render_tool_result(const tools::ToolResult& result, int max_lines) {
  ToolResultView v;
  v.full_text = result.output;
  std::string diff;
  if (result.meta.is_object() && result.meta.contains("diff") && result.meta["diff"].is_string())
    diff = result.meta["diff"].get<std::string>();
  auto lines = split_lines(result.output);
  std::string first = lines.empty() ? "(no output)" : one_line(lines[0], 150);
  std::string head = "  ⎿ " + (result.is_error ? paint(Color::kRed, first) : paint(Color::kGray, first));
  v.lines.push_back(head);
  if (!diff.empty()) {
    v.full_text = diff;
    auto d = color_diff(diff, max_lines, &v.elided);
    v.lines.insert(v.lines.end(), d.begin(), d.end());
    return v;
  }
  const size_t preview = 3;
  for (size_t i = 1; i < lines.size() && i <= preview; ++i)
    v.lines.push_back("    " + paint(Color::kGray, one_line(lines[i], 150)));
  if (lines.size() > preview + 1) {
    v.elided = true;
    v.lines.push_back(paint(Color::kGray, "    … +" + std::to_string(lines.size() - preview - 1) +
                                              " lines (ctrl-o to expand)"));
  }
  return v;
}

std::vector<std::string> approval_preview(const tools::Tool& tool, const tools::CallSubject& subject,
                                          const Json& args, int max_lines) {
  std::vector<std::string> out;
  if (!subject.command.empty()) {
    for (auto& l : split_lines(subject.command)) out.push_back("  " + paint(Color::kYellow, "$ ") + l);
    return out;
  }
  if (tool.kind() == tools::ToolKind::kEdit && !subject.paths.empty() && args.is_object()) {
    const std::string& path = subject.paths[0];
    std::string before;
    if (auto r = fs::read_file(path); r.ok()) before = *r;
    std::string after;
    bool known = false;
    if (args.contains("content") && args["content"].is_string()) {
      after = args["content"].get<std::string>();
      known = true;
    } else if (args.contains("old_string") && args.contains("new_string") && args["old_string"].is_string() &&
               args["new_string"].is_string()) {
      std::string o = args["old_string"].get<std::string>(), n = args["new_string"].get<std::string>();
      bool all = args.value("replace_all", false);
      after = before;
      size_t pos = o.empty() ? std::string::npos : after.find(o);
      while (pos != std::string::npos) {
        after.replace(pos, o.size(), n);
        known = true;
        if (!all) break;
        pos = after.find(o, pos + n.size());
      }
    }
    if (known) {
      std::string diff = tools::unified_diff(before, after, path);
      if (!diff.empty()) return color_diff(diff, max_lines);
    }
  }
  if (!subject.summary.empty()) out.push_back("  " + subject.summary);
  std::string dumped = args.dump(2);
  auto lines = split_lines(dumped);
  for (size_t i = 0; i < lines.size() && static_cast<int>(i) < max_lines; ++i) out.push_back("  " + lines[i]);
  return out;
}

}  // namespace bastion::ui
