#include "agent/context_manager.h"

#include <gtest/gtest.h>

using namespace bastion;
using namespace bastion::agent;
using llm::Message;
using llm::Role;

namespace {

Message user(const std::string& text) {
  Message m;
  m.role = Role::kUser;
  m.content = text;
  return m;
}

// An assistant tool call plus its result.
void add_call(std::vector<Message>& h, const std::string& id, const std::string& tool,
              const std::string& args, const std::string& output) {
  Message a;
  a.role = Role::kAssistant;
  a.tool_calls.push_back({id, tool, args});
  h.push_back(a);
  Message r;
  r.role = Role::kTool;
  r.tool_call_id = id;
  r.tool_name = tool;
  r.content = output;
  h.push_back(r);
}

std::string big(const std::string& first_line, size_t lines) {
  std::string s = first_line + "\n";
  for (size_t i = 0; i < lines; ++i) s += "line " + std::to_string(i) + " of some file content\n";
  return s;
}

}  // namespace

TEST(ContextManagerTest, KeepsLastResultsWholeAndDigestsEarlierOnes) {
  std::vector<Message> h{user("fix the bug")};
  for (int i = 0; i < 10; ++i) {
    add_call(h, "c" + std::to_string(i), "read",
             R"({"path":"src/f)" + std::to_string(i) + R"(.cc"})",
             big("#include <f" + std::to_string(i) + ">", 50));
  }
  PruneOptions opts;
  opts.keep_last_results = 3;
  opts.batch = 2;
  EXPECT_EQ(prune_tool_outputs(h, opts), 7u);
  int whole = 0, digests = 0;
  for (auto& m : h) {
    if (m.role != Role::kTool) continue;
    if (m.content.rfind(kDigestPrefix, 0) == 0) ++digests;
    else ++whole;
  }
  EXPECT_EQ(whole, 3);
  EXPECT_EQ(digests, 7);
  // The first result became a one-line digest naming tool, target, size and first line.
  const std::string& d = h[2].content;
  EXPECT_EQ(d.find('\n'), std::string::npos);
  EXPECT_NE(d.find("read src/f0.cc"), std::string::npos) << d;
  EXPECT_NE(d.find("51 lines"), std::string::npos) << d;
  EXPECT_NE(d.find("first line: #include <f0>"), std::string::npos) << d;
  // The newest results are untouched.
  EXPECT_EQ(h.back().content, big("#include <f9>", 50));
  // Running again changes nothing (digests are not re-pruned, batch not reached).
  auto before = h;
  EXPECT_EQ(prune_tool_outputs(h, opts), 0u);
  EXPECT_EQ(h.size(), before.size());
  for (size_t i = 0; i < h.size(); ++i) EXPECT_EQ(h[i].content, before[i].content);
}

TEST(ContextManagerTest, PruningWaitsForABatchSoThePromptCacheSurvives) {
  std::vector<Message> h{user("x")};
  for (int i = 0; i < 8; ++i) add_call(h, "c" + std::to_string(i), "bash", R"({"command":"ls"})", big("out", 40));
  PruneOptions opts;
  opts.keep_last_results = 6;
  opts.batch = 4;
  EXPECT_EQ(prune_tool_outputs(h, opts), 0u);  // 8 <= 6 + 4
  add_call(h, "c8", "bash", R"({"command":"ls"})", big("out", 40));
  add_call(h, "c9", "bash", R"({"command":"ls"})", big("out", 40));
  add_call(h, "c10", "bash", R"({"command":"ls"})", big("out", 40));
  EXPECT_EQ(prune_tool_outputs(h, opts), 5u);  // 11 > 10: keep the newest 6
}

TEST(ContextManagerTest, SmallResultsAreLeftAlone) {
  std::vector<Message> h{user("x")};
  for (int i = 0; i < 10; ++i) add_call(h, "c" + std::to_string(i), "glob", "{}", "a.cc\nb.cc");
  PruneOptions opts;
  opts.keep_last_results = 1;
  opts.batch = 0;
  EXPECT_EQ(prune_tool_outputs(h, opts), 0u);
}

TEST(ContextManagerTest, DigestMarksFailures) {
  Message r;
  r.role = Role::kTool;
  r.tool_name = "bash";
  r.is_error = true;
  r.content = "make: *** [all] Error 2\nmore";
  llm::ToolCall call{"id", "bash", R"({"command":"make all"})"};
  std::string d = tool_output_digest(r, &call);
  EXPECT_NE(d.find("bash make all"), std::string::npos) << d;
  EXPECT_NE(d.find("failed"), std::string::npos) << d;
  EXPECT_NE(d.find("first line: make: *** [all] Error 2"), std::string::npos) << d;
}

TEST(ContextManagerTest, ElidesLargeOutputsInTheMiddle) {
  std::string text = big("HEAD", 2000) + "TAIL\n";
  std::string out = elide_large_output(text, 4000);
  EXPECT_LT(out.size(), 4300u);
  EXPECT_EQ(out.rfind("HEAD", 0), 0u);
  EXPECT_NE(out.find("TAIL"), std::string::npos);
  EXPECT_NE(out.find("elided"), std::string::npos);
  EXPECT_EQ(elide_large_output("short", 4000), "short");

  std::vector<Message> h{user(text)};
  add_call(h, "c1", "bash", "{}", text);
  EXPECT_EQ(elide_large_outputs(h, 4000), 1u);
  EXPECT_EQ(h[0].content, text);  // user messages are never elided
  EXPECT_LT(h[2].content.size(), 4300u);
}

TEST(ContextManagerTest, ShouldCompactAtThreshold) {
  EXPECT_FALSE(should_compact(79, 100));
  EXPECT_TRUE(should_compact(80, 100));
  EXPECT_TRUE(should_compact(50, 100, 0.5));
  EXPECT_FALSE(should_compact(49, 100, 0.5));
  EXPECT_FALSE(should_compact(1000, 0));
  EXPECT_TRUE(should_compact(80, 100, 7.0));  // nonsense threshold -> default 0.8
}

TEST(ContextManagerTest, RequestTokensCountsSystemToolsAndMessages) {
  llm::ChatRequest req;
  req.system = "You are Bastion.";
  int64_t base = request_tokens(req);
  EXPECT_GT(base, 0);
  req.tools.push_back({"read", "Read a file.", Json{{"type", "object"}}});
  int64_t with_tool = request_tokens(req);
  EXPECT_GT(with_tool, base);
  req.messages.push_back(user(std::string(3600, 'a')));
  EXPECT_GT(request_tokens(req), with_tool + 100);
  EXPECT_EQ(history_tokens(req.messages), message_tokens(req.messages[0]));
}
