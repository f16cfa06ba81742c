#include "ui/history_view.h"

#include "ui/style.h"
#include "ui/tool_view.h"

namespace bastion::ui {
namespace {

constexpr int kAnswerLines = 3;

// Non-empty lines of `text`, at most `limit` (then `*more` says so).
std::vector<std::string> first_lines(const std::string& text, int limit, bool* more) {
  std::vector<std::string> out;
  *more = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    for (auto& c : line)
      if (c == '\t' || c == '\r') c = ' ';  // tabs would break the width count
    if (static_cast<int>(out.size()) == limit) {
      *more = true;
      break;
    }
    out.push_back(line);
  }
  return out;
}

}  // namespace

std::vector<std::string> compact_history(const std::vector<llm::Message>& messages, int width, int max_messages) {
  std::vector<const llm::Message*> shown;
  for (auto& m : messages)
    if (m.role != llm::Role::kSystem) shown.push_back(&m);
  std::vector<std::string> out;
  int w = std::max(width - 1, 10);
  size_t skip = shown.size() > static_cast<size_t>(max_messages) ? shown.size() - max_messages : 0;
  if (skip > 0) out.push_back(paint(Color::kGray, "  … " + std::to_string(skip) + " earlier messages"));
  for (size_t i = skip; i < shown.size(); ++i) {
    const llm::Message& m = *shown[i];
    bool more = false;
    switch (m.role) {
      case llm::Role::kUser: {
        auto lines = first_lines(m.content, 1, &more);
        std::string text = lines.empty() ? "" : lines[0];
        out.push_back(paint(Color::kBold, fit_width("> " + text + (more ? " …" : ""), w)));
        break;
      }
      case llm::Role::kAssistant: {
        auto lines = first_lines(m.content, kAnswerLines, &more);
        for (auto& l : lines) out.push_back(fit_width("  " + l, w));
        if (more) out.push_back(paint(Color::kGray, "  …"));
        for (auto& call : m.tool_calls) out.push_back(fit_width(tool_call_line(call.name, call.arguments), w));
        break;
      }
      case llm::Role::kTool: {
        auto lines = first_lines(m.content, 1, &more);
        std::string text = lines.empty() ? "(no output)" : lines[0];
        out.push_back(paint(m.is_error ? Color::kRed : Color::kGray,
                            fit_width("  ⎿ " + text + (more ? " …" : ""), w)));
        break;
      }
      case llm::Role::kSystem: break;
    }
  }
  return out;
}

}  // namespace bastion::ui
