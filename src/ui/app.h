// The interactive UI application: owns the terminal, the input editor and
// the live bottom region, runs each agent turn on a worker thread and turns
// its events (streamed text, tool calls, approvals) into scrollback lines.
// Only the UI thread writes to the terminal; the worker hands it events
// through a queue and a wake-up pipe, so the loop blocks in poll().
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ui/checkpoints.h"
#include "ui/interactive.h"
#include "ui/keys.h"
#include "ui/line_editor.h"
#include "ui/markdown.h"
#include "ui/terminal.h"

namespace bastion::ui {

// What the worker thread hands the UI thread.
struct UiEvent {
  enum class Type { kText, kEndText, kLines, kElided, kTokens, kApproval, kDone } type;
  std::string text;
  std::vector<std::string> lines;
  int64_t tokens = 0;
};

class App : public agent::EventSink {
 public:
  explicit App(InteractiveSession& session);
  ~App() override;
  int run();

  // EventSink (worker thread).
  void on_event(const agent::AgentEvent& event) override;

 private:
  // Worker side.
  agent::Approval ask_approval(const tools::Tool& tool, const tools::CallSubject& subject, const Json& args);
  void post(UiEvent event);
  void start_turn(const std::string& prompt);
  void start_job(std::function<void()> job);

  // UI side.
  void handle_key(const Key& key);
  void handle_approval_key(const Key& key);
  void handle_search_key(const Key& key);
  void submit();
  void drain_events();
  void commit(const std::string& line);
  void redraw();
  std::vector<std::string> live_rows(int width, int* cursor_row, int* cursor_col);
  std::string status_line(int width) const;
  void finish_output();
  void complete_path();

  // Slash commands (app_commands.cc). Returns false for "not a command".
  bool run_slash(const std::string& line);
  void show_help();
  void cmd_init();
  void cmd_rewind(const std::string& arg);
  void cmd_resume(const std::string& arg);
  void cmd_clear();
  // Makes `info` the current session with `messages` as the conversation.
  void switch_session(const store::SessionInfo& info, std::vector<llm::Message> messages);
  void run_shell(const std::string& command);
  std::optional<std::string> custom_command(const std::string& name, const std::string& args);

  InteractiveSession& s_;
  Terminal term_;
  LineEditor editor_;
  MarkdownStream md_;
  Checkpoints checkpoints_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<UiEvent> queue_;
  int wake_[2] = {-1, -1};
  std::thread worker_;
  std::atomic<bool> busy_{false};
  std::atomic<bool> interrupt_{false};

  // Approval in progress (answered by the UI thread).
  bool approval_open_ = false;
  bool approval_note_mode_ = false;
  std::vector<std::string> approval_lines_;
  std::string approval_rule_;  // what [s] saves
  std::optional<agent::Approval> approval_answer_;
  std::string saved_input_;

  std::vector<std::string> pending_commit_;
  int live_height_ = 0;  // rows of the live region on screen
  int cursor_row_ = 0;   // cursor row within the live region
  int last_width_ = 0;
  std::vector<int> drawn_widths_;  // display width of each live row as drawn
  int drawn_cursor_col_ = 0;
  int64_t turn_start_ms_ = 0;
  int64_t streamed_chars_ = 0;
  int64_t turn_tokens_ = 0;
  std::string last_elided_;
  std::string shell_context_;  // !cmd output waiting to join the next prompt
  std::string flash_;          // one-line notice under the input box
  int ctrl_c_ = 0;
  bool quit_ = false;
  bool search_mode_ = false;
  std::string search_query_;
  int search_index_ = -1;
  int spinner_ = 0;
  size_t first_session_checkpoint_ = 0;  // earlier checkpoints belong to another conversation
};

int64_t steady_ms();

}  // namespace bastion::ui
