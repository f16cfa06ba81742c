// The runaway guard: notices when the model is stuck and stops it before it
// burns millions of tokens (peers have burned 5-20M in such loops).
//
// Three patterns are detected over a window of recent tool calls:
//  - the same call (tool name + canonicalised JSON args) giving the same
//    result again and again with no file changed in between;
//  - the same call failing again and again with the same error (same exit
//    code and error line, even when timestamps or temp paths differ);
//  - edit/undo oscillation: an edit that reverses an earlier edit of the same
//    file, a write restoring content the file had before, or a file's
//    content hash returning to an earlier state.
// The first time a pattern reaches its threshold the verdict is kWarn with a
// plain message for the model; if the same pattern repeats
// `max_repeats_after_warning` more times the verdict is kStop.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bastion::agent {

struct LoopGuardOptions {
  int identical_call_threshold = 3;   // same call + same result, N times -> warn
  int repeated_failure_threshold = 3;  // same call failing the same way N times -> warn
  int oscillation_threshold = 2;       // N reversals on one file -> warn
  int max_repeats_after_warning = 3;   // further repeats after the warning -> stop
  size_t window = 40;                  // calls remembered for the first two patterns
};

struct GuardVerdict {
  enum class Action { kOk, kWarn, kStop };
  Action action = Action::kOk;
  std::string message;  // kWarn: text for the model; kStop: reason for the user

  bool ok() const { return action == Action::kOk; }
  bool warn() const { return action == Action::kWarn; }
  bool stop() const { return action == Action::kStop; }
};

class LoopGuard {
 public:
  explicit LoopGuard(LoopGuardOptions options = {});

  // Call after every tool result. `args_json` is the raw arguments text.
  GuardVerdict observe(const std::string& tool_name, const std::string& args_json,
                       const std::string& result_text, bool is_error);

  // Optional: report a file's content after a tool changed it (e.g. from
  // ToolContext::on_file_changed, including changes made by bash). A return
  // to an earlier content counts as oscillation at the next observe().
  void observe_file_content(const std::string& path, std::string_view content);

  // Forget everything (e.g. when the user sends a new message).
  void reset();

 private:
  struct Pattern {
    int count = 0;
    bool warned = false;
    int after_warning = 0;
  };
  // `current` is how many times the pattern has now been seen.
  GuardVerdict bump(const std::string& key, int current, int threshold,
                    const std::string& warn_text, const std::string& stop_text);
  void check_edit(const std::string& tool_name, const std::string& canonical_args,
                  std::vector<std::string>* oscillating_files);

  LoopGuardOptions options_;
  std::deque<std::string> recent_calls_;       // identical-call keys in the window
  std::deque<std::string> recent_failures_;    // failure keys in the window
  std::map<std::string, Pattern> patterns_;
  // Per file: edits applied (old, new) and content hashes seen.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> edits_;
  std::map<std::string, std::vector<uint64_t>> content_history_;
  std::vector<std::string> pending_oscillations_;  // files from observe_file_content
  bool files_changed_ = false;                     // a file changed since the last observe()
};

// Tool args as compact JSON with sorted keys, so {"b":1,"a":2} and
// { "a": 2, "b": 1 } compare equal. Invalid JSON is returned trimmed.
std::string canonical_args(const std::string& args_json);

// The part of an error that identifies it: the exit code when one is shown,
// plus the first meaningful error line with digits and hex runs masked.
std::string error_signature(std::string_view result_text);

}  // namespace bastion::agent
