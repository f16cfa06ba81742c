// How tool calls look in the transcript: one line naming the tool and its
// target, a one-line result, edits/writes as coloured unified diffs, and long
// outputs elided (the full text is kept so Ctrl-O can expand it). Also the
// body of a permission prompt: exactly the command or the diff that will run.
#pragma once

#include <string>
#include <vector>

#include "tools/tool.h"
#include "util/json.h"

namespace bastion::ui {

// "● bash(ls -la)": tool name and its main argument.
std::string tool_call_line(const std::string& name, const std::string& arguments_json);
// The target shown in tool_call_line (command, path, pattern ...).
std::string tool_target(const Json& args);

struct ToolResultView {
  std::vector<std::string> lines;  // rendered lines for scrollback
  bool elided = false;             // some lines were hidden
  std::string full_text;           // the whole output, for expanding
};
// Renders a result; diffs longer than `max_lines` and outputs longer than a
// few lines are elided.
ToolResultView render_tool_result(const tools::ToolResult& result, int max_lines = 40);

// A unified diff coloured line by line (+ green, - red, @@ cyan).
std::vector<std::string> color_diff(const std::string& diff, int max_lines, bool* elided = nullptr);

// What a permission prompt shows for a call: the command for shell tools,
// the diff an edit/write would make (computed from the file on disk), else
// the arguments.
std::vector<std::string> approval_preview(const tools::Tool& tool, const tools::CallSubject& subject,
                                          const Json& args, int max_lines);

}  // namespace bastion::ui
