// Tool: one capability the model can call (read, edit, bash, ...).
//
// A tool declares its spec (name, description, JSON schema), its permission
// category, and how to describe a call for permission checks. The agent
// loop asks the policy engine before run(); tools themselves never decide
// permissions. Tools confine paths to the workspace roots via ToolContext
// and report failures as is_error results the model can act on.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "llm/message.h"
#include "util/json.h"

namespace bastion::policy {
class Sandbox;
class Redactor;
}  // namespace bastion::policy

namespace bastion::tools {

// The permission category a tool belongs to, with Claude Code's rule names:
// kRead -> "Read" (read, glob, grep, search), kEdit -> "Edit" (write, edit),
// kExecute -> "Bash", kSession -> the tool's own name, always allowed (it
// changes only the session's own state, like the todo list), kOther -> the
// tool's own name (MCP tools and the like; ask unless a rule allows).
enum class ToolKind { kRead, kEdit, kExecute, kSession, kOther };

struct TodoItem {
  std::string content;
  std::string status;  // pending | in_progress | completed
};

// Per-session state shared by tool calls.
struct ToolContext {
  std::string workspace;                 // resolved real path of the main root
  std::vector<std::string> extra_roots;  // --add-dir roots, resolved
  std::string shell_cwd;                 // bash working dir, kept across calls
  std::vector<TodoItem> todos;
  policy::Sandbox* sandbox = nullptr;    // null = commands refused
  policy::Redactor* redactor = nullptr;  // restores placeholders on writes
  int bash_default_timeout_ms = 120000;
  // Called after a tool changes a file, so indexes stay fresh.
  std::function<void(const std::string& path)> on_file_changed;
};

struct ToolResult {
  std::string output;  // what the model sees
  bool is_error = false;
  Json meta = Json::object();  // for UI/audit: {"path", "diff", "exit_code", ...}
};

// What permission rules are matched against for one call.
struct CallSubject {
  std::string command;             // kExecute: the shell command
  std::vector<std::string> paths;  // file tools: absolute resolved paths
  std::string summary;             // one line for prompts and logs
};

class Tool {
 public:
  virtual ~Tool() = default;
  virtual const llm::ToolSpec& spec() const = 0;
  virtual ToolKind kind() const = 0;
  // Resolves the call's targets for permission checks. Invalid arguments are
  // reported by run(), so this must not fail.
  virtual CallSubject subject(const Json& args, const ToolContext& ctx) const = 0;
  virtual ToolResult run(const Json& args, ToolContext& ctx) = 0;
  const std::string& name() const { return spec().name; }
};

}  // namespace bastion::tools
