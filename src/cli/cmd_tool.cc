// `bastion tool NAME 'JSON-ARGS'`: runs one tool directly, with the current
// directory (or -w DIR) as the workspace, and prints what the model would
// see. Exit 1 when the tool reports an error, 2 on usage errors. Commands
// run in the OS sandbox unless --sandbox off.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/subcommands.h"
#include "policy/sandbox.h"
#include "tools/index_tools.h"
#include "tools/registry.h"
#include "util/fs.h"
#include "util/json.h"

namespace bastion::cli {
namespace {

int usage(const char* why) {
  if (why) std::fprintf(stderr, "bastion tool: %s\n", why);
  std::fprintf(stderr,
               "usage: bastion tool NAME ['JSON-ARGS'|-] [-w DIR] [--add-dir DIR] "
               "[--sandbox auto|landlock|bubblewrap|off] [--json]\n");
  return kExitUsage;
}

}  // namespace

int run_tool(const std::vector<std::string>& args) {
  std::string name, json_text, workspace = ".", sandbox_text = "auto";
  std::vector<std::string> add_dirs;
  bool print_json = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      usage(nullptr);
      return kExitOk;
    } else if ((a == "-w" || a == "--cwd") && i + 1 < args.size()) {
      workspace = args[++i];
    } else if (a == "--add-dir" && i + 1 < args.size()) {
      add_dirs.push_back(args[++i]);
    } else if (a == "--sandbox" && i + 1 < args.size()) {
      sandbox_text = args[++i];
    } else if (a == "--json") {
      print_json = true;
    } else if (name.empty()) {
      name = a;
    } else if (json_text.empty()) {
      json_text = a;
    } else {
      return usage(("unexpected argument " + a).c_str());
    }
  }
  if (name.empty()) return usage("missing tool name");
  if (json_text == "-") json_text.assign(std::istreambuf_iterator<char>(std::cin), {});
  if (json_text.empty()) json_text = "{}";
  auto parsed = parse_json(json_text, "tool arguments");
  if (!parsed.ok() || !parsed->is_object())
    return usage(parsed.ok() ? "tool arguments must be a JSON object" : parsed.error().message.c_str());

  std::string cwd = fs::absolute(".", "/");
  char buf[4096];
  if (::getcwd(buf, sizeof buf)) cwd = buf;
  tools::ToolContext ctx;
  ctx.workspace = fs::resolve_real(workspace, cwd);
  if (!fs::is_directory(ctx.workspace)) return usage(("not a directory: " + workspace).c_str());
  for (const auto& d : add_dirs) ctx.extra_roots.push_back(fs::resolve_real(d, cwd));
  ctx.shell_cwd = ctx.workspace;

  auto mode = policy::parse_sandbox_mode(sandbox_text);
  if (!mode.ok()) return usage(mode.error().message.c_str());
  auto sandbox = policy::make_sandbox(
      *mode, policy::SandboxPolicy::for_workspace(ctx.workspace, ctx.extra_roots));
  ctx.sandbox = sandbox.get();

  tools::ToolRegistry registry = tools::make_core_registry();
  if (!registry.find(name)) (void)tools::add_index_tools(registry, ctx.workspace);
  tools::Tool* tool = registry.find(name);
  if (!tool) {
    std::string known;
    for (const auto& s : registry.specs()) known += (known.empty() ? "" : ", ") + s.name;
    return usage(("unknown tool " + name + " (available: " + known + ")").c_str());
  }
  tools::ToolResult r = tool->run(*parsed, ctx);
  if (print_json) {
    Json j = {{"output", r.output}, {"is_error", r.is_error}, {"meta", r.meta}};
    std::printf("%s\n", dump_json(j).c_str());
  } else {
    std::fwrite(r.output.data(), 1, r.output.size(), stdout);
    if (!r.output.empty() && r.output.back() != '\n') std::fputc('\n', stdout);
  }
  return r.is_error ? kExitError : kExitOk;
}

}  // namespace bastion::cli
