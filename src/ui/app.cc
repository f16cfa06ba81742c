#include "ui/app.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "ui/mentions.h"
#include "ui/reflow.h"
#include "ui/rule_saver.h"
#include "ui/style.h"
#include "ui/tool_view.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::ui {

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

namespace {
const char* kSpinner[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
}  // namespace

App::App(InteractiveSession& session)
    : s_(session), checkpoints_(session.workspace, fs::state_dir() + "/checkpoints") {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
  editor_.load_history(fs::state_dir() + "/history.jsonl");
  s_.agent.set_event_sink(this);
  s_.agent.set_approver([this](const tools::Tool& t, const tools::CallSubject& sub, const Json& args) {
    return ask_approval(t, sub, args);
  });
  if (s_.set_interrupt_check) s_.set_interrupt_check([this] { return interrupt_.load(); });
}

App::~App() {
  if (worker_.joinable()) {
    interrupt_ = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (approval_open_ && !approval_answer_) approval_answer_ = agent::Approval{};
    }
    cv_.notify_all();
    worker_.join();
  }
  s_.agent.set_event_sink(nullptr);
  s_.agent.set_approver(nullptr);
  for (int fd : wake_)
    if (fd >= 0) ::close(fd);
}

// ---- worker side ----------------------------------------------------------

void App::post(UiEvent event) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(event));
  }
  char c = 'e';
  ssize_t n = ::write(wake_[1], &c, 1);
  (void)n;
}

void App::on_event(const agent::AgentEvent& e) {
  using K = agent::AgentEvent::Kind;
  switch (e.kind) {
    case K::kTextDelta: post({UiEvent::Type::kText, e.text, {}, 0}); break;
    case K::kReasoningDelta: post({UiEvent::Type::kTokens, "", {}, static_cast<int64_t>(e.text.size() / 4)}); break;
    case K::kAssistantMessage: post({UiEvent::Type::kEndText, "", {}, 0}); break;
    case K::kToolCallStart:
      if (e.call) post({UiEvent::Type::kLines, "", {tool_call_line(e.call->name, e.call->arguments)}, 0});
      break;
    case K::kToolResult:
      if (e.result) {
        ToolResultView v = render_tool_result(*e.result);
        post({UiEvent::Type::kLines, "", v.lines, 0});
        if (v.elided) post({UiEvent::Type::kElided, v.full_text, {}, 0});
      }
      break;
    case K::kUsage: post({UiEvent::Type::kTokens, "", {}, e.usage.output_tokens}); break;
    case K::kNotice: post({UiEvent::Type::kLines, "", {paint(Color::kYellow, "! " + e.text)}, 0}); break;
  }
}

agent::Approval App::ask_approval(const tools::Tool& tool, const tools::CallSubject& subject, const Json& args) {
  std::vector<std::string> lines;
  std::string what = tool.kind() == tools::ToolKind::kExecute ? "run this command" :
                     tool.kind() == tools::ToolKind::kEdit ? "make this change" : "call " + tool.name();
  lines.push_back(paint(Color::kYellow, "? ") + paint(Color::kBold, "Allow " + tool.name() + " to " + what + "?"));
  if (!subject.summary.empty() && subject.command.empty()) lines.push_back("  " + paint(Color::kGray, subject.summary));
  auto preview = approval_preview(tool, subject, args, 30);
  lines.insert(lines.end(), preview.begin(), preview.end());
  std::unique_lock<std::mutex> lock(mu_);
  approval_answer_.reset();
  approval_rule_ = rule_for_call(tool, subject);
  queue_.push_back({UiEvent::Type::kApproval, "", lines, 0});
  lock.unlock();
  char c = 'a';
  ssize_t n = ::write(wake_[1], &c, 1);
  (void)n;
  lock.lock();
  cv_.wait(lock, [this] { return approval_answer_.has_value() || interrupt_.load(); });
  agent::Approval answer = approval_answer_.value_or(agent::Approval{false, false, "interrupted by the user"});
  approval_answer_.reset();
  return answer;
}

void App::start_job(std::function<void()> job) {
  if (worker_.joinable()) worker_.join();
  busy_ = true;
  interrupt_ = false;
  turn_start_ms_ = steady_ms();
  streamed_chars_ = 0;
  turn_tokens_ = 0;
  worker_ = std::thread([this, job = std::move(job)] {
    job();
    post({UiEvent::Type::kDone, "", {}, 0});
  });
}

void App::start_turn(const std::string& prompt) {
  size_t history_size = s_.agent.history().size();
  auto cp = checkpoints_.snapshot(prompt, history_size);
  if (!cp.ok()) commit(paint(Color::kYellow, "! checkpoint failed: " + cp.error().message));
  MentionExpansion mentions = expand_mentions(prompt, s_.workspace, s_.permissions);
  if (!mentions.attached.empty()) commit(paint(Color::kGray, "  attached " + str::join(mentions.attached, ", ")));
  for (auto& why : mentions.skipped) commit(paint(Color::kYellow, "  not attached: " + why));
  std::string full = mentions.prompt;
  if (!shell_context_.empty()) {
    full = shell_context_ + "\n" + full;
    shell_context_.clear();
  }
  start_job([this, full] {
    agent::RunOutcome outcome = s_.agent.run(full);
    if (outcome.reason == agent::StopReason::kInterrupted)
      post({UiEvent::Type::kLines, "", {paint(Color::kYellow, "⏹ interrupted")}, 0});
    else if (outcome.reason != agent::StopReason::kFinalAnswer)
      post({UiEvent::Type::kLines, "", {paint(Color::kRed, "✗ " + outcome.error)}, 0});
  });
}

// ---- UI side ----------------------------------------------------------------

void App::commit(const std::string& line) { pending_commit_.push_back(line); }

void App::finish_output() {
  for (auto& l : md_.finish()) commit(l);
}

void App::drain_events() {
  std::deque<UiEvent> events;
  {
    std::lock_guard<std::mutex> lock(mu_);
    events.swap(queue_);
  }
  for (auto& e : events) {
    switch (e.type) {
      case UiEvent::Type::kText:
        streamed_chars_ += static_cast<int64_t>(e.text.size());
        for (auto& l : md_.feed(e.text)) commit(l);
        break;
      case UiEvent::Type::kEndText: finish_output(); break;
      case UiEvent::Type::kLines:
        finish_output();
        for (auto& l : e.lines) commit(l);
        break;
      case UiEvent::Type::kElided: last_elided_ = e.text; break;
      case UiEvent::Type::kTokens: turn_tokens_ += e.tokens; break;
      case UiEvent::Type::kApproval:
        finish_output();
        for (auto& l : e.lines) commit(l);
        approval_open_ = true;
        approval_note_mode_ = false;
        approval_lines_ = e.lines;
        break;
      case UiEvent::Type::kDone:
        finish_output();
        busy_ = false;
        if (worker_.joinable()) worker_.join();
        commit("");
        break;
    }
  }
}

std::string App::status_line(int width) const {
  std::string mode = policy::permission_mode_name(s_.permissions.mode());
  std::string ctx;
  if (s_.context_window > 0 && s_.context_tokens) {
    int64_t used = s_.context_tokens();
    ctx = " · ctx " + std::to_string(used * 100 / s_.context_window) + "%";
  }
  char cost[32] = "";
  if (s_.cost_usd) std::snprintf(cost, sizeof(cost), " · $%.4f", s_.cost_usd());
  std::string line = s_.model + ctx + cost + " · " + mode + " (shift+tab)";
  return paint(Color::kGray, fit_width(line, width - 1));
}

std::vector<std::string> App::live_rows(int width, int* cursor_row, int* cursor_col) {
  std::vector<std::string> rows;
  int w = std::max(width - 1, 10);
  std::string tail = md_.tail();
  if (!tail.empty()) rows.push_back(fit_width(tail, w));
  if (busy_ && !approval_open_) {
    int64_t secs = (steady_ms() - turn_start_ms_) / 1000;
    int64_t tokens = std::max(turn_tokens_, streamed_chars_ / 4);
    rows.push_back(paint(Color::kCyan, kSpinner[spinner_ % 10]) + " " +
                   fit_width("working… " + std::to_string(secs) + "s · " + std::to_string(tokens) +
                                 " tokens · esc to interrupt",
                             w - 2));
  }
  std::string prompt = "> ";
  if (approval_open_) {
    if (approval_note_mode_) {
      rows.push_back(paint(Color::kGray, fit_width("Refusing. Optional note to the model, Enter to send:", w)));
      prompt = "note> ";
    } else {
      rows.push_back(paint(Color::kBold, fit_width("[y] yes  [a] always this session  [s] always, save rule  [n] no + note", w)));
      *cursor_row = static_cast<int>(rows.size()) - 1;
      *cursor_col = std::min(display_width(strip_ansi(rows.back())), w);
      rows.push_back(status_line(width));
      return rows;
    }
  }
  if (search_mode_) {
    std::string found = search_index_ >= 0 ? editor_.history()[search_index_] : "";
    for (auto& c : found)
      if (c == '\n') c = ' ';
    rows.push_back(paint(Color::kGray, std::string(static_cast<size_t>(w), '-')));
    rows.push_back(fit_width("(reverse-i-search)`" + search_query_ + "': " + found, w));
    *cursor_row = static_cast<int>(rows.size()) - 1;
    *cursor_col = std::min(display_width("(reverse-i-search)`" + search_query_), w);
    rows.push_back(status_line(width));
    return rows;
  }
  rows.push_back(paint(Color::kGray, std::string(static_cast<size_t>(w), '-')));
  auto r = editor_.render(prompt, w);
  *cursor_row = static_cast<int>(rows.size()) + r.cursor_row;
  *cursor_col = r.cursor_col;
  for (auto& row : r.rows) rows.push_back(row);
  rows.push_back(paint(Color::kGray, std::string(static_cast<size_t>(w), '-')));
  if (!flash_.empty()) rows.push_back(fit_width(flash_, w));
  rows.push_back(status_line(width));
  return rows;
}

void App::redraw() {
  int width = term_.width();
  std::string out = "\x1b[?2026h\x1b[?25l\r";
  // Back to the top of the live region. After a resize the terminal has
  // re-wrapped rows wider than the new width, so count them as it did.
  int up = rows_above_cursor(drawn_widths_, cursor_row_, drawn_cursor_col_, width);
  if (up > 0) out += "\x1b[" + std::to_string(up) + "A";
  out += "\x1b[J";
  last_width_ = width;
  for (auto& line : pending_commit_) out += line + sgr_reset() + "\r\n";
  pending_commit_.clear();
  int crow = 0, ccol = 0;
  auto rows = quit_ ? std::vector<std::string>{} : live_rows(width, &crow, &ccol);
  for (size_t i = 0; i < rows.size(); ++i) {
    out += rows[i] + sgr_reset();
    if (i + 1 < rows.size()) out += "\r\n";
  }
  live_height_ = static_cast<int>(rows.size());
  drawn_widths_.clear();
  for (auto& r : rows) drawn_widths_.push_back(display_width(r));
  if (!rows.empty()) {
    int back = live_height_ - 1 - crow;
    if (back > 0) out += "\x1b[" + std::to_string(back) + "A";
    out += "\r";
    if (ccol > 0) out += "\x1b[" + std::to_string(ccol) + "C";
    cursor_row_ = crow;
    drawn_cursor_col_ = ccol;
  } else {
    cursor_row_ = 0;
    drawn_cursor_col_ = 0;
  }
  out += "\x1b[?25h\x1b[?2026l";
  term_.write(out);
}

void App::submit() {
  std::string line = editor_.text();
  editor_.clear();
  if (line.find_first_not_of(" \t\n") == std::string::npos) return;
  editor_.add_history(line);
  if (line[0] == '!') {
    commit(paint(Color::kMagenta, "! ") + line.substr(1));
    run_shell(line.substr(1));
    return;
  }
  if (line[0] == '/' && run_slash(line)) return;
  std::string shown = line;
  size_t pos = 0;
  bool first = true;
  while (pos <= shown.size()) {
    size_t nl = shown.find('\n', pos);
    if (nl == std::string::npos) nl = shown.size();
    commit(paint(Color::kBold, std::string(first ? "> " : "  ") + shown.substr(pos, nl - pos)));
    first = false;
    pos = nl + 1;
  }
  start_turn(line);
}

int App::run() {
  if (!term_.enter_raw()) {
    std::fprintf(stderr, "bastion: the interactive UI needs a terminal\n");
    return 1;
  }
  term_.write("\x1b[?2004h");  // bracketed paste: pasted newlines stay in the box
  commit(paint(Color::kBold, "bastion") + paint(Color::kGray, " · " + s_.model + " · " + s_.workspace +
                                                        " · /help for commands"));
  if (!s_.initial_prompt.empty()) {
    editor_.set_text(s_.initial_prompt);
    submit();
  }
  redraw();
  std::string carry;
  bool in_paste = false;
  while (!quit_) {
    pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0}, {wake_[0], POLLIN, 0}, {term_.resize_fd(), POLLIN, 0}};
    int timeout = busy_ && !approval_open_ ? 100 : -1;  // spinner ticks only while working
    int n = ::poll(fds, 3, timeout);
    if (n < 0 && errno != EINTR) break;
    bool dirty = false;
    if (n == 0 && busy_) {
      ++spinner_;
      dirty = true;
    }
    if (fds[2].revents & POLLIN) {
      term_.drain_resize();
      dirty = true;
    }
    if (fds[1].revents & POLLIN) {
      char buf[256];
      while (::read(wake_[0], buf, sizeof(buf)) > 0) {
      }
      drain_events();
      dirty = true;
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      char buf[4096];
      ssize_t got = ::read(STDIN_FILENO, buf, sizeof(buf));
      if (got <= 0) break;
      std::string bytes(buf, static_cast<size_t>(got));
      // Bracketed paste: insert the pasted text verbatim.
      for (;;) {
        if (in_paste) {
          size_t end = bytes.find("\x1b[201~");
          std::string part = bytes.substr(0, end);
          for (auto& c : part)
            if (c == '\r') c = '\n';
          editor_.insert(part);
          if (end == std::string::npos) { bytes.clear(); break; }
          in_paste = false;
          bytes.erase(0, end + 6);
          continue;
        }
        size_t start = bytes.find("\x1b[200~");
        std::string before = bytes.substr(0, start);
        for (auto& k : decode_keys(before, &carry)) handle_key(k);
        if (start == std::string::npos) break;
        in_paste = true;
        bytes.erase(0, start + 6);
      }
      dirty = true;
    }
    if (dirty) redraw();
  }
  quit_ = true;
  if (busy_) {
    // Quitting mid-turn: ask the agent to stop, give it 2 s to wind down
    // (completed steps are already persisted), then leave without waiting
    // for a stream that may not be interruptible.
    interrupt_ = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (approval_open_ && !approval_answer_) approval_answer_ = agent::Approval{};
    }
    cv_.notify_all();
    int64_t deadline = steady_ms() + 2000;
    while (busy_ && steady_ms() < deadline) {
      pollfd fd{wake_[0], POLLIN, 0};
      if (::poll(&fd, 1, 100) > 0) {
        char buf[256];
        while (::read(wake_[0], buf, sizeof(buf)) > 0) {
        }
        drain_events();
      }
    }
  }
  finish_output();
  redraw();
  term_.write("\r\n");
  term_.restore();
  if (busy_) {
    std::fflush(nullptr);
    ::_exit(130);
  }
  return 0;
}

}  // namespace bastion::ui
