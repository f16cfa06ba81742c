#include "agent/compaction.h"

#include <algorithm>

#include "agent/context_manager.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strings.h"

namespace bastion::agent {
namespace {

// Short on purpose: it is sent on every compaction.
constexpr const char* kInstruction =
    "Compact this conversation: write a summary that lets you continue the task with no other "
    "context. Do not call tools. The project rules, the todo list, the changed files and my "
    "latest request are kept verbatim separately, so do not repeat them. Include, tersely:\n"
    "1. Goal and constraints I stated earlier that still apply.\n"
    "2. Key facts learned (file paths, function names, commands, errors and their causes).\n"
    "3. Decisions made and approaches that failed (so they are not retried).\n"
    "4. Current state and the exact next step.";

constexpr size_t kMaxIntentBytes = 8000;

bool is_file_tool(const std::string& name, bool* is_write) {
  std::string n = str::to_lower(name);
  *is_write = n == "write" || n == "write_file" || n == "create";
  return *is_write || n == "edit" || n == "multi_edit" || n == "multiedit" ||
         n == "str_replace" || n == "apply_patch" || n == "delete";
}

std::string todo_mark(const std::string& status) {
  if (status == "completed") return "[x]";
  if (status == "in_progress") return "[~]";
  return "[ ]";
}

// Drops messages from the front until the request fits, cutting only before
// a user message so every tool call keeps its result.
void drop_oldest(llm::ChatRequest& req, int64_t max_tokens) {
  while (request_tokens(req) > max_tokens && req.messages.size() > 1) {
    size_t cut = 1;
    while (cut < req.messages.size() && req.messages[cut].role != llm::Role::kUser) ++cut;
    if (cut >= req.messages.size()) break;  // only one user turn left
    size_t dropped = cut;
    req.messages.erase(req.messages.begin(), req.messages.begin() + static_cast<long>(cut));
    llm::Message note;
    note.role = llm::Role::kUser;
    note.content = "[" + std::to_string(dropped) + " earlier messages omitted to fit the context]";
    req.messages.insert(req.messages.begin(), note);
    // Merge the note into the following user message to keep roles alternating.
    if (req.messages.size() > 1 && req.messages[1].role == llm::Role::kUser) {
      req.messages[1].content = note.content + "\n" + req.messages[1].content;
      req.messages.erase(req.messages.begin());
    }
  }
}

}  // namespace

std::string latest_user_intent(const std::vector<llm::Message>& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->role != llm::Role::kUser) continue;
    if (str::starts_with(it->content, kCompactedMarker)) {
      // An earlier compaction: its verbatim intent section is the latest one.
      const std::string head = "## The user's latest request (verbatim)\n";
      auto pos = it->content.find(head);
      if (pos == std::string::npos) continue;
      pos += head.size();
      auto end = it->content.find("\n## ", pos);
      return it->content.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    }
    if (str::starts_with(it->content, "[") && str::ends_with(it->content, "omitted to fit the context]"))
      continue;
    return it->content;
  }
  return "";
}

std::vector<FileChange> files_changed_in(const std::vector<llm::Message>& messages,
                                         const std::string& workspace,
                                         const std::vector<FileChange>& known) {
  std::vector<FileChange> out = known;
  auto upsert = [&](const std::string& path, const std::string& status) {
    for (auto& f : out) {
      if (f.path == path) {
        f.status = status;
        return;
      }
    }
    out.push_back({path, status});
  };
  for (auto& m : messages) {
    if (m.role != llm::Role::kTool || m.is_error) continue;
    const llm::ToolCall* call = find_tool_call(messages, m.tool_call_id);
    if (!call) continue;
    bool is_write = false;
    if (!is_file_tool(call->name, &is_write)) continue;
    auto args = parse_json(call->arguments, "tool arguments");
    if (!args.ok() || !args->is_object()) continue;
    std::string path = json_string(*args, "path", json_string(*args, "file_path"));
    if (path.empty()) continue;
    upsert(path, is_write ? "written" : "edited");
  }
  if (!workspace.empty()) {
    for (auto& f : out) {
      if (!fs::exists(fs::absolute(f.path, workspace))) f.status = "deleted";
    }
  }
  return out;
}

PreservedState collect_preserved_state(const std::vector<llm::Message>& messages,
                                       const std::string& rules,
                                       const std::vector<tools::TodoItem>& todos,
                                       const std::string& workspace,
                                       const std::vector<FileChange>& known_files) {
  PreservedState s;
  s.rules = rules;
  s.todos = todos;
  s.files_changed = files_changed_in(messages, workspace, known_files);
  s.user_intent = latest_user_intent(messages);
  return s;
}

llm::ChatRequest build_compaction_request(const llm::ChatRequest& base,
                                          const CompactionOptions& options) {
  llm::ChatRequest req = base;
  if (!options.keep_tools) req.tools.clear();
  req.max_output_tokens = options.max_summary_tokens;
  if (options.max_input_tokens > 0 && request_tokens(req) > options.max_input_tokens) {
    PruneOptions aggressive;
    aggressive.keep_last_results = 2;
    aggressive.batch = 0;
    aggressive.min_bytes = 200;
    prune_tool_outputs(req.messages, aggressive);
    for (auto& m : req.messages) {
      if (m.content.size() > 4000) m.content = elide_large_output(m.content, 4000);
    }
    drop_oldest(req, options.max_input_tokens);
  }
  // Append the instruction; merge into a trailing user message so roles alternate.
  if (!req.messages.empty() && req.messages.back().role == llm::Role::kUser) {
    req.messages.back().content += "\n\n" + std::string(kInstruction);
  } else {
    llm::Message ask;
    ask.role = llm::Role::kUser;
    ask.content = kInstruction;
    req.messages.push_back(std::move(ask));
  }
  return req;
}

Result<std::string> compaction_summary(const llm::ChatResponse& response) {
  std::string text(str::trim(response.message.content));
  if (text.empty()) {
    return make_error(ErrorKind::kModel,
                      response.message.tool_calls.empty()
                          ? "the model returned an empty compaction summary"
                          : "the model called a tool instead of writing the compaction summary");
  }
  return text;
}

std::string render_preserved_state(const PreservedState& state) {
  std::string out;
  if (!str::trim(state.rules).empty()) {
    out += "## Project rules (AGENTS.md, verbatim)\n" + state.rules;
    if (out.back() != '\n') out += '\n';
  }
  out += "## Todo list (current)\n";
  if (state.todos.empty()) out += "(none)\n";
  for (auto& t : state.todos) out += "- " + todo_mark(t.status) + " " + t.content + "\n";
  out += "## Files changed so far\n";
  if (state.files_changed.empty()) out += "(none)\n";
  for (auto& f : state.files_changed) out += "- " + f.path + ": " + f.status + "\n";
  out += "## The user's latest request (verbatim)\n";
  std::string intent = state.user_intent.size() > kMaxIntentBytes
                           ? elide_large_output(state.user_intent, kMaxIntentBytes)
                           : state.user_intent;
  out += intent;
  if (out.back() != '\n') out += '\n';
  return out;
}

std::vector<llm::Message> apply_compaction(const std::string& model_summary,
                                           const PreservedState& state) {
  std::string summary(str::trim(model_summary));
  // The model's text must not be able to fake the verbatim sections.
  summary = str::replace_all(summary, "\n## ", "\n### ");
  if (str::starts_with(summary, "## ")) summary = "#" + summary;
  llm::Message m;
  m.role = llm::Role::kUser;
  m.content = std::string(kCompactedMarker) +
              " Earlier messages were replaced by this summary. Sections marked verbatim are "
              "exact.\n" +
              render_preserved_state(state) + "## Summary of the work so far\n" +
              (summary.empty() ? "(no summary)" : summary) +
              "\n\nContinue the task from where you left off.";
  return {m};
}

}  // namespace bastion::agent
