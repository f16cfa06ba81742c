#include "agent/context_manager.h"

#include <algorithm>

#include "llm/tokenizer.h"
#include "util/json.h"
#include "util/strings.h"

namespace bastion::agent {
namespace {

// Chat-template framing per message (<|im_start|>role\n ... <|im_end|>\n).
constexpr int64_t kMessageOverhead = 4;

std::string with_commas(size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The argument that names what a call acted on: a path, a command, a pattern.
std::string call_target(const llm::ToolCall& call) {
  auto args = parse_json(call.arguments, "tool arguments");
  if (!args.ok() || !args->is_object()) return "";
  for (const char* key : {"path", "file_path", "command", "pattern", "query", "url", "glob"}) {
    std::string v = json_string(*args, key);
    if (!v.empty()) {
      std::string one_line = str::replace_all(v, "\n", " ");
      return one_line.size() > 80 ? str::truncate_utf8(one_line, 77) + "..." : one_line;
    }
  }
  return "";
}

bool prunable(const llm::Message& m, size_t min_bytes) {
  return m.role == llm::Role::kTool && m.content.size() >= min_bytes &&
         !str::starts_with(m.content, kDigestPrefix);
}

}  // namespace

const llm::ToolCall* find_tool_call(const std::vector<llm::Message>& messages,
                                    const std::string& tool_call_id) {
  if (tool_call_id.empty()) return nullptr;
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->role != llm::Role::kAssistant) continue;
    for (auto& call : it->tool_calls)
      if (call.id == tool_call_id) return &call;
  }
  return nullptr;
}

std::string tool_output_digest(const llm::Message& result, const llm::ToolCall* call) {
  std::string name = !result.tool_name.empty() ? result.tool_name : call ? call->name : "tool";
  std::string target = call ? call_target(*call) : "";
  size_t lines = static_cast<size_t>(std::count(result.content.begin(), result.content.end(), '\n'));
  if (!result.content.empty() && result.content.back() != '\n') ++lines;
  std::string first;
  for (auto& line : str::split_lines(result.content)) {
    auto t = str::trim(line);
    if (!t.empty()) {
      first = std::string(t);
      break;
    }
  }
  if (first.size() > 100) first = str::truncate_utf8(first, 97) + "...";
  std::string out = std::string(kDigestPrefix) + name;
  if (!target.empty()) out += " " + target;
  out += ": " + with_commas(result.content.size()) + " bytes, " + with_commas(lines) + " lines";
  if (result.is_error) out += ", failed";
  if (!first.empty()) out += "; first line: " + first;
  out += " (rerun the tool if you need it again)";
  return out;
}

size_t prune_tool_outputs(std::vector<llm::Message>& messages, const PruneOptions& options) {
  std::vector<size_t> candidates;
  for (size_t i = 0; i < messages.size(); ++i)
    if (prunable(messages[i], options.min_bytes)) candidates.push_back(i);
  // Count all full results (small ones included) when deciding which are "last".
  std::vector<size_t> full_results;
  for (size_t i = 0; i < messages.size(); ++i)
    if (messages[i].role == llm::Role::kTool && !str::starts_with(messages[i].content, kDigestPrefix))
      full_results.push_back(i);
  if (full_results.size() <= options.keep_last_results + options.batch) return 0;
  size_t keep_from = options.keep_last_results == 0
                         ? messages.size()
                         : full_results[full_results.size() - options.keep_last_results];
  size_t pruned = 0;
  for (size_t i : candidates) {
    if (i >= keep_from) break;
    llm::Message& m = messages[i];
    const llm::ToolCall* call = find_tool_call(messages, m.tool_call_id);
    m.content = tool_output_digest(m, call);
    ++pruned;
  }
  return pruned;
}

std::string elide_large_output(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t head = max_bytes * 6 / 10;
  size_t tail = max_bytes - head;
  // elide_middle leaves text within 64 bytes of the limit alone: not worth a marker.
  return str::elide_middle(text, head, tail);
}

size_t elide_large_outputs(std::vector<llm::Message>& messages, size_t max_bytes) {
  size_t changed = 0;
  for (auto& m : messages) {
    if (m.role != llm::Role::kTool || m.content.size() <= max_bytes) continue;
    std::string elided = elide_large_output(m.content, max_bytes);
    if (elided.size() < m.content.size()) {
      m.content = std::move(elided);
      ++changed;
    }
  }
  return changed;
}

bool should_compact(int64_t used_tokens, int64_t context_window, double threshold) {
  if (context_window <= 0 || used_tokens <= 0) return false;
  if (!(threshold > 0 && threshold <= 1)) threshold = 0.8;
  return static_cast<double>(used_tokens) >= threshold * static_cast<double>(context_window);
}

int64_t message_tokens(const llm::Message& m) {
  int64_t n = kMessageOverhead + llm::count_tokens(m.content) + llm::count_tokens(m.reasoning);
  for (auto& call : m.tool_calls) {
    n += kMessageOverhead + llm::count_tokens(call.name) + llm::count_tokens(call.arguments);
  }
  return n;
}

int64_t history_tokens(const std::vector<llm::Message>& messages) {
  int64_t n = 0;
  for (auto& m : messages) n += message_tokens(m);
  return n;
}

int64_t request_tokens(const llm::ChatRequest& request) {
  int64_t n = kMessageOverhead + llm::count_tokens(request.system);
  for (auto& tool : request.tools) {
    Json spec = {{"type", "function"},
                 {"function",
                  {{"name", tool.name},
                   {"description", tool.description},
                   {"parameters", tool.parameters}}}};
    n += llm::count_tokens(dump_json(spec)) + 1;
  }
  return n + history_tokens(request.messages);
}

}  // namespace bastion::agent
