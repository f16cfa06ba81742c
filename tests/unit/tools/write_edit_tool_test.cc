#include "policy/redactor.h"
#include "tools/core_tools.h"
#include "tool_test_util.h"

namespace bastion::tools {
namespace {

using testing::ToolTest;

class WriteEditTest : public ToolTest {
 protected:
  std::unique_ptr<Tool> write = make_write_tool();
  std::unique_ptr<Tool> edit = make_edit_tool();
};

TEST_F(WriteEditTest, WriteCreatesDirsReportsDiffAndNotifies) {
  std::vector<std::string> changed;
  ctx_.on_file_changed = [&](const std::string& p) { changed.push_back(p); };
  auto r = call(*write, {{"path", "a/b/c.txt"}, {"content", "one\ntwo\n"}});
  ASSERT_FALSE(r.is_error) << r.output;
  EXPECT_EQ(get("a/b/c.txt"), "one\ntwo\n");
  EXPECT_EQ(r.output, "Created a/b/c.txt (2 lines)");
  EXPECT_EQ(changed, std::vector<std::string>{ws_ + "/a/b/c.txt"});
  auto u = call(*write, {{"path", "a/b/c.txt"}, {"content", "one\nTWO\n"}});
  EXPECT_EQ(u.output, "Updated a/b/c.txt (+1 -1 lines)");
  EXPECT_EQ(u.meta["diff"].get<std::string>(),
            "--- a/a/b/c.txt\n+++ b/a/b/c.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n");
}

TEST_F(WriteEditTest, WriteOutsideWorkspaceIsRefused) {
  auto r = call(*write, {{"path", "../escape.txt"}, {"content", "x"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_FALSE(fs::exists(base_ + "/escape.txt"));
  EXPECT_TRUE(call(*write, {{"path", "x"}}).is_error);  // missing content
}

TEST_F(WriteEditTest, RedactionPlaceholdersAreRestoredBeforeWriting) {
  policy::Redactor redactor;
  const std::string secret = "AKIAQ7RZ3KX5M2PLW9TB";
  std::string shown = redactor.redact("key = " + secret + "\n", "config.py");
  ASSERT_EQ(shown.find(secret), std::string::npos) << "redactor did not redact: " << shown;
  ctx_.redactor = &redactor;
  ASSERT_FALSE(call(*write, {{"path", "config.py"}, {"content", shown}}).is_error);
  EXPECT_EQ(get("config.py"), "key = " + secret + "\n");
  // edit: the placeholder in old_string must match the real secret on disk.
  auto r = call(*edit, {{"path", "config.py"}, {"old_string", shown.substr(0, shown.size() - 1)},
                        {"new_string", "key = None"}});
  ASSERT_FALSE(r.is_error) << r.output;
  EXPECT_EQ(get("config.py"), "key = None\n");
}

TEST_F(WriteEditTest, EditReplacesUniqueStringAndShowsContext) {
  put("m.py", "def f():\n    return 1\n\ndef g():\n    return 2\n");
  auto r = call(*edit, {{"path", "m.py"}, {"old_string", "return 2"}, {"new_string", "return 3"}});
  ASSERT_FALSE(r.is_error) << r.output;
  EXPECT_EQ(get("m.py"), "def f():\n    return 1\n\ndef g():\n    return 3\n");
  EXPECT_NE(r.output.find("    5\t    return 3"), std::string::npos) << r.output;
  EXPECT_NE(r.meta["diff"].get<std::string>().find("+    return 3\n"), std::string::npos);
}

TEST_F(WriteEditTest, EditNotUniqueNamesLinesAndReplaceAllWorks) {
  put("x.c", "a();\nb();\na();\nc();\na();\n");
  auto r = call(*edit, {{"path", "x.c"}, {"old_string", "a();"}, {"new_string", "z();"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.output.find("occurs 3 times"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("lines 1, 3, 5"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("replace_all"), std::string::npos);
  EXPECT_EQ(get("x.c"), "a();\nb();\na();\nc();\na();\n");
  auto all = call(*edit, {{"path", "x.c"}, {"old_string", "a();"}, {"new_string", "z();"},
                          {"replace_all", true}});
  ASSERT_FALSE(all.is_error);
  EXPECT_EQ(get("x.c"), "z();\nb();\nz();\nc();\nz();\n");
  EXPECT_EQ(all.meta["replacements"], 3);
}

TEST_F(WriteEditTest, EditMissingNamesWhitespaceInsensitiveMatch) {
  put("w.py", "x = 1\nif x:\n    print( 'hi' )\n    y = 2\n");
  auto r = call(*edit, {{"path", "w.py"}, {"old_string", "if x:\n  print('hi')"},
                        {"new_string", "pass"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.output.find("lines 2-3 if whitespace is ignored"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("    3\t    print( 'hi' )"), std::string::npos) << r.output;
}

TEST_F(WriteEditTest, EditMissingNamesClosestFuzzyMatch) {
  put("f.cc", "int alpha() { return 1; }\nint beta_function(int value) { return value * 2; }\n"
              "int gamma() { return 3; }\n");
  auto r = call(*edit, {{"path", "f.cc"}, {"old_string", "int beta_function(int val) { return val * 2; }"},
                        {"new_string", "x"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.output.find("Closest match"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("at line 2"), std::string::npos) << r.output;
  auto none = call(*edit, {{"path", "f.cc"}, {"old_string", "zzzzqqqq wwww"}, {"new_string", "x"}});
  EXPECT_TRUE(none.is_error);
  EXPECT_NE(none.output.find("No similar text"), std::string::npos) << none.output;
}

TEST_F(WriteEditTest, EditPreservesCrlf) {
  put("w.txt", "a\r\nb\r\nc\r\n");
  auto r = call(*edit, {{"path", "w.txt"}, {"old_string", "a\nb\n"}, {"new_string", "A\nB\nB2\n"}});
  ASSERT_FALSE(r.is_error) << r.output;
  EXPECT_EQ(get("w.txt"), "A\r\nB\r\nB2\r\nc\r\n");
}

TEST_F(WriteEditTest, EditErrors) {
  EXPECT_NE(call(*edit, {{"path", "nope"}, {"old_string", "a"}, {"new_string", "b"}}).output.find("not found"),
            std::string::npos);
  put("s.txt", "same");
  EXPECT_TRUE(call(*edit, {{"path", "s.txt"}, {"old_string", "same"}, {"new_string", "same"}}).is_error);
  EXPECT_TRUE(call(*edit, {{"path", "s.txt"}, {"old_string", ""}, {"new_string", "x"}}).is_error);
  // Empty old_string on a missing file creates it.
  EXPECT_FALSE(call(*edit, {{"path", "new.txt"}, {"old_string", ""}, {"new_string", "hi\n"}}).is_error);
  EXPECT_EQ(get("new.txt"), "hi\n");
}

TEST_F(WriteEditTest, EditHandlesNonUtf8Content) {
  put("l1.txt", "caf\xe9 ol\xe9\n");
  auto r = call(*edit, {{"path", "l1.txt"}, {"old_string", "ol\xe9"}, {"new_string", "ole"}});
  ASSERT_FALSE(r.is_error) << r.output;
  EXPECT_EQ(get("l1.txt"), "caf\xe9 ole\n");
}

}  // namespace
}  // namespace bastion::tools
