#include "tools/tool_util.h"

#include "util/fs.h"

namespace bastion::tools {

std::string resolve_path(const std::string& path, const ToolContext& ctx) {
  std::string p = path;
  if (p == "~" || p.rfind("~/", 0) == 0) p = fs::home_dir() + p.substr(1);
  return fs::resolve_real(p, ctx.workspace);
}

ToolResult write_file_change(const std::string& abs, const std::string& before,
                             const std::string& after, const std::string& shown, ToolContext& ctx,
                             DiffStats* stats) {
  Status st = fs::write_file_atomic(abs, after);
  if (!st.ok()) return error_result(st.error().message);
  if (ctx.on_file_changed) ctx.on_file_changed(abs);
  ToolResult r;
  r.meta["path"] = abs;
  r.meta["diff"] = unified_diff(before, after, shown, stats);
  return r;
}

CallSubject file_subject(const Json& args, const ToolContext& ctx, const std::string& verb) {
  CallSubject s;
  std::string path = json_string(args, "path");
  if (!path.empty()) s.paths.push_back(resolve_path(path, ctx));
  s.summary = verb + " " + path;
  return s;
}

Result<std::string> resolve_in_workspace(const std::string& path, const ToolContext& ctx) {
  if (path.empty()) return make_error(ErrorKind::kBadInput, "`path` must be a non-empty string");
  std::string abs = resolve_path(path, ctx);
  if (fs::is_within(abs, ctx.workspace)) return abs;
  for (const auto& root : ctx.extra_roots)
    if (fs::is_within(abs, root)) return abs;
  return make_error(ErrorKind::kPermission,
                    path + " resolves to " + abs + ", outside the workspace (" + ctx.workspace +
                        "); only files under the workspace or --add-dir roots are allowed");
}

std::string display_path(const std::string& abs, const ToolContext& ctx) {
  if (fs::is_within(abs, ctx.workspace) && abs != ctx.workspace) return fs::relative_to(abs, ctx.workspace);
  return abs;
}

ToolResult error_result(std::string message) {
  ToolResult r;
  r.output = std::move(message);
  r.is_error = true;
  return r;
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 2 && c < 0xC2) ok = false;  // overlong
    if (ok && len == 3) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) ok = false;  // overlong, surrogate
    }
    if (ok && len == 4) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) ok = false;
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

bool get_string_arg(const Json& args, const char* key, std::string* out, std::string* error) {
  if (!args.is_object() || !args.contains(key) || !args[key].is_string()) {
    *error = std::string("missing required string argument `") + key + "`";
    return false;
  }
  *out = args[key].get<std::string>();
  return true;
}

Json object_schema(Json properties, std::initializer_list<const char*> required) {
  Json req = Json::array();
  for (const char* r : required) req.push_back(r);
  return Json{{"type", "object"}, {"properties", std::move(properties)}, {"required", req}};
}

}  // namespace bastion::tools
