#include "llm/text_tool_calls.h"

#include <gtest/gtest.h>

namespace bastion::llm {
namespace {

std::vector<ToolSpec> tools() {
  return {
      {"edit", "", Json::parse(R"({"type":"object","properties":{
          "path":{"type":"string"},"old_string":{"type":"string"},"new_string":{"type":"string"},
          "replace_all":{"type":"boolean"}}})")},
      {"read", "", Json::parse(R"({"type":"object","properties":{
          "path":{"type":"string"},"offset":{"type":"integer"},"limit":{"type":["integer","null"]}}})")},
      {"todo", "", Json::parse(R"({"type":"object","properties":{"items":{"type":"array"}}})")},
  };
}

TEST(TextToolCalls, Qwen3CoderXmlWithTypedParameters) {
  std::string text =
      "I'll read it.\n<tool_call>\n<function=read>\n<parameter=path>\nsrc/a.py\n</parameter>\n"
      "<parameter=offset>\n10\n</parameter>\n<parameter=limit>\n20\n</parameter>\n</function>\n</tool_call>";
  auto ex = extract_text_tool_calls(text, tools());
  ASSERT_EQ(ex.calls.size(), 1u);
  EXPECT_EQ(ex.calls[0].name, "read");
  Json args = Json::parse(ex.calls[0].arguments);
  EXPECT_EQ(args["path"], "src/a.py");
  EXPECT_EQ(args["offset"], 10);
  EXPECT_EQ(args["limit"], 20);
  EXPECT_EQ(ex.content, "I'll read it.");
  EXPECT_FALSE(ex.calls[0].id.empty());
}

TEST(TextToolCalls, XmlMultiLineCodeWithQuotesAndTagsIsKeptVerbatim) {
  std::string code = "def f():\n    s = \"a 'b' \\\"c\\\"\"\n    return '<parameter=x>'\n";
  std::string text = "<tool_call>\n<function=edit>\n<parameter=path>\na.py\n</parameter>\n"
                     "<parameter=old_string>\n" + code + "\n</parameter>\n"
                     "<parameter=new_string>\nx = '</parameter>' # tricky\n</parameter>\n"
                     "<parameter=replace_all>\ntrue\n</parameter>\n</function>\n</tool_call>";
  auto ex = extract_text_tool_calls(text, tools());
  ASSERT_EQ(ex.calls.size(), 1u);
  Json args = Json::parse(ex.calls[0].arguments);
  EXPECT_EQ(args["old_string"], code);
  EXPECT_EQ(args["new_string"], "x = '</parameter>' # tricky");
  EXPECT_EQ(args["replace_all"], true);
}

TEST(TextToolCalls, XmlParameterHoldingJsonBecomesJson) {
  std::string text = "<tool_call><function=todo><parameter=items>\n[{\"text\":\"a \\\"q\\\"\",\"done\":false}]\n"
                     "</parameter></function></tool_call>";
  auto ex = extract_text_tool_calls(text, tools());
  ASSERT_EQ(ex.calls.size(), 1u);
  Json args = Json::parse(ex.calls[0].arguments);
  ASSERT_TRUE(args["items"].is_array());
  EXPECT_EQ(args["items"][0]["text"], "a \"q\"");
}

TEST(TextToolCalls, StringTypedValueThatLooksLikeJsonStaysAString) {
  std::string text = "<tool_call><function=edit><parameter=new_string>\n{\"a\": 1}\n</parameter>"
                     "</function></tool_call>";
  auto ex = extract_text_tool_calls(text, tools());
  ASSERT_EQ(ex.calls.size(), 1u);
  EXPECT_EQ(Json::parse(ex.calls[0].arguments)["new_string"], "{\"a\": 1}");
}

TEST(TextToolCalls, SeveralCallsAndMissingCloseTags) {
  std::string text = "<tool_call>\n<function=read>\n<parameter=path>\na\n</parameter>\n</function>\n</tool_call>\n"
                     "<tool_call>\n<function=read>\n<parameter=path>\nb\n</function>";  // cut off
  auto ex = extract_text_tool_calls(text, tools());
  ASSERT_EQ(ex.calls.size(), 2u);
  EXPECT_EQ(Json::parse(ex.calls[0].arguments)["path"], "a");
  EXPECT_EQ(Json::parse(ex.calls[1].arguments)["path"], "b");
  EXPECT_NE(ex.calls[0].id, ex.calls[1].id);
}

TEST(TextToolCalls, HermesJson) {
  std::string text = "Sure.\n<tool_call>\n{\"name\": \"read\", \"arguments\": {\"path\": \"x \\\"y\\\".py\"}}\n</tool_call>"
                     "<tool_call>{\"name\":\"todo\",\"arguments\":\"{\\\"items\\\":[]}\"}</tool_call>";
  auto ex = extract_text_tool_calls(text, tools());
  ASSERT_EQ(ex.calls.size(), 2u);
  EXPECT_EQ(ex.calls[0].name, "read");
  EXPECT_EQ(Json::parse(ex.calls[0].arguments)["path"], "x \"y\".py");
  EXPECT_EQ(ex.calls[1].name, "todo");
  EXPECT_TRUE(Json::parse(ex.calls[1].arguments)["items"].is_array());
  EXPECT_EQ(ex.content, "Sure.");
}

TEST(TextToolCalls, PlainTextIsLeftAlone) {
  auto ex = extract_text_tool_calls("Use <b>bold</b> and a tool_call word.", tools());
  EXPECT_TRUE(ex.calls.empty());
  EXPECT_EQ(ex.content, "Use <b>bold</b> and a tool_call word.");
}

TEST(TextToolCalls, MalformedHermesBlockStaysInText) {
  auto ex = extract_text_tool_calls("<tool_call>{not json</tool_call>", tools());
  EXPECT_TRUE(ex.calls.empty());
  EXPECT_EQ(ex.content, "<tool_call>{not json</tool_call>");
}

TEST(Think, ClosedBlockMovesToReasoning) {
  std::string answer, reasoning;
  split_think("<think>\nweigh options\n</think>\n\nThe answer.", &answer, &reasoning);
  EXPECT_EQ(answer, "The answer.");
  EXPECT_EQ(reasoning, "weigh options");
}

TEST(Think, UnclosedBlockIsAllReasoning) {
  std::string answer, reasoning;
  split_think("<think>I keep thinking and never", &answer, &reasoning);
  EXPECT_EQ(answer, "");
  EXPECT_EQ(reasoning, "I keep thinking and never");
}

TEST(Think, OnlyClosingTagMeansTemplateOpenedIt) {
  std::string answer, reasoning;
  split_think("hidden thoughts</think>visible", &answer, &reasoning);
  EXPECT_EQ(answer, "visible");
  EXPECT_EQ(reasoning, "hidden thoughts");
}

TEST(Think, ThinkThenXmlToolCall) {
  std::vector<ToolSpec> t = tools();
  Message m;
  m.role = Role::kAssistant;
  m.content = "<think>need file</think>\n<tool_call>\n<function=read>\n<parameter=path>\na\n</parameter>\n</function>\n</tool_call>";
  EXPECT_TRUE(apply_text_tool_calls(&m, t));
  EXPECT_EQ(m.reasoning, "need file");
  EXPECT_EQ(m.content, "");
  ASSERT_EQ(m.tool_calls.size(), 1u);
}

TEST(Think, StreamSplitterRoutesAtEveryCut) {
  std::string text = "  <think>deep thought</think>\n\nanswer <think> literal";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    std::string ans, rea;
    ThinkStreamSplitter sp([&](const std::string& s) { ans += s; }, [&](const std::string& s) { rea += s; });
    sp.feed(text.substr(0, cut));
    sp.feed(text.substr(cut));
    sp.finish();
    EXPECT_EQ(rea, "deep thought") << cut;
    EXPECT_EQ(ans, "answer <think> literal") << cut;
  }
}

TEST(Think, StreamSplitterPassesPlainTextThrough) {
  std::string ans, rea;
  ThinkStreamSplitter sp([&](const std::string& s) { ans += s; }, [&](const std::string& s) { rea += s; });
  sp.feed("<th");
  sp.feed("is is not a think tag");
  sp.finish();
  EXPECT_EQ(ans, "<this is not a think tag");
  EXPECT_EQ(rea, "");
}

TEST(ConvertParameter, ByType) {
  EXPECT_EQ(convert_parameter("42", "integer"), 42);
  EXPECT_EQ(convert_parameter("4.5", "number"), 4.5);
  EXPECT_EQ(convert_parameter("False", "boolean"), false);
  EXPECT_EQ(convert_parameter("abc", "integer"), "abc");
  EXPECT_EQ(convert_parameter("{\"a\":[1]}", "object")["a"][0], 1);
  EXPECT_EQ(convert_parameter("007", "string"), "007");
  EXPECT_EQ(convert_parameter("true", ""), true);
  EXPECT_EQ(convert_parameter("hello", ""), "hello");
}

}  // namespace
}  // namespace bastion::llm
