#include "llm/openai_stream.h"

#include <gtest/gtest.h>

#include "llm/sse_parser.h"

namespace bastion::llm {
namespace {

Json tool_delta(int index, const std::string& id, const std::string& name, const std::string& args) {
  Json fn = {{"arguments", args}};
  if (!name.empty()) fn["name"] = name;
  Json call = {{"index", index}, {"function", fn}};
  if (!id.empty()) {
    call["id"] = id;
    call["type"] = "function";
  }
  return {{"choices", {{{"index", 0}, {"delta", {{"tool_calls", {call}}}}}}}};
}

// A realistic argument with nested quotes, escapes, newlines and UTF-8.
const std::string kArgs =
    R"({"path":"src/a \"b\".py","old_string":"def f():\n    return 'x'\t# é中","new_string":"\\n🚀"})";

TEST(OpenAiStream, ToolArgumentsSplitIntoTwoChunksAtEveryByteOffset) {
  for (size_t cut = 0; cut <= kArgs.size(); ++cut) {
    OpenAiStreamAccumulator acc;
    std::string err;
    ASSERT_TRUE(acc.apply(tool_delta(0, "call_1", "edit", kArgs.substr(0, cut)), &err));
    ASSERT_TRUE(acc.apply(tool_delta(0, "", "", kArgs.substr(cut)), &err));
    ChatResponse r = acc.finish();
    ASSERT_EQ(r.message.tool_calls.size(), 1u) << cut;
    EXPECT_EQ(r.message.tool_calls[0].arguments, kArgs) << cut;
    EXPECT_EQ(r.message.tool_calls[0].name, "edit");
    EXPECT_EQ(r.message.tool_calls[0].id, "call_1");
  }
}

TEST(OpenAiStream, WholeSseStreamSplitAtEveryByteOffsetGivesSameCalls) {
  // Two interleaved calls; the wire stream is cut at every byte offset.
  std::string wire;
  auto add = [&](const Json& j) { wire += "data: " + j.dump() + "\r\n\r\n"; };
  add(tool_delta(0, "call_a", "edit", kArgs.substr(0, 10)));
  add(tool_delta(1, "call_b", "read", "{\"pa"));
  add(tool_delta(0, "", "", kArgs.substr(10)));
  add(tool_delta(1, "", "", "th\":\"x\"}"));
  add({{"choices", {{{"index", 0}, {"delta", Json::object()}, {"finish_reason", "tool_calls"}}}}});
  add({{"choices", Json::array()}, {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}}}});
  wire += "data: [DONE]\r\n\r\n";
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    OpenAiStreamAccumulator acc;
    SseParser parser;
    std::string err;
    auto on_event = [&](const SseEvent& e) {
      if (e.data == "[DONE]") return;
      ASSERT_TRUE(acc.apply(Json::parse(e.data), &err));
    };
    parser.feed(std::string_view(wire).substr(0, cut), on_event);
    parser.feed(std::string_view(wire).substr(cut), on_event);
    parser.finish(on_event);
    ChatResponse r = acc.finish();
    ASSERT_EQ(r.message.tool_calls.size(), 2u) << cut;
    EXPECT_EQ(r.message.tool_calls[0].arguments, kArgs) << cut;
    EXPECT_EQ(r.message.tool_calls[1].arguments, "{\"path\":\"x\"}") << cut;
    EXPECT_EQ(r.finish_reason, "tool_calls");
    EXPECT_EQ(r.usage.input_tokens, 10);
  }
}

TEST(OpenAiStream, CallsAreOrderedByIndexNotArrival) {
  OpenAiStreamAccumulator acc;
  std::string err;
  ASSERT_TRUE(acc.apply(tool_delta(1, "second", "b", "{}"), &err));
  ASSERT_TRUE(acc.apply(tool_delta(0, "first", "a", "{}"), &err));
  auto r = acc.finish();
  ASSERT_EQ(r.message.tool_calls.size(), 2u);
  EXPECT_EQ(r.message.tool_calls[0].id, "first");
}

TEST(OpenAiStream, MissingIdsAndEmptyArgumentsAreFilledIn) {
  OpenAiStreamAccumulator acc;
  std::string err;
  ASSERT_TRUE(acc.apply(tool_delta(0, "", "todo", ""), &err));
  auto r = acc.finish();
  ASSERT_EQ(r.message.tool_calls.size(), 1u);
  EXPECT_FALSE(r.message.tool_calls[0].id.empty());
  EXPECT_EQ(r.message.tool_calls[0].arguments, "{}");
  EXPECT_EQ(r.finish_reason, "tool_calls");
}

TEST(OpenAiStream, CallsWithoutIndexFollowTheirIds) {
  OpenAiStreamAccumulator acc;
  std::string err;
  auto no_index = [](const std::string& id, const std::string& name, const std::string& args) {
    Json call = {{"function", {{"name", name}, {"arguments", args}}}};
    if (!id.empty()) call["id"] = id;
    return Json{{"choices", {{{"index", 0}, {"delta", {{"tool_calls", {call}}}}}}}};
  };
  ASSERT_TRUE(acc.apply(no_index("x", "read", "{\"path\":"), &err));
  ASSERT_TRUE(acc.apply(no_index("", "", "\"a\"}"), &err));
  ASSERT_TRUE(acc.apply(no_index("y", "read", "{\"path\":\"b\"}"), &err));
  auto r = acc.finish();
  ASSERT_EQ(r.message.tool_calls.size(), 2u);
  EXPECT_EQ(r.message.tool_calls[0].arguments, "{\"path\":\"a\"}");
  EXPECT_EQ(r.message.tool_calls[1].id, "y");
}

TEST(OpenAiStream, ArgumentsSentAsObjectAreSerialised) {
  OpenAiStreamAccumulator acc;
  std::string err;
  Json chunk = {{"choices", {{{"index", 0}, {"delta", {{"tool_calls", {{{"index", 0}, {"id", "i"},
      {"function", {{"name", "read"}, {"arguments", {{"path", "a"}}}}}}}}}}}}}};
  ASSERT_TRUE(acc.apply(chunk, &err));
  EXPECT_EQ(acc.finish().message.tool_calls[0].arguments, "{\"path\":\"a\"}");
}

TEST(OpenAiStream, ReasoningFieldVariantsStayOutOfTheAnswer) {
  OpenAiStreamAccumulator acc;
  std::string err;
  ASSERT_TRUE(acc.apply({{"choices", {{{"index", 0}, {"delta", {{"reasoning", "ollama thinks"}}}}}}}, &err));
  ASSERT_TRUE(acc.apply({{"choices", {{{"index", 0}, {"delta", {{"reasoning_content", " deepseek thinks"}}}}}}}, &err));
  ASSERT_TRUE(acc.apply({{"choices", {{{"index", 0}, {"delta", {{"content", "answer"}, {"reasoning_content", nullptr}}}}}}}, &err));
  auto r = acc.finish();
  EXPECT_EQ(r.message.content, "answer");
  EXPECT_EQ(r.message.reasoning, "ollama thinks deepseek thinks");
}

TEST(OpenAiStream, DeepSeekCacheHitTokensAreCounted) {
  OpenAiStreamAccumulator acc;
  std::string err;
  ASSERT_TRUE(acc.apply({{"choices", Json::array()},
                         {"usage", {{"prompt_tokens", 100}, {"completion_tokens", 5}, {"prompt_cache_hit_tokens", 64}}}},
                        &err));
  EXPECT_EQ(acc.finish().usage.cached_input_tokens, 64);
}

TEST(OpenAiStream, ErrorChunkIsReported) {
  OpenAiStreamAccumulator acc;
  std::string err;
  EXPECT_FALSE(acc.apply({{"error", {{"message", "boom"}}}}, &err));
  EXPECT_EQ(err, "boom");
}

}  // namespace
}  // namespace bastion::llm
