#include <unistd.h>

#include "tools/core_tools.h"
#include "tool_test_util.h"

namespace bastion::tools {
namespace {

using testing::ToolTest;

class ReadToolTest : public ToolTest {
 protected:
  std::unique_ptr<Tool> tool = make_read_tool();
};

TEST_F(ReadToolTest, NumbersLinesAndStripsCr) {
  put("a.txt", "one\r\ntwo\r\nthree");
  auto r = call(*tool, {{"path", "a.txt"}});
  EXPECT_FALSE(r.is_error) << r.output;
  EXPECT_EQ(r.output, "    1\tone\n    2\ttwo\n    3\tthree\n");
}

TEST_F(ReadToolTest, OffsetAndLimitWithContinuationHint) {
  std::string text;
  for (int i = 1; i <= 10; ++i) text += "L" + std::to_string(i) + "\n";
  put("a.txt", text);
  auto r = call(*tool, {{"path", "a.txt"}, {"offset", 3}, {"limit", 2}});
  EXPECT_EQ(r.output.substr(0, 18), "    3\tL3\n    4\tL4\n");
  EXPECT_NE(r.output.find("lines 3-4 of 10"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("offset=5"), std::string::npos);
  auto past = call(*tool, {{"path", "a.txt"}, {"offset", 11}});
  EXPECT_TRUE(past.is_error);
  EXPECT_NE(past.output.find("has 10 lines"), std::string::npos);
}

TEST_F(ReadToolTest, DefaultLimitIsFourHundredLines) {
  std::string text;
  for (int i = 1; i <= 1000; ++i) text += "x\n";
  put("big.txt", text);
  auto r = call(*tool, {{"path", "big.txt"}});
  EXPECT_NE(r.output.find("  400\tx\n"), std::string::npos);
  EXPECT_EQ(r.output.find("  401\t"), std::string::npos);
  EXPECT_NE(r.output.find("offset=401"), std::string::npos);
}

TEST_F(ReadToolTest, TruncatesLongLinesAndCapsTotal) {
  put("long.txt", std::string(2000, 'a') + "\nshort\n");
  auto r = call(*tool, {{"path", "long.txt"}});
  EXPECT_NE(r.output.find("line truncated, 2000 bytes"), std::string::npos);
  EXPECT_NE(r.output.find("    2\tshort"), std::string::npos);
  std::string many;
  for (int i = 0; i < 390; ++i) many += std::string(400, 'b') + "\n";
  put("wide.txt", many);
  auto w = call(*tool, {{"path", "wide.txt"}});
  EXPECT_LT(w.output.size(), 50 * 1024u);
  EXPECT_NE(w.output.find("output size cap"), std::string::npos);
}

TEST_F(ReadToolTest, RefusesBinaryDirectoriesAndMissingFiles) {
  put("bin", std::string("\x7f" "ELF\0\0\1", 7));
  EXPECT_TRUE(call(*tool, {{"path", "bin"}}).is_error);
  EXPECT_NE(call(*tool, {{"path", "bin"}}).output.find("binary"), std::string::npos);
  put("d/x", "1");
  auto d = call(*tool, {{"path", "d"}});
  EXPECT_TRUE(d.is_error);
  EXPECT_NE(d.output.find("glob"), std::string::npos);
  auto m = call(*tool, {{"path", "nope.txt"}});
  EXPECT_TRUE(m.is_error);
  EXPECT_NE(m.output.find("not found"), std::string::npos);
  EXPECT_TRUE(call(*tool, Json::object()).is_error);
}

TEST_F(ReadToolTest, InvalidUtf8IsReplacedNotPassedThrough) {
  put("latin1.txt", "caf\xe9\n");
  auto r = call(*tool, {{"path", "latin1.txt"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.output, "    1\tcaf\xEF\xBF\xBD\n");
}

TEST_F(ReadToolTest, SymlinkEscapingTheWorkspaceIsRefused) {
  ASSERT_TRUE(fs::write_file_atomic(base_ + "/secret.txt", "top secret\n").ok());
  ASSERT_EQ(symlink((base_ + "/secret.txt").c_str(), (ws_ + "/link.txt").c_str()), 0);
  auto r = call(*tool, {{"path", "link.txt"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.output.find("outside the workspace"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("top secret"), std::string::npos);
  EXPECT_TRUE(call(*tool, {{"path", "../secret.txt"}}).is_error);
  // The permission subject sees the real target.
  auto s = tool->subject({{"path", "link.txt"}}, ctx_);
  ASSERT_EQ(s.paths.size(), 1u);
  EXPECT_EQ(s.paths[0], base_ + "/secret.txt");
  // An --add-dir root makes it readable.
  ctx_.extra_roots.push_back(base_);
  EXPECT_FALSE(call(*tool, {{"path", "link.txt"}}).is_error);
}

TEST_F(ReadToolTest, EmptyFile) {
  put("e.txt", "");
  EXPECT_EQ(call(*tool, {{"path", "e.txt"}}).output, "(empty file)");
}

}  // namespace
}  // namespace bastion::tools
