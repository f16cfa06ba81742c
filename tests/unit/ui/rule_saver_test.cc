// save_allow_rule: appends to permissions.allow, keeps other keys, no
// duplicates, refuses to touch a malformed file.
#include <gtest/gtest.h>

#include <filesystem>

#include "ui/rule_saver.h"
#include "util/fs.h"
#include "util/json.h"

namespace bastion::ui {
namespace {

TEST(RuleSaver, AppendsOnceAndKeepsOtherKeys) {
  std::string dir = std::filesystem::temp_directory_path() / ("ui_rules_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string path = dir + "/cfg/settings.json";
  ASSERT_TRUE(save_allow_rule(path, "Bash(npm test)").ok());
  ASSERT_TRUE(fs::write_file_atomic(path, R"J({"model":"x","permissions":{"allow":["Bash(npm test)"],"deny":["Read(.env)"]}})J").ok());
  ASSERT_TRUE(save_allow_rule(path, "Edit").ok());
  ASSERT_TRUE(save_allow_rule(path, "Edit").ok());
  Json j = Json::parse(*fs::read_file(path));
  EXPECT_EQ(j["model"], "x");
  EXPECT_EQ(j["permissions"]["deny"][0], "Read(.env)");
  ASSERT_EQ(j["permissions"]["allow"].size(), 2u);
  EXPECT_EQ(j["permissions"]["allow"][1], "Edit");
  ASSERT_TRUE(fs::write_file_atomic(path, "{not json").ok());
  auto st = save_allow_rule(path, "Read");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(*fs::read_file(path), "{not json");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bastion::ui
