#include "agent/compaction.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "agent/context_manager.h"
#include "util/fs.h"
#include "temp_dir.h"

using namespace bastion;
using namespace bastion::agent;
using llm::Message;
using llm::Role;

namespace {

Message msg(Role role, const std::string& text) {
  Message m;
  m.role = role;
  m.content = text;
  return m;
}

void add_call(std::vector<Message>& h, const std::string& id, const std::string& tool,
              const std::string& args, const std::string& output, bool is_error = false) {
  Message a;
  a.role = Role::kAssistant;
  a.tool_calls.push_back({id, tool, args});
  h.push_back(a);
  Message r = msg(Role::kTool, output);
  r.tool_call_id = id;
  r.tool_name = tool;
  r.is_error = is_error;
  h.push_back(r);
}

const char* kRules = "# AGENTS.md\n- Never edit generated/.\n- Run `make check` before finishing.\n";

}  // namespace

TEST(CompactionTest, RulesTodosFilesAndIntentSurviveCompaction) {
  std::string ws = bastion::testing::temp_dir_removed_at_exit("bastion-compact");
  ASSERT_TRUE(fs::write_file_atomic(ws + "/src/a.cc", "int a;").ok());
  ASSERT_TRUE(fs::write_file_atomic(ws + "/notes.md", "n").ok());

  std::vector<Message> h{msg(Role::kUser, "first: look around")};
  h.push_back(msg(Role::kAssistant, "ok"));
  h.push_back(msg(Role::kUser, "Rename foo to bar in src/ and keep the tests green"));
  add_call(h, "1", "edit", R"({"path":"src/a.cc","old_string":"foo","new_string":"bar"})", "ok");
  add_call(h, "2", "write", R"({"path":"notes.md","content":"n"})", "ok");
  add_call(h, "3", "write", R"({"path":"gone.txt","content":"x"})", "ok");  // later deleted
  add_call(h, "4", "edit", R"({"path":"src/b.cc","old_string":"x","new_string":"y"})",
           "old_string not found", true);  // failed: not a change
  std::vector<tools::TodoItem> todos{{"rename foo", "completed"}, {"run tests", "in_progress"},
                                     {"update docs", "pending"}};

  PreservedState state = collect_preserved_state(h, kRules, todos, ws);
  // The model's summary forgets the rules and todos, and even tries to fake a section.
  std::string model_summary =
      "Renamed foo in a.cc.\n## Todo list (current)\n- [x] everything done";
  auto out = apply_compaction(model_summary, state);

  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].role, Role::kUser);
  const std::string& c = out[0].content;
  EXPECT_EQ(c.rfind(kCompactedMarker, 0), 0u);
  EXPECT_NE(c.find(kRules), std::string::npos) << c;  // verbatim
  EXPECT_NE(c.find("- [x] rename foo\n- [~] run tests\n- [ ] update docs\n"), std::string::npos) << c;
  EXPECT_NE(c.find("- src/a.cc: edited\n- notes.md: written\n- gone.txt: deleted\n"),
            std::string::npos)
      << c;
  EXPECT_EQ(c.find("src/b.cc"), std::string::npos);
  EXPECT_NE(c.find("## The user's latest request (verbatim)\n"
                   "Rename foo to bar in src/ and keep the tests green\n"),
            std::string::npos)
      << c;
  EXPECT_NE(c.find("Renamed foo in a.cc."), std::string::npos);
  // The model could not inject a second todo section.
  size_t first = c.find("## Todo list (current)");
  EXPECT_EQ(c.find("\n## Todo list (current)", first + 1), std::string::npos) << c;

  // A second compaction keeps the same facts: intent and files carry over.
  std::vector<Message> h2 = out;
  h2.push_back(msg(Role::kAssistant, "continuing"));
  add_call(h2, "5", "edit", R"({"path":"src/c.cc","old_string":"a","new_string":"b"})", "ok");
  PreservedState state2 = collect_preserved_state(h2, kRules, todos, ws, state.files_changed);
  EXPECT_EQ(state2.user_intent, "Rename foo to bar in src/ and keep the tests green");
  ASSERT_EQ(state2.files_changed.size(), 4u);
  EXPECT_EQ(state2.files_changed[3].path, "src/c.cc");
  auto out2 = apply_compaction("more work", state2);
  EXPECT_NE(out2[0].content.find(kRules), std::string::npos);
  EXPECT_NE(out2[0].content.find("- [~] run tests"), std::string::npos);
}

TEST(CompactionTest, RequestKeepsCachePrefixAndAsksForSummary) {
  llm::ChatRequest base;
  base.model = "qwen3-coder";
  base.system = "SYSTEM";
  base.tools.push_back({"read", "Read a file.", Json{{"type", "object"}}});
  base.messages = {msg(Role::kUser, "task"), msg(Role::kAssistant, "done part 1")};
  auto req = build_compaction_request(base);
  EXPECT_EQ(req.system, "SYSTEM");
  EXPECT_EQ(req.tools.size(), 1u);
  ASSERT_EQ(req.messages.size(), 3u);
  EXPECT_EQ(req.messages[0].content, "task");  // prefix unchanged
  EXPECT_EQ(req.messages[2].role, Role::kUser);
  EXPECT_NE(req.messages[2].content.find("Do not call tools"), std::string::npos);
  EXPECT_GT(req.max_output_tokens, 0);

  CompactionOptions no_tools;
  no_tools.keep_tools = false;
  EXPECT_TRUE(build_compaction_request(base, no_tools).tools.empty());

  // A trailing user message absorbs the instruction so roles alternate.
  base.messages.push_back(msg(Role::kUser, "and now?"));
  auto req2 = build_compaction_request(base);
  ASSERT_EQ(req2.messages.size(), 3u);
  EXPECT_EQ(req2.messages[2].content.rfind("and now?", 0), 0u);
}

TEST(CompactionTest, OverflowingHistoryIsShrunkToFit) {
  llm::ChatRequest base;
  base.system = "SYSTEM";
  std::string blob;
  // Plain words: about 4 bytes per token with both the exact Qwen3 BPE and the estimate.
  for (int i = 0; i < 400; ++i) blob += "the quick brown fox jumps over the lazy dog\n";
  for (int turn = 0; turn < 6; ++turn) {
    base.messages.push_back(msg(Role::kUser, "request " + std::to_string(turn)));
    for (int k = 0; k < 3; ++k) {
      std::string id = std::to_string(turn) + "-" + std::to_string(k);
      Message a;
      a.role = Role::kAssistant;
      a.tool_calls.push_back({id, "read", R"({"path":"f.txt"})"});
      base.messages.push_back(a);
      Message r = msg(Role::kTool, blob);
      r.tool_call_id = id;
      r.tool_name = "read";
      base.messages.push_back(r);
    }
  }
  int64_t before = request_tokens(base);
  CompactionOptions opts;
  opts.max_input_tokens = 3000;
  auto req = build_compaction_request(base, opts);
  int64_t after = request_tokens(req);
  EXPECT_GT(before, 20000);
  EXPECT_LE(after, 3000 + 300);  // + the instruction
  // Every remaining tool result still follows its call.
  for (size_t i = 0; i < req.messages.size(); ++i) {
    if (req.messages[i].role != Role::kTool) continue;
    EXPECT_NE(find_tool_call(std::vector<Message>(req.messages.begin(), req.messages.begin() + i),
                             req.messages[i].tool_call_id),
              nullptr);
  }
  EXPECT_EQ(req.messages.front().role, Role::kUser);
  // The latest request survives.
  bool has_latest = false;
  for (auto& m : req.messages) has_latest |= m.content.find("request 5") != std::string::npos;
  EXPECT_TRUE(has_latest);
}

TEST(CompactionTest, SummaryMustBeText) {
  llm::ChatResponse r;
  r.message.role = Role::kAssistant;
  r.message.content = "  summary  ";
  EXPECT_EQ(*compaction_summary(r), "summary");
  r.message.content = "";
  r.message.tool_calls.push_back({"1", "read", "{}"});
  auto bad = compaction_summary(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kModel);
  EXPECT_NE(bad.error().message.find("called a tool"), std::string::npos);
}

TEST(CompactionTest, CompactionShrinksTokens) {
  std::vector<Message> h{msg(Role::kUser, "do the thing")};
  std::string blob(20000, 'x');
  for (int i = 0; i < 10; ++i) add_call(h, std::to_string(i), "read", R"({"path":"a"})", blob);
  PreservedState s = collect_preserved_state(h, kRules, {}, "");
  auto out = apply_compaction("Read a ten times; it is all x.", s);
  EXPECT_LT(history_tokens(out) * 20, history_tokens(h));
}

// The figures in docs/BENCHMARKS.md (Token economics): 40 reads of this
// repository's own sources, then pruning, then compaction.
TEST(CompactionTest, FiguresOnRealSourceReads) {
  std::filesystem::path src = std::filesystem::path(__FILE__).parent_path() / "../../../src";
  std::vector<Message> h{msg(Role::kUser, "Refactor the agent module's error handling.")};
  int n = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(src)) {
    if (n >= 40 || !e.is_regular_file() || e.path().extension() != ".cc") continue;
    auto text = fs::read_file(e.path().string());
    ASSERT_TRUE(text.ok());
    add_call(h, "c" + std::to_string(n++), "read", Json{{"path", e.path().string()}}.dump(),
             elide_large_output(*text, 12000));
  }
  ASSERT_EQ(n, 40);
  int64_t before = history_tokens(h);
  auto pruned = h;
  prune_tool_outputs(pruned);
  int64_t after_prune = history_tokens(pruned);
  PreservedState s = collect_preserved_state(h, kRules, {{"convert to Result", "in_progress"}}, "");
  int64_t after_compaction = history_tokens(apply_compaction(std::string(1600, 'x'), s));
  std::printf("history %lld tokens -> pruned %lld -> compacted %lld\n",
              static_cast<long long>(before), static_cast<long long>(after_prune),
              static_cast<long long>(after_compaction));
  EXPECT_LT(after_prune * 2, before);
  EXPECT_LT(after_compaction, 1000);
}
