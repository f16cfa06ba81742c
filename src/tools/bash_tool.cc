// bash: runs a command with `bash -c` through the OS sandbox, never outside
// it. The working directory persists across calls (an EXIT trap records
// $PWD, so `cd` sticks while the command's own exit status is kept), output
// is capped with the middle elided, and an empty output says so.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "policy/sandbox.h"
#include "tools/core_tools.h"
#include "tools/tool_util.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::tools {
namespace {

constexpr long long kMaxTimeoutMs = 600000;
constexpr size_t kHeadBytes = 12000;
constexpr size_t kTailBytes = 12000;

class BashTool : public Tool {
 public:
  BashTool() {
    spec_.name = "bash";
    spec_.description =
        "Run a bash command in the sandbox. The working directory persists between calls. "
        "Default timeout 2 min, max 10 min.";
    spec_.parameters = object_schema(
        {{"command", {{"type", "string"}}},
         {"timeout", {{"type", "integer"}, {"description", "milliseconds"}}}},
        {"command"});
  }
  const llm::ToolSpec& spec() const override { return spec_; }
  ToolKind kind() const override { return ToolKind::kExecute; }

  CallSubject subject(const Json& args, const ToolContext& ctx) const override {
    CallSubject s;
    s.command = json_string(args, "command");
    s.summary = str::truncate_utf8(s.command, 200);
    return s;
  }

  ToolResult run(const Json& args, ToolContext& ctx) override {
    std::string command, err;
    if (!get_string_arg(args, "command", &command, &err)) return error_result(err);
    if (str::trim(command).empty()) return error_result("`command` must not be empty");
    if (!ctx.sandbox || !ctx.sandbox->available()) {
      std::string why = ctx.sandbox ? ctx.sandbox->describe() : "no sandbox configured";
      return error_result("bash is unavailable: the OS sandbox cannot run commands (" + why +
                          "). Work with the other tools, or ask the user to rerun with "
                          "`--sandbox off` to allow unsandboxed commands.");
    }
    long long timeout = json_int(args, "timeout", ctx.bash_default_timeout_ms);
    if (timeout <= 0) timeout = ctx.bash_default_timeout_ms;
    timeout = std::min(timeout, kMaxTimeoutMs);

    std::string note;
    std::string cwd = ctx.shell_cwd.empty() ? ctx.workspace : ctx.shell_cwd;
    if (!fs::is_directory(cwd)) {
      note = "[previous working directory " + cwd + " is gone; running in the workspace]\n";
      cwd = ctx.workspace;
    }
    char tmpl[] = "/tmp/bastion-cwd-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0) return error_result("cannot create a temp file for the shell's working directory");
    ::close(fd);
    std::string cwd_file = tmpl;

    ProcessSpec spec;
    // $1 is the cwd file; the trap keeps the command's exit status.
    spec.argv = {"bash", "-c",
                 "__bastion_cwd_file=$1; shift; trap 'builtin pwd > \"$__bastion_cwd_file\"' EXIT\n" +
                     command,
                 "bash", cwd_file};
    spec.cwd = cwd;
    spec.timeout_ms = static_cast<int>(timeout);
    spec.max_output_bytes = 1 << 20;
    auto res = ctx.sandbox->run(std::move(spec));

    auto new_cwd = fs::read_file(cwd_file);
    ::unlink(cwd_file.c_str());
    if (!res.ok()) return error_result(res.error().message);
    if (new_cwd.ok()) {
      std::string dir(str::trim(*new_cwd));
      if (!dir.empty() && fs::is_directory(dir)) ctx.shell_cwd = dir;
    }

    const ProcessResult& p = *res;
    std::string out = note;
    if (p.output.empty())
      out += "(no output)\n";
    else
      out += sanitize_utf8(str::elide_middle(p.output, kHeadBytes, kTailBytes));
    if (!out.empty() && out.back() != '\n') out += '\n';
    if (p.timed_out)
      out += "[timed out after " + std::to_string(timeout / 1000.0).substr(0, 5) + " s; process killed]\n";
    out += "[exit code " + std::to_string(p.exit_code) + "]";
    ToolResult r;
    r.output = std::move(out);
    r.is_error = p.timed_out || p.exit_code != 0;
    r.meta["exit_code"] = p.exit_code;
    r.meta["timed_out"] = p.timed_out;
    r.meta["cwd"] = ctx.shell_cwd.empty() ? ctx.workspace : ctx.shell_cwd;
    r.meta["output_bytes"] = p.total_output_bytes;
    r.meta["elapsed_ms"] = p.elapsed_ms;
    return r;
  }

 private:
  llm::ToolSpec spec_;
};

}  // namespace

std::unique_ptr<Tool> make_bash_tool() { return std::make_unique<BashTool>(); }

}  // namespace bastion::tools
