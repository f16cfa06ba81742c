#include "agent/loop_guard.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "util/json.h"
#include "util/strings.h"

namespace bastion::agent {
namespace {

uint64_t hash_text(std::string_view s) { return std::hash<std::string_view>{}(s); }

// "bash {"command":"make"}", shortened for messages.
std::string describe_call(const std::string& name, const std::string& canon) {
  std::string args = canon.size() > 100 ? str::truncate_utf8(canon, 97) + "..." : canon;
  return "`" + name + "` " + args;
}

std::string plural(int n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

bool is_edit_tool(const std::string& name) {
  std::string n = str::to_lower(name);
  return n == "edit" || n == "multi_edit" || n == "multiedit" || n == "str_replace" ||
         n == "replace" || n == "apply_edit";
}

bool is_write_tool(const std::string& name) {
  std::string n = str::to_lower(name);
  return n == "write" || n == "write_file" || n == "create";
}

std::string path_arg(const Json& args) {
  for (const char* key : {"path", "file_path", "filename", "file"}) {
    std::string p = json_string(args, key);
    if (!p.empty()) return p;
  }
  return "";
}

// Lowercases nothing but masks runs of digits and long hex so "took 12ms" and
// "took 15ms", or two temp paths, compare equal.
std::string mask_volatile(std::string_view line) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (std::isxdigit(c)) {
      size_t j = i;
      bool has_digit = false;
      while (j < line.size() && std::isxdigit(static_cast<unsigned char>(line[j]))) {
        has_digit = has_digit || std::isdigit(static_cast<unsigned char>(line[j]));
        ++j;
      }
      bool word_start = i == 0 || !std::isalnum(static_cast<unsigned char>(line[i - 1]));
      if (has_digit && (word_start || j - i >= 6)) {
        out += '#';
        i = j;
        continue;
      }
      out.append(line.substr(i, j - i));
      i = j;
      continue;
    }
    out += static_cast<char>(c);
    ++i;
  }
  return out;
}

// Finds "exit code N" / "exit status N" / "exited with N"; "" when absent.
std::string exit_code_of(std::string_view text) {
  std::string lower = str::to_lower(text.substr(0, 4096));
  for (const char* marker : {"exit code", "exit status", "exited with", "exit_code"}) {
    auto pos = lower.find(marker);
    if (pos == std::string::npos) continue;
    pos += std::string_view(marker).size();
    while (pos < lower.size() && (lower[pos] == ' ' || lower[pos] == ':' || lower[pos] == '='))
      ++pos;
    size_t end = pos;
    while (end < lower.size() && (std::isdigit(static_cast<unsigned char>(lower[end])) ||
                                  (end == pos && lower[end] == '-')))
      ++end;
    if (end > pos) return lower.substr(pos, end - pos);
  }
  return "";
}

}  // namespace

std::string canonical_args(const std::string& args_json) {
  auto parsed = parse_json(args_json, "tool arguments");
  if (!parsed.ok()) return std::string(str::trim(args_json));
  // nlohmann's object keeps keys sorted, so dump() is canonical.
  return dump_json(*parsed);
}

std::string error_signature(std::string_view result_text) {
  std::string code = exit_code_of(result_text);
  std::string chosen;
  std::string first;
  for (auto& raw : str::split_lines(result_text.substr(0, 16384))) {
    std::string_view line = str::trim(raw);
    if (line.empty()) continue;
    if (first.empty()) first = std::string(line);
    std::string lower = str::to_lower(line);
    if (lower.find("error") != std::string::npos || lower.find("fatal") != std::string::npos ||
        lower.find("failed") != std::string::npos || lower.find("not found") != std::string::npos ||
        lower.find("denied") != std::string::npos || lower.find("no such") != std::string::npos) {
      chosen = std::string(line);
      break;
    }
  }
  if (chosen.empty()) chosen = first;
  return "exit=" + code + "|" + mask_volatile(str::truncate_utf8(chosen, 300));
}

LoopGuard::LoopGuard(LoopGuardOptions options) : options_(options) {
  options_.max_repeats_after_warning = std::max(1, options_.max_repeats_after_warning);
  options_.identical_call_threshold = std::max(2, options_.identical_call_threshold);
  options_.repeated_failure_threshold = std::max(2, options_.repeated_failure_threshold);
  options_.oscillation_threshold = std::max(1, options_.oscillation_threshold);
}

void LoopGuard::reset() {
  recent_calls_.clear();
  recent_failures_.clear();
  patterns_.clear();
  edits_.clear();
  content_history_.clear();
  pending_oscillations_.clear();
  files_changed_ = false;
}

GuardVerdict LoopGuard::bump(const std::string& key, int current, int threshold,
                             const std::string& warn_text, const std::string& stop_text) {
  Pattern& p = patterns_[key];
  p.count = current;
  if (!p.warned) {
    if (current < threshold) return {};
    p.warned = true;
  } else {
    ++p.after_warning;
    if (p.after_warning >= options_.max_repeats_after_warning) {
      return {GuardVerdict::Action::kStop, stop_text};
    }
  }
  int left = options_.max_repeats_after_warning - p.after_warning;
  return {GuardVerdict::Action::kWarn,
          "Loop warning: " + warn_text + " Bastion will stop this session if it happens " +
              plural(left, "more time") + "."};
}

void LoopGuard::observe_file_content(const std::string& path, std::string_view content) {
  uint64_t h = hash_text(content);
  auto& history = content_history_[path];
  if (!history.empty() && history.back() == h) return;  // no change
  files_changed_ = true;
  if (std::find(history.begin(), history.end(), h) != history.end()) {
    pending_oscillations_.push_back(path);
  }
  history.push_back(h);
  if (history.size() > 64) history.erase(history.begin());
}

void LoopGuard::check_edit(const std::string& tool_name, const std::string& canonical,
                           std::vector<std::string>* oscillating) {
  auto parsed = parse_json(canonical, "tool arguments");
  if (!parsed.ok() || !parsed->is_object()) return;
  const Json& args = *parsed;
  std::string path = path_arg(args);
  if (path.empty()) return;
  if (is_edit_tool(tool_name) || (args.contains("old_string") && args.contains("new_string"))) {
    std::vector<std::pair<std::string, std::string>> pairs;
    if (args.contains("edits") && args["edits"].is_array()) {
      for (auto& e : args["edits"]) pairs.emplace_back(json_string(e, "old_string"), json_string(e, "new_string"));
    } else {
      pairs.emplace_back(json_string(args, "old_string"), json_string(args, "new_string"));
    }
    auto& done = edits_[path];
    for (auto& [old_s, new_s] : pairs) {
      if (old_s == new_s) continue;
      files_changed_ = true;
      for (auto& [prev_old, prev_new] : done) {
        if (prev_old == new_s && prev_new == old_s) {
          oscillating->push_back(path);
          break;
        }
      }
      done.emplace_back(old_s, new_s);
      if (done.size() > 64) done.erase(done.begin());
    }
  } else if (is_write_tool(tool_name) && args.contains("content")) {
    observe_file_content(path, json_string(args, "content"));
  }
}

GuardVerdict LoopGuard::observe(const std::string& tool_name, const std::string& args_json,
                                const std::string& result_text, bool is_error) {
  std::string canon = canonical_args(args_json);
  std::string call = describe_call(tool_name, canon);
  std::vector<GuardVerdict> verdicts;

  // Edits are checked first: a file changing means re-running a read-only
  // call (tests, git status) is legitimate, so identical-result counts restart.
  std::vector<std::string> oscillating;
  if (!is_error) check_edit(tool_name, canon, &oscillating);
  if (files_changed_) {
    files_changed_ = false;
    recent_calls_.clear();
    for (auto it = patterns_.begin(); it != patterns_.end();) {
      it = it->first.rfind("same\x1f", 0) == 0 ? patterns_.erase(it) : std::next(it);
    }
  }

  // 1. The same call with the same result.
  std::string same_key = "same\x1f" + tool_name + "\x1f" + canon + "\x1f" +
                         std::to_string(hash_text(result_text)) + (is_error ? "E" : "");
  recent_calls_.push_back(same_key);
  if (recent_calls_.size() > options_.window) recent_calls_.pop_front();
  int same = static_cast<int>(std::count(recent_calls_.begin(), recent_calls_.end(), same_key));
  if (same >= options_.identical_call_threshold || patterns_.count(same_key)) {
    int total = std::max(same, patterns_.count(same_key) ? patterns_[same_key].count + 1 : same);
    verdicts.push_back(bump(same_key, total, options_.identical_call_threshold,
                            "you called " + call + " " + std::to_string(total) +
                                " times and got the same result each time. Calling it again "
                                "will not change the result: use what you already have, or try a "
                                "different approach.",
                            "runaway loop: " + call + " repeated with the same result " +
                                std::to_string(total) + " times"));
  }

  // 2. The same call failing the same way (output may differ in details).
  if (is_error) {
    std::string sig = error_signature(result_text);
    std::string fail_key = "fail\x1f" + tool_name + "\x1f" + canon + "\x1f" + sig;
    recent_failures_.push_back(fail_key);
    if (recent_failures_.size() > options_.window) recent_failures_.pop_front();
    int fails =
        static_cast<int>(std::count(recent_failures_.begin(), recent_failures_.end(), fail_key));
    if (fails >= options_.repeated_failure_threshold || patterns_.count(fail_key)) {
      int total =
          std::max(fails, patterns_.count(fail_key) ? patterns_[fail_key].count + 1 : fails);
      std::string first_line = sig.substr(sig.find('|') + 1);
      verdicts.push_back(bump(fail_key, total, options_.repeated_failure_threshold,
                              call + " failed " + std::to_string(total) +
                                  " times with the same error (" + first_line +
                                  "). Running it again unchanged will fail again: read the error, "
                                  "change something first, or explain the blocker to the user.",
                              "runaway loop: " + call + " failed the same way " +
                                  std::to_string(total) + " times"));
    }
  }

  // 3. Edit/undo oscillation.
  oscillating.insert(oscillating.end(), pending_oscillations_.begin(),
                     pending_oscillations_.end());
  pending_oscillations_.clear();
  std::set<std::string> unique(oscillating.begin(), oscillating.end());
  for (auto& path : unique) {
    std::string key = "osc\x1f" + path;
    auto it = patterns_.find(key);
    int n = (it == patterns_.end() ? 0 : it->second.count) + 1;
    verdicts.push_back(bump(key, n, options_.oscillation_threshold,
                            "your changes to " + path + " keep undoing each other (" +
                                plural(n, "reversal") +
                                ": the file went back to an earlier state). Decide which version "
                                "is right and move on instead of flipping between them.",
                            "runaway loop: edits to " + path + " reversed each other " +
                                std::to_string(n) + " times"));
  }

  GuardVerdict out;
  for (auto& v : verdicts) {
    if (static_cast<int>(v.action) > static_cast<int>(out.action)) out = v;
  }
  return out;
}

}  // namespace bastion::agent
