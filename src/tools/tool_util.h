// Helpers shared by the core tools: confining paths to the workspace roots,
// showing paths relative to the workspace, and building results.
#pragma once

#include <string>
#include <string_view>

#include "tools/tool.h"
#include "tools/unified_diff.h"
#include "util/result.h"

namespace bastion::tools {

// Resolves `path` (relative to the workspace) following symlinks and `..`,
// and refuses it (kPermission) when the real target lies outside the
// workspace and the --add-dir roots.
Result<std::string> resolve_in_workspace(const std::string& path, const ToolContext& ctx);

// The resolved absolute path without the workspace check (for permission
// subjects, which must see the real target even when it is outside).
std::string resolve_path(const std::string& path, const ToolContext& ctx);

// `abs` relative to the workspace when inside it, else unchanged.
std::string display_path(const std::string& abs, const ToolContext& ctx);

// The permission subject of a tool acting on one file named by args.path:
// the resolved path, and "<verb> <path>" as the summary.
CallSubject file_subject(const Json& args, const ToolContext& ctx, const std::string& verb);

ToolResult error_result(std::string message);

// The common end of edit and write: writes `after` to `abs` atomically
// (temp file + rename), tells the index the file changed, and returns a
// result carrying meta.path and meta.diff (what the UI and audit show).
// On a write failure the result is an error and the file is untouched.
ToolResult write_file_change(const std::string& abs, const std::string& before,
                             const std::string& after, const std::string& shown, ToolContext& ctx,
                             DiffStats* stats = nullptr);

// Replaces invalid UTF-8 sequences with U+FFFD so output is always valid.
std::string sanitize_utf8(std::string_view s);

// Reads a required string argument; sets `error` when missing or not a string.
bool get_string_arg(const Json& args, const char* key, std::string* out, std::string* error);

// Builds {"type":"object","properties":...,"required":[...]}.
Json object_schema(Json properties, std::initializer_list<const char*> required);

}  // namespace bastion::tools
