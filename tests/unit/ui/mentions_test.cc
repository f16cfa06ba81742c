// expand_mentions: @path mentions attach workspace files the agent may read.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ui/mentions.h"

namespace bastion::ui {
namespace {

namespace stdfs = std::filesystem;

class Mentions : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = stdfs::temp_directory_path() / ("ui_mentions_" + std::to_string(::getpid()));
    stdfs::remove_all(root_);
    ws_ = (root_ / "ws").string();
    write("src/app.py", "print('hi')\n");
    write("notes.md", "no newline at end");
    write("secret/key.txt", "k\n");
    write("big.txt", std::string(2000, 'x'));
    write("bin.dat", std::string("a\0b", 3));
    stdfs::create_directories(root_ / "outside");
    std::ofstream(root_ / "outside" / "o.txt") << "outside\n";
  }
  void TearDown() override { stdfs::remove_all(root_); }
  void write(const std::string& rel, const std::string& s) {
    stdfs::path p = stdfs::path(ws_) / rel;
    stdfs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << s;
  }
  stdfs::path root_;
  std::string ws_;
  policy::PermissionEngine perms_;
};

TEST_F(Mentions, AttachesMentionedFilesOnceAfterThePrompt) {
  auto m = expand_mentions("fix @src/app.py, then @notes.md and @src/app.py again", ws_, perms_);
  EXPECT_EQ(m.attached, (std::vector<std::string>{"src/app.py", "notes.md"}));
  EXPECT_TRUE(m.skipped.empty());
  EXPECT_EQ(m.prompt,
            "fix @src/app.py, then @notes.md and @src/app.py again"
            "\n\n<file path=\"src/app.py\">\nprint('hi')\n</file>"
            "\n\n<file path=\"notes.md\">\nno newline at end\n</file>");
}

TEST_F(Mentions, LeavesNonPathsAloneAndReportsWhatItWillNotAttach) {
  auto m = expand_mentions("mail a@b.c or @nobody; @src @big.txt @bin.dat @../outside/o.txt @secret/key.txt",
                           ws_, perms_, 1000);
  EXPECT_EQ(m.attached, std::vector<std::string>{"secret/key.txt"});
  ASSERT_GE(m.skipped.size(), 4u);
  EXPECT_NE(m.skipped[0].find("src: not a file"), std::string::npos);
  EXPECT_NE(m.skipped[1].find("big.txt: larger than"), std::string::npos);
  EXPECT_NE(m.skipped[2].find("bin.dat: binary file"), std::string::npos);
  EXPECT_NE(m.skipped[3].find("outside the workspace"), std::string::npos);
}

TEST_F(Mentions, DenyRulesKeepFilesOut) {
  ASSERT_TRUE(perms_.add_rule(policy::RuleLayer::kProject, policy::Decision::kDeny, "Read(secret/**)").ok());
  auto m = expand_mentions("look at @secret/key.txt", ws_, perms_);
  EXPECT_TRUE(m.attached.empty());
  ASSERT_EQ(m.skipped.size(), 1u);
  EXPECT_NE(m.skipped[0].find("denied"), std::string::npos) << m.skipped[0];
  EXPECT_EQ(m.prompt, "look at @secret/key.txt");
}

}  // namespace
}  // namespace bastion::ui
