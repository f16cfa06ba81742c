// compact_history: how a resumed conversation is shown in scrollback.
#include <gtest/gtest.h>

#include "ui/history_view.h"
#include "ui/style.h"

namespace bastion::ui {
namespace {

llm::Message msg(llm::Role role, const std::string& text) {
  llm::Message m;
  m.role = role;
  m.content = text;
  return m;
}

std::vector<std::string> plain(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (auto& l : lines) out.push_back(strip_ansi(l));
  return out;
}

TEST(CompactHistory, OneLinePerPromptFirstLinesOfAnswersAndToolCalls) {
  llm::Message call = msg(llm::Role::kAssistant, "Let me look.");
  call.tool_calls.push_back({"c1", "read", R"({"path":"src/main.cc"})"});
  llm::Message result = msg(llm::Role::kTool, "1\tint main() {\n2\t}\n");
  result.tool_call_id = "c1";
  std::vector<llm::Message> h = {msg(llm::Role::kSystem, "system text"),
                                 msg(llm::Role::kUser, "fix the bug\nin main"),
                                 call,
                                 result,
                                 msg(llm::Role::kAssistant, "one\n\ntwo\nthree\nfour\nfive")};
  auto lines = plain(compact_history(h, 80));
  std::vector<std::string> want = {"> fix the bug …", "  Let me look.", "● read(src/main.cc)",
                                   "  ⎿ 1 int main() { …", "  one", "  two", "  three", "  …"};
  EXPECT_EQ(lines, want);
}

TEST(CompactHistory, ShowsOnlyTheNewestMessagesAndCountsTheRest) {
  std::vector<llm::Message> h;
  for (int i = 0; i < 10; ++i) h.push_back(msg(llm::Role::kUser, "prompt " + std::to_string(i)));
  auto lines = plain(compact_history(h, 80, 3));
  std::vector<std::string> want = {"  … 7 earlier messages", "> prompt 7", "> prompt 8", "> prompt 9"};
  EXPECT_EQ(lines, want);
}

TEST(CompactHistory, LinesFitTheWidth) {
  std::vector<llm::Message> h = {msg(llm::Role::kUser, std::string(300, 'x')),
                                 msg(llm::Role::kAssistant, std::string(300, 'y'))};
  for (auto& l : compact_history(h, 20)) EXPECT_LE(display_width(l), 19) << l;
}

}  // namespace
}  // namespace bastion::ui
