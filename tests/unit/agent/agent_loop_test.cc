// Agent loop with a scripted model client: the order in which hooks see a
// run, and a tool call's round trip into the history.
#include "agent/agent_loop.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "llm/model_client.h"
#include "policy/permissions.h"
#include "policy/redactor.h"
#include "tools/registry.h"

namespace bastion::agent {
namespace {

class ScriptedModel : public llm::ModelClient {
 public:
  std::deque<llm::ChatResponse> replies;
  std::vector<std::string>* log = nullptr;
  Result<llm::ChatResponse> chat(const llm::ChatRequest&, const llm::StreamSink&) override {
    if (log) log->push_back("model");
    if (replies.empty()) return make_error(ErrorKind::kModel, "script exhausted");
    llm::ChatResponse r = replies.front();
    replies.pop_front();
    return r;
  }
  Result<std::vector<std::string>> list_models() override { return std::vector<std::string>{}; }
  std::string endpoint() const override { return "scripted"; }
};

llm::ChatResponse answer(const std::string& text) {
  llm::ChatResponse r;
  r.message.role = llm::Role::kAssistant;
  r.message.content = text;
  r.finish_reason = "stop";
  return r;
}

llm::ChatResponse call(const std::string& id, const std::string& name, const std::string& args) {
  llm::ChatResponse r;
  r.message.role = llm::Role::kAssistant;
  r.message.tool_calls.push_back({id, name, args});
  r.finish_reason = "tool_calls";
  return r;
}

// A read-only tool that echoes its `text` argument.
class EchoTool : public tools::Tool {
 public:
  EchoTool() {
    spec_.name = "echo";
    spec_.description = "echo text";
    spec_.parameters = Json{{"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}};
  }
  const llm::ToolSpec& spec() const override { return spec_; }
  tools::ToolKind kind() const override { return tools::ToolKind::kRead; }
  tools::CallSubject subject(const Json&, const tools::ToolContext&) const override { return {}; }
  tools::ToolResult run(const Json& args, tools::ToolContext&) override {
    tools::ToolResult r;
    r.output = "echo: " + json_string(args, "text");
    return r;
  }

 private:
  llm::ToolSpec spec_;
};

// A tool that reports a diff, as edit and write do.
class DiffTool : public EchoTool {
 public:
  DiffTool() {
    spec_ = EchoTool::spec();
    spec_.name = "patch";
  }
  const llm::ToolSpec& spec() const override { return spec_; }
  tools::ToolResult run(const Json& args, tools::ToolContext&) override {
    tools::ToolResult r;
    r.output = "patched";
    r.meta["diff"] = "+AWS_SECRET_ACCESS_KEY=" + json_string(args, "secret") + "\n";
    return r;
  }

 private:
  llm::ToolSpec spec_;
};

struct Fixture {
  ScriptedModel model;
  tools::ToolRegistry registry;
  policy::PermissionEngine permissions;
  tools::ToolContext context;
  std::vector<std::string> log;

  Fixture() {
    context.workspace = "/";
    registry.add(std::make_unique<EchoTool>());
    model.log = &log;
  }
  Agent make_agent() { return Agent(model, registry, permissions, context, AgentConfig{}); }
};

TEST(AgentLoop, EveryPromptReachesOnUserPromptBeforeTheModel) {
  Fixture f;
  f.model.replies = {answer("one"), answer("two")};
  Agent agent = f.make_agent();
  AgentHooks hooks;
  hooks.on_user_prompt = [&](const std::string& p) { f.log.push_back("prompt:" + p); };
  agent.set_hooks(hooks);
  EXPECT_EQ(agent.run("first").final_text, "one");
  EXPECT_EQ(agent.run("second").final_text, "two");
  EXPECT_EQ(f.log, (std::vector<std::string>{"prompt:first", "model", "prompt:second", "model"}));
}

TEST(AgentLoop, FirstPromptContextIsAddedToTheFirstPromptOnly) {
  Fixture f;
  f.model.replies = {answer("one"), answer("two")};
  Agent agent = f.make_agent();
  int asked = 0;
  AgentHooks hooks;
  hooks.first_prompt_context = [&](const std::string& p) {
    ++asked;
    return "MAP for " + p;
  };
  agent.set_hooks(hooks);
  agent.run("first");
  agent.run("second");
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(agent.history()[0].content, "first\n\nMAP for first");
  EXPECT_EQ(agent.history()[2].content, "second");
}

TEST(AgentLoop, ToolResultFollowsItsCallAndFeedsTheNextRequest) {
  Fixture f;
  f.model.replies = {call("c1", "echo", R"({"text":"hi"})"), answer("done")};
  Agent agent = f.make_agent();
  std::vector<std::string> results;
  AgentHooks hooks;
  hooks.on_tool_result = [&](const llm::ToolCall& c, const tools::ToolResult& r) {
    results.push_back(c.name + "=" + r.output);
    return std::make_pair(std::string(), std::string());
  };
  agent.set_hooks(hooks);
  RunOutcome out = agent.run("say hi");
  EXPECT_EQ(out.reason, StopReason::kFinalAnswer);
  EXPECT_EQ(out.final_text, "done");
  EXPECT_EQ(out.model_requests, 2);
  EXPECT_EQ(results, std::vector<std::string>{"echo=echo: hi"});
  const auto& h = agent.history();
  ASSERT_EQ(h.size(), 4u);  // user, assistant call, tool result, answer
  EXPECT_EQ(h[2].role, llm::Role::kTool);
  EXPECT_EQ(h[2].tool_call_id, "c1");
  EXPECT_NE(h[2].content.find("echo: hi"), std::string::npos);
}

TEST(AgentLoop, StopFromToolResultHookEndsTheRunAsRunaway) {
  Fixture f;
  f.model.replies = {call("c1", "echo", R"({"text":"x"})"), answer("never")};
  Agent agent = f.make_agent();
  AgentHooks hooks;
  hooks.on_tool_result = [](const llm::ToolCall&, const tools::ToolResult&) {
    return std::make_pair(std::string(), std::string("looping"));
  };
  agent.set_hooks(hooks);
  RunOutcome out = agent.run("go");
  EXPECT_EQ(out.reason, StopReason::kRunaway);
  EXPECT_EQ(out.model_requests, 1);
}

TEST(AgentLoop, AuditedDiffsCarryPlaceholdersNotSecrets) {
  Fixture f;
  f.registry.add(std::make_unique<DiffTool>());
  policy::Redactor redactor;
  f.context.redactor = &redactor;
  f.permissions.set_mode(policy::PermissionMode::kBypass);
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  f.model.replies = {call("c1", "patch", R"({"secret":")" + secret + R"("})"), answer("done")};
  Agent agent = f.make_agent();
  std::vector<Json> diffs;
  AgentHooks hooks;
  hooks.audit = [&](const std::string& kind, const Json& data) {
    if (kind == "file_diff") diffs.push_back(data);
  };
  agent.set_hooks(hooks);
  agent.run("patch it");
  ASSERT_EQ(diffs.size(), 1u);
  std::string diff = diffs[0]["diff"].get<std::string>();
  EXPECT_EQ(diff.find(secret), std::string::npos) << diff;
  EXPECT_TRUE(redactor.has_placeholder(diff)) << diff;
}

}  // namespace
}  // namespace bastion::agent
