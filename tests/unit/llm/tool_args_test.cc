#include "llm/tool_args.h"

#include <gtest/gtest.h>

namespace bastion::llm {
namespace {

TEST(ToolArgs, RecoversRealWorldShapes) {
  EXPECT_EQ(*parse_tool_arguments(""), Json::object());
  EXPECT_EQ(*parse_tool_arguments("  "), Json::object());
  EXPECT_EQ((*parse_tool_arguments(R"({"a":1})"))["a"], 1);
  EXPECT_EQ((*parse_tool_arguments("```json\n{\"a\":2}\n```"))["a"], 2);
  EXPECT_EQ((*parse_tool_arguments(R"("{\"a\":3}")"))["a"], 3);
  EXPECT_EQ((*parse_tool_arguments(R"({"a":"}"}})"))["a"], "}");
  EXPECT_EQ((*parse_tool_arguments("{\"a\":4}\n</tool_call>"))["a"], 4);
}

TEST(ToolArgs, RejectsWithMessagesForTheModel) {
  auto r = parse_tool_arguments("{\"a\":");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(r.error().message.find("not valid JSON"), std::string::npos);
  auto arr = parse_tool_arguments("[1,2]");
  ASSERT_FALSE(arr.ok());
  EXPECT_NE(arr.error().message.find("must be a JSON object"), std::string::npos);
}

TEST(ToolArgs, BalancedPrefixRespectsStrings) {
  EXPECT_EQ(balanced_json_prefix(R"({"a":"{{"}x)"), 10u);
  EXPECT_EQ(balanced_json_prefix(R"({"a":"\"}"})"), 11u);
  EXPECT_EQ(balanced_json_prefix("{"), 0u);
  EXPECT_EQ(balanced_json_prefix("x"), 0u);
}

}  // namespace
}  // namespace bastion::llm
