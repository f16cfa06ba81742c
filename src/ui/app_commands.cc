// Slash commands, `!cmd` shell escapes and custom commands
// (.bastion/commands/<name>.md, with $ARGUMENTS replaced) for the App.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

#include "index/walker.h"
#include "ui/app.h"
#include "ui/history_view.h"
#include "ui/style.h"
#include "ui/tool_view.h"
#include "util/fs.h"

namespace bastion::ui {

void App::show_help() {
  const char* lines[] = {
      "/help                this list",
      "/model [name]        show or switch the model",
      "/usage               tokens and cost of this session",
      "/compact             summarise the conversation now",
      "/clear               start a fresh conversation",
      "/resume [id]         list sessions, or load one's conversation",
      "/todos               the agent's todo list",
      "/permissions         permission mode and rules",
      "/init                write a starter AGENTS.md",
      "/rewind [n] [code|chat|both]  restore a checkpoint (default: the last, both)",
      "/diff                changes since the first checkpoint of this session",
      "/exit                quit (also Ctrl-D, or Ctrl-C twice)",
      "!cmd                 run a shell command; its output joins your next message",
      "@path + Tab          complete a file path;  Ctrl-R search history;  Esc interrupt",
      "Shift+Tab            cycle permission mode;  Ctrl-O expand elided output",
  };
  for (auto* l : lines) commit(paint(Color::kGray, l));
  std::string dir = s_.workspace + "/.bastion/commands";
  if (fs::is_directory(dir)) {
    for (auto& f : index::list_files(dir))
      if (f.size() > 3 && f.compare(f.size() - 3, 3, ".md") == 0 && f.find('/') == std::string::npos)
        commit(paint(Color::kGray, "/" + f.substr(0, f.size() - 3) + "  (custom)"));
  }
}

std::optional<std::string> App::custom_command(const std::string& name, const std::string& args) {
  if (name.find('/') != std::string::npos || name.find("..") != std::string::npos) return std::nullopt;
  auto text = fs::read_file(s_.workspace + "/.bastion/commands/" + name + ".md");
  if (!text.ok()) return std::nullopt;
  std::string body = *text;
  // Drop a front-matter block.
  if (body.rfind("---\n", 0) == 0) {
    size_t end = body.find("\n---", 4);
    if (end != std::string::npos) body = body.substr(body.find('\n', end + 1) + 1);
  }
  bool replaced = false;
  for (size_t p; (p = body.find("$ARGUMENTS")) != std::string::npos; replaced = true) body.replace(p, 10, args);
  if (!replaced && !args.empty()) body += "\n\n" + args;
  return body;
}

void App::run_shell(const std::string& command) {
  tools::Tool* bash = s_.registry.find("bash");
  if (!bash) {
    commit(paint(Color::kRed, "  no shell tool in this session"));
    return;
  }
  start_job([this, bash, command] {
    Json args = {{"command", command}};
    tools::ToolResult r = bash->run(args, s_.context);
    ToolResultView v = render_tool_result(r);
    post({UiEvent::Type::kLines, "", v.lines, 0});
    if (v.elided) post({UiEvent::Type::kElided, v.full_text, {}, 0});
    std::string ctx = "<shell-command>" + command + "</shell-command>\n<shell-output>\n" + r.output.substr(0, 30000) +
                      "\n</shell-output>";
    std::lock_guard<std::mutex> lock(mu_);
    shell_context_ += ctx + "\n";
  });
}

void App::cmd_init() {
  std::string path = s_.workspace + "/AGENTS.md";
  if (fs::exists(path)) {
    commit(paint(Color::kYellow, "  AGENTS.md already exists; not overwritten"));
    return;
  }
  auto files = index::list_files(s_.workspace);
  std::map<std::string, int> top;
  std::vector<std::string> build;
  for (auto& f : files) {
    size_t slash = f.find('/');
    top[slash == std::string::npos ? f : f.substr(0, slash + 1)]++;
    for (const char* b : {"CMakeLists.txt", "Makefile", "package.json", "pyproject.toml", "Cargo.toml", "go.mod",
                          "setup.py", "build.gradle", "pom.xml"})
      if (f == b) build.push_back(f);
  }
  std::string md = "# AGENTS.md\n\nGuidance for coding agents working in this repository.\n\n## Layout\n\n";
  for (auto& [name, count] : top)
    md += "- `" + name + "`" + (count > 1 ? " (" + std::to_string(count) + " files)" : "") + "\n";
  md += "\n## Build and test\n\n";
  if (build.empty()) md += "- (describe how to build and run the tests)\n";
  for (auto& b : build) md += "- build files: `" + b + "`\n";
  md += "\n## Conventions\n\n- (code style, naming, review rules)\n";
  if (auto st = fs::write_file_atomic(path, md); !st.ok()) {
    commit(paint(Color::kRed, "  " + st.error().message));
    return;
  }
  commit(paint(Color::kGreen, "  wrote AGENTS.md (" + std::to_string(files.size()) + " files indexed); edit it to taste"));
}

void App::cmd_rewind(const std::string& arg) {
  auto& list = checkpoints_.list();
  if (list.empty()) {
    commit(paint(Color::kGray, "  no checkpoints yet (one is taken before each message)"));
    return;
  }
  int n = 1;
  std::string what = "both";
  for (size_t p = 0; p < arg.size();) {
    size_t e = arg.find(' ', p);
    if (e == std::string::npos) e = arg.size();
    std::string w = arg.substr(p, e - p);
    if (!w.empty() && std::isdigit(static_cast<unsigned char>(w[0]))) n = std::max(1, std::atoi(w.c_str()));
    else if (w == "code" || w == "chat" || w == "both" || w == "conversation") what = w == "conversation" ? "chat" : w;
    else if (w == "list") n = 0;
    p = e + 1;
  }
  if (n == 0 || n > static_cast<int>(list.size())) {
    for (size_t i = list.size(); i-- > 0;) {
      std::string label = list[i].label.substr(0, 60);
      for (auto& c : label)
        if (c == '\n') c = ' ';
      commit(paint(Color::kGray, "  " + std::to_string(list.size() - i) + ". before \"" + label + "\""));
    }
    commit(paint(Color::kGray, "  /rewind <n> [code|chat|both]"));
    return;
  }
  const Checkpoint cp = list[list.size() - n];
  if (list.size() - n < first_session_checkpoint_ && what != "code") {
    commit(paint(Color::kYellow, "  that checkpoint is from before the session switch: restoring code only"));
    what = "code";
  }
  if (what != "chat") {
    if (auto st = checkpoints_.restore_code(cp); !st.ok()) {
      commit(paint(Color::kRed, "  rewind failed: " + st.error().message));
      return;
    }
  }
  if (what != "code") {
    auto history = s_.agent.history();
    if (history.size() > cp.history_size) history.resize(cp.history_size);
    s_.agent.set_history(history);
    if (s_.sessions && !s_.session_id.empty()) {
      if (auto st = s_.sessions->replace(s_.session_id, history); !st.ok())
        commit(paint(Color::kRed, "  could not save the rewound conversation: " + st.error().message));
    }
  }
  commit(paint(Color::kGreen, "  rewound " + what + " to before \"" + cp.label.substr(0, 60) + "\""));
  if (what != "code") editor_.set_text(cp.label);
}

void App::switch_session(const store::SessionInfo& info, std::vector<llm::Message> messages) {
  s_.agent.set_history(std::move(messages));
  s_.session_id = info.id;
  s_.context.todos.clear();
  if (auto todos = s_.sessions->get_state(info.id, "todos"); todos.ok()) {
    Json j = Json::parse(*todos, nullptr, false);
    if (j.is_array())
      for (auto& t : j) s_.context.todos.push_back({json_string(t, "content"), json_string(t, "status")});
  }
  // Checkpoints taken so far remember positions in the old conversation.
  first_session_checkpoint_ = checkpoints_.list().size();
  if (s_.on_session_switched) s_.on_session_switched(info);
  else commit(paint(Color::kYellow, "  note: new turns are not saved to that session"));
}

void App::cmd_resume(const std::string& arg) {
  if (!s_.sessions) {
    commit(paint(Color::kGray, "  sessions are not stored"));
    return;
  }
  auto all = s_.sessions->list(500);
  if (!all.ok()) return commit(paint(Color::kRed, "  " + all.error().message));
  std::vector<store::SessionInfo> here;  // this workspace's other sessions, newest first
  for (auto& info : *all)
    if (info.cwd == s_.workspace && info.id != s_.session_id && info.message_count > 0 && here.size() < 10)
      here.push_back(info);
  if (arg.empty()) {
    if (here.empty()) return commit(paint(Color::kGray, "  no other sessions in this workspace"));
    for (size_t i = 0; i < here.size(); ++i) {
      std::time_t t = static_cast<std::time_t>(here[i].updated_ms / 1000);
      char when[32];
      std::strftime(when, sizeof when, "%m-%d %H:%M", std::localtime(&t));
      std::string title = here[i].title;
      for (auto& c : title)
        if (c == '\n') c = ' ';
      commit(fit_width("  " + std::to_string(i + 1) + ". " + here[i].id.substr(0, 8) + "  " + when + "  " +
                           std::to_string(here[i].message_count) + " msgs  " + title,
                       std::max(term_.width() - 1, 10)));
    }
    commit(paint(Color::kGray, "  /resume <n> (or an id) switches to that session"));
    return;
  }
  store::SessionInfo target;
  bool numeric = arg.find_first_not_of("0123456789") == std::string::npos;
  size_t n = numeric ? std::strtoul(arg.c_str(), nullptr, 10) : 0;
  if (numeric && n >= 1 && n <= here.size()) {
    target = here[n - 1];
  } else if (numeric && arg.size() < 4) {
    return commit(paint(Color::kRed, "  no session " + arg + " in the list (/resume shows it)"));
  } else {
    auto info = s_.sessions->get(arg);
    if (!info.ok()) return commit(paint(Color::kRed, "  " + info.error().message));
    target = *info;
  }
  if (target.id == s_.session_id) return commit(paint(Color::kGray, "  already in session " + target.id));
  auto messages = s_.sessions->load(target.id);
  if (!messages.ok()) return commit(paint(Color::kRed, "  " + messages.error().message));
  for (auto& l : compact_history(*messages, term_.width())) commit(l);
  size_t count = messages->size();
  switch_session(target, std::move(*messages));
  commit(paint(Color::kGreen, "  resumed " + target.id + " (" + std::to_string(count) +
                                  " messages); new turns continue it"));
}

void App::cmd_clear() {
  if (!s_.sessions) {
    s_.agent.set_history({});
    return commit(paint(Color::kGray, "  conversation cleared"));
  }
  auto info = s_.sessions->create(s_.workspace, s_.model);
  if (!info.ok()) return commit(paint(Color::kRed, "  could not start a new session: " + info.error().message));
  std::string old = s_.session_id;
  switch_session(*info, {});
  commit(paint(Color::kGray, "  conversation cleared; new session " + info->id.substr(0, 8) +
                                 (old.empty() ? "" : " (/resume brings back " + old.substr(0, 8) + ")")));
}

bool App::run_slash(const std::string& line) {
  size_t sp = line.find_first_of(" \n");
  std::string cmd = line.substr(1, sp == std::string::npos ? std::string::npos : sp - 1);
  std::string arg = sp == std::string::npos ? "" : line.substr(sp + 1);
  while (!arg.empty() && (arg.back() == ' ' || arg.back() == '\n')) arg.pop_back();
  auto echo = [&] { commit(paint(Color::kBold, "> " + line)); };
  if (cmd == "exit" || cmd == "quit") {
    quit_ = true;
    return true;
  }
  if (cmd == "help") { echo(); show_help(); return true; }
  if (cmd == "model") {
    echo();
    if (!arg.empty()) {
      s_.agent.mutable_config().model = arg;
      s_.model = arg;
    }
    commit(paint(Color::kGray, "  model: " + s_.model));
    return true;
  }
  if (cmd == "usage") {
    echo();
    const llm::Usage& u = s_.agent.total_usage();
    char buf[200];
    std::snprintf(buf, sizeof(buf), "  input %lld tokens (%lld cached) · output %lld · cost $%.4f",
                  static_cast<long long>(u.input_tokens), static_cast<long long>(u.cached_input_tokens),
                  static_cast<long long>(u.output_tokens), s_.cost_usd ? s_.cost_usd() : 0.0);
    commit(paint(Color::kGray, buf));
    if (s_.context_window > 0 && s_.context_tokens)
      commit(paint(Color::kGray, "  context " + std::to_string(s_.context_tokens()) + " / " +
                                     std::to_string(s_.context_window) + " tokens"));
    return true;
  }
  if (cmd == "compact") {
    echo();
    if (!s_.compact) return commit(paint(Color::kGray, "  compaction is not available")), true;
    start_job([this] {
      Status st = s_.compact();
      post({UiEvent::Type::kLines, "", {st.ok() ? paint(Color::kGreen, "  conversation compacted")
                                                : paint(Color::kRed, "  " + st.error().message)}, 0});
    });
    return true;
  }
  if (cmd == "clear") { echo(); cmd_clear(); return true; }
  if (cmd == "resume") { echo(); cmd_resume(arg); return true; }
  if (cmd == "todos") {
    echo();
    if (s_.context.todos.empty()) commit(paint(Color::kGray, "  no todos"));
    for (auto& t : s_.context.todos) {
      const char* mark = t.status == "completed" ? "☒" : t.status == "in_progress" ? "◐" : "☐";
      commit(std::string("  ") + mark + " " + t.content);
    }
    return true;
  }
  if (cmd == "permissions") {
    echo();
    commit(paint(Color::kGray, std::string("  mode: ") + policy::permission_mode_name(s_.permissions.mode()) +
                                   " (Shift+Tab cycles)"));
    for (auto& r : s_.permissions.rules()) commit(paint(Color::kGray, "  rule: " + r.text));
    return true;
  }
  if (cmd == "init") { echo(); cmd_init(); return true; }
  if (cmd == "rewind") { echo(); cmd_rewind(arg); return true; }
  if (cmd == "diff") {
    echo();
    if (checkpoints_.list().empty())
      return commit(paint(Color::kGray, "  no changes by the agent yet (a checkpoint is taken before each message)")), true;
    auto d = checkpoints_.diff_since(checkpoints_.list().front());
    if (!d.ok()) return commit(paint(Color::kRed, "  " + d.error().message)), true;
    if (d->empty()) commit(paint(Color::kGray, "  no changes since the session started"));
    bool elided = false;
    for (auto& l : color_diff(*d, 200, &elided)) commit(l);
    if (elided) last_elided_ = *d;
    return true;
  }
  auto custom = custom_command(cmd, arg);
  if (!custom) {
    commit(paint(Color::kRed, "  unknown command /" + cmd + " (try /help)"));
    return true;
  }
  echo();
  start_turn(*custom);
  return true;
}

}  // namespace bastion::ui
