#include "agent/system_prompt.h"

#include "util/fs.h"
#include "util/strings.h"

namespace bastion::agent {
namespace {

// Every sentence here is paid for on every request. Keep it short.
constexpr const char* kBasePrompt =
    "You are Bastion, a coding agent working in the user's repository. Complete the task "
    "end to end: find the relevant code, make the change, verify it (build/tests) when "
    "possible, then reply with a brief summary.\n"
    "- Use tools to act; don't describe edits instead of making them. Read before editing.\n"
    "- Prefer search/grep/glob to find code; read only the lines you need.\n"
    "- Keep changes minimal and in the existing style. Don't add files unless needed.\n"
    "- Make independent tool calls in one reply.\n"
    "- For multi-step work, track steps with todo.\n"
    "- If a tool is refused, don't retry it; adapt or explain.\n"
    "- Answer concisely. No preamble.";

}  // namespace

std::string build_system_prompt(const PromptInputs& in) {
  std::string out = in.replace_system_prompt.empty() ? kBasePrompt : in.replace_system_prompt;
  out += "\n\n<env>\nworkspace: " + in.workspace;
  for (auto& r : in.extra_roots) out += "\nextra dir: " + r;
  out += "\nos: linux";
  if (in.is_git_repo) out += "\ngit: yes";
  if (!in.date.empty()) out += "\ndate: " + in.date;
  out += "\n</env>";
  if (!in.agents_md.empty()) out += "\n\n<rules>\n" + in.agents_md + "\n</rules>";
  if (!in.append_system_prompt.empty()) out += "\n\n" + in.append_system_prompt;
  return out;
}

std::string load_agents_md(const std::string& workspace) {
  std::vector<std::string> files;
  std::string user = fs::config_dir() + "/AGENTS.md";
  if (fs::exists(user)) files.push_back(user);
  std::string git_root = fs::find_git_root(workspace);
  std::vector<std::string> chain;
  std::string cur = workspace;
  for (;;) {
    chain.push_back(cur);
    if (cur == git_root || cur == "/" || git_root.empty()) break;
    auto slash = cur.find_last_of('/');
    cur = slash == 0 ? "/" : cur.substr(0, slash);
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    std::string f = (*it == "/" ? "" : *it) + "/AGENTS.md";
    if (fs::exists(f)) files.push_back(f);
  }
  std::string out;
  for (auto& f : files) {
    auto text = fs::read_file(f);
    if (!text.ok() || str::trim(*text).empty()) continue;
    if (!out.empty()) out += "\n";
    out += "# " + f + "\n" + str::truncate_utf8(*text, 32 * 1024);
    if (out.back() != '\n') out += '\n';
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace bastion::agent
