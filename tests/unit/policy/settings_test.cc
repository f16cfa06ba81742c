// Settings layers (src/policy/settings.cc): managed > CLI > project > user,
// deny wins, the org switch that disables bypass, repositories that try to
// loosen things, malformed files and unknown keys.
#include "policy/settings.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "util/fs.h"
#include "util/strings.h"

namespace bastion::policy {
namespace {

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion_settings_XXXXXX";
    root_ = fs::resolve_real(mkdtemp(tmpl), "/");
    ws_ = root_ + "/ws";
    ASSERT_TRUE(fs::make_dirs(ws_ + "/src").ok());
    for (const char* v : {"HOME", "XDG_CONFIG_HOME", "BASTION_MANAGED_SETTINGS"})
      saved_.emplace_back(v, getenv(v) ? getenv(v) : "");
    setenv("HOME", (root_ + "/home").c_str(), 1);
    setenv("XDG_CONFIG_HOME", (root_ + "/home/.config").c_str(), 1);
    setenv("BASTION_MANAGED_SETTINGS", (root_ + "/etc/managed-settings.json").c_str(), 1);
  }
  void TearDown() override {
    for (auto& [k, v] : saved_) setenv(k.c_str(), v.c_str(), 1);
    std::string cmd = "rm -rf '" + root_ + "'";
    (void)system(cmd.c_str());
  }
  void user(const std::string& json) { ASSERT_TRUE(fs::write_file_atomic(user_settings_path(), json).ok()); }
  void project(const std::string& json, const std::string& rel = "/.bastion/settings.json") {
    ASSERT_TRUE(fs::write_file_atomic(ws_ + rel, json).ok());
  }
  void managed(const std::string& json) { ASSERT_TRUE(fs::write_file_atomic(managed_settings_path(), json).ok()); }

  PermissionQuery bash(const std::string& cmd) const {
    PermissionQuery q;
    q.rule_name = "Bash";
    q.is_execute = true;
    q.command = cmd;
    q.workspace = ws_;
    return q;
  }
  PermissionQuery edit(const std::string& rel) const {
    PermissionQuery q;
    q.rule_name = "Edit";
    q.is_edit = true;
    q.paths = {ws_ + "/" + rel};
    q.workspace = ws_;
    return q;
  }
  static bool any_note(const PermissionSettings& s, const std::string& needle) {
    for (auto& n : s.notes)
      if (n.find(needle) != std::string::npos) return true;
    return false;
  }

  std::string root_, ws_;
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(SettingsTest, NoFilesMeansNoRulesAndNoMode) {
  PermissionEngine e;
  auto s = load_permission_settings(&e, ws_, true);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(e.rules().empty());
  EXPECT_FALSE(s->default_mode.has_value());
  EXPECT_TRUE(s->loaded_files.empty());
  EXPECT_EQ(e.check(bash("make")).decision, Decision::kAsk);
}

TEST_F(SettingsTest, LayersAreTaggedAndHigherModeWins) {
  user(R"J({"permissions": {"allow": ["Bash(make:*)"], "defaultMode": "acceptEdits"}})J");
  project(R"J({"permissions": {"ask": ["Bash(make install:*)"]}})J");
  managed(R"J({"permissions": {"deny": ["Bash(curl:*)"], "defaultMode": "default"}})J");
  PermissionEngine e;
  auto s = load_permission_settings(&e, ws_, true);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(e.rules().size(), 3u);
  EXPECT_EQ(e.rules()[0].layer, RuleLayer::kUser);
  EXPECT_EQ(e.rules()[1].layer, RuleLayer::kProject);
  EXPECT_EQ(e.rules()[2].layer, RuleLayer::kManaged);
  EXPECT_EQ(s->loaded_files.size(), 3u);
  EXPECT_EQ(s->default_mode, PermissionMode::kDefault) << "managed defaultMode must beat the user's";
  EXPECT_EQ(s->managed_mode, PermissionMode::kDefault);
  EXPECT_EQ(e.check(bash("make -j2")).decision, Decision::kAllow);
  EXPECT_EQ(e.check(bash("make install")).decision, Decision::kAsk) << "project ask beats user allow";
  EXPECT_EQ(e.check(bash("curl http://x")).decision, Decision::kDeny);
}

TEST_F(SettingsTest, DenyWinsOverAllowFromAHigherLayer) {
  user(R"J({"permissions": {"deny": ["Bash(rm:*)", "Edit(secrets/**)"]}})J");
  managed(R"J({"permissions": {"allow": ["Bash(rm:*)", "Edit"]}})J");
  PermissionEngine e;
  ASSERT_TRUE(load_permission_settings(&e, ws_, true).ok());
  ASSERT_TRUE(e.add_rule(RuleLayer::kCli, Decision::kAllow, "Bash(rm -rf build)").ok());
  EXPECT_EQ(e.check(bash("rm -rf build")).decision, Decision::kDeny);
  EXPECT_EQ(e.check(bash("echo ok && rm x")).decision, Decision::kDeny) << "deny on any part denies the whole";
  EXPECT_EQ(e.check(edit("secrets/k.txt")).decision, Decision::kDeny);
  EXPECT_EQ(e.check(edit("src/a.c")).decision, Decision::kAllow) << "managed allow applies where nothing denies";
  e.set_mode(PermissionMode::kBypass);
  EXPECT_EQ(e.check(bash("rm -rf build")).decision, Decision::kDeny) << "deny holds even in bypass mode";
}

TEST_F(SettingsTest, ManagedAskAndAllowBeatLowerLayers) {
  user(R"J({"permissions": {"allow": ["Bash(git push:*)"], "ask": ["Bash(npm test)"]}})J");
  managed(R"J({"permissions": {"ask": ["Bash(git push:*)"], "allow": ["Bash(npm test)"]}})J");
  PermissionEngine e;
  ASSERT_TRUE(load_permission_settings(&e, ws_, true).ok());
  ASSERT_TRUE(e.add_rule(RuleLayer::kCli, Decision::kAllow, "Bash(git push:*)").ok());
  EXPECT_EQ(e.check(bash("git push origin main")).decision, Decision::kAsk)
      << "neither the user nor the command line can pre-approve what the org says to ask";
  EXPECT_EQ(e.check(bash("npm test")).decision, Decision::kAllow) << "a managed allow cannot be turned into ask";
}

TEST_F(SettingsTest, CliRulesSitBetweenProjectAndManaged) {
  project(R"J({"permissions": {"allow": ["Bash(make:*)"]}})J");
  managed(R"J({"permissions": {"deny": ["Bash(make deploy:*)"]}})J");
  PermissionEngine e;
  ASSERT_TRUE(load_permission_settings(&e, ws_, true).ok());
  ASSERT_TRUE(e.add_rule(RuleLayer::kCli, Decision::kDeny, "Bash(make clean)").ok());
  ASSERT_TRUE(e.add_rule(RuleLayer::kCli, Decision::kAllow, "Bash(make deploy:*)").ok());
  EXPECT_EQ(e.check(bash("make all")).decision, Decision::kAllow);
  EXPECT_EQ(e.check(bash("make clean")).decision, Decision::kDeny) << "a CLI deny beats the project allow";
  EXPECT_EQ(e.check(bash("make deploy prod")).decision, Decision::kDeny) << "the CLI cannot lift a managed deny";
}

TEST_F(SettingsTest, FlagBeatsSettingsButNotManagedMode) {
  PermissionSettings s;
  s.default_mode = PermissionMode::kAcceptEdits;
  s.mode_source = "user settings";
  EXPECT_EQ(*effective_permission_mode("", s, "plan"), PermissionMode::kAcceptEdits);
  EXPECT_EQ(*effective_permission_mode("plan", s, ""), PermissionMode::kPlan);
  EXPECT_EQ(*effective_permission_mode("", PermissionSettings{}, "plan"), PermissionMode::kPlan);
  EXPECT_EQ(*effective_permission_mode("", PermissionSettings{}, ""), PermissionMode::kDefault);
  s.managed_mode = PermissionMode::kDefault;
  EXPECT_EQ(*effective_permission_mode("acceptEdits", s, ""), PermissionMode::kDefault);
  auto bad = effective_permission_mode("sometimes", PermissionSettings{}, "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("sometimes"), std::string::npos);
  auto bad_cfg = effective_permission_mode("", PermissionSettings{}, "nope");
  ASSERT_FALSE(bad_cfg.ok());
  EXPECT_NE(bad_cfg.error().message.find("config"), std::string::npos);
}

TEST_F(SettingsTest, ManagedBypassDisabledRefusesEveryRouteToBypass) {
  user(R"J({"permissions": {"defaultMode": "bypassPermissions"}})J");
  managed(R"J({"permissions": {"disableBypassPermissionsMode": "disable"}})J");
  PermissionEngine e;
  auto s = load_permission_settings(&e, ws_, true);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->bypass_disabled);
  EXPECT_EQ(s->default_mode, PermissionMode::kDefault) << "the user's bypass default is dropped";
  EXPECT_TRUE(any_note(*s, "disabled bypass")) << str::join(s->notes, "\n");
  auto flag = effective_permission_mode("bypassPermissions", *s, "");
  ASSERT_FALSE(flag.ok());
  EXPECT_EQ(flag.error().kind, ErrorKind::kPermission);
  EXPECT_NE(flag.error().message.find("disabled by your organization"), std::string::npos);
  PermissionSettings only_managed;
  only_managed.bypass_disabled = true;
  EXPECT_FALSE(effective_permission_mode("", only_managed, "yolo").ok()) << "config.toml cannot bypass either";
  EXPECT_EQ(*effective_permission_mode("acceptEdits", *s, ""), PermissionMode::kAcceptEdits);
}

TEST_F(SettingsTest, BypassDisabledOnlyCountsFromManagedSettings) {
  user(R"J({"permissions": {"disableBypassPermissionsMode": "disable"}})J");
  project(R"J({"permissions": {"disableBypassPermissionsMode": "disable"}})J");
  PermissionEngine e;
  auto s = load_permission_settings(&e, ws_, true);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->bypass_disabled);
}

TEST_F(SettingsTest, TrustedProjectCannotSetBypassOrAnyModeOrWidenTheSandbox) {
  project(R"J({"permissions": {"defaultMode": "bypassPermissions", "additionalDirectories": ["/", "~"],
              "allow": ["Bash(make:*)"]}})J");
  project(R"J({"permissions": {"defaultMode": "acceptEdits"}})J", "/.claude/settings.local.json");
  PermissionEngine e;
  auto s = load_permission_settings(&e, ws_, true);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_FALSE(s->default_mode.has_value()) << "a repository chose the permission mode";
  EXPECT_TRUE(s->additional_dirs.empty()) << "a repository widened the sandbox";
  EXPECT_TRUE(any_note(*s, "permissions.defaultMode")) << str::join(s->notes, "\n");
  EXPECT_TRUE(any_note(*s, "permissions.additionalDirectories")) << str::join(s->notes, "\n");
  EXPECT_EQ(e.check(bash("make")).decision, Decision::kAllow) << "a trusted repo's allow rules do apply";
}

TEST_F(SettingsTest, UntrustedProjectKeepsOnlyDenyAndAsk) {
  project(R"J({"permissions": {"allow": ["Bash", "Edit"], "deny": ["Bash(rm:*)"], "ask": ["Edit(src/**)"],
              "defaultMode": "bypassPermissions"}})J");
  project(R"J({"permissions": {"deny": ["Bash(curl:*)"]}})J", "/.claude/settings.json");
  PermissionEngine e;
  auto s = load_permission_settings(&e, ws_, false);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_FALSE(s->default_mode.has_value());
  EXPECT_EQ(e.rules().size(), 3u);
  for (auto& r : e.rules()) EXPECT_NE(r.decision, Decision::kAllow) << r.text;
  EXPECT_EQ(e.check(bash("rm -rf x")).decision, Decision::kDeny);
  EXPECT_EQ(e.check(bash("curl x")).decision, Decision::kDeny);
  EXPECT_EQ(e.check(bash("make")).decision, Decision::kAsk);
  EXPECT_TRUE(any_note(*s, "not trusted")) << str::join(s->notes, "\n");
}

TEST_F(SettingsTest, MalformedJsonIsAClearErrorNamingTheFile) {
  user(R"J({"permissions": {"allow": ["Bash(make:*)",]})J");
  PermissionEngine e;
  auto s = load_permission_settings(&e, ws_, true);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kConfig);
  EXPECT_NE(s.error().message.find(user_settings_path()), std::string::npos) << s.error().message;
}

TEST_F(SettingsTest, WrongTypesAreClearErrors) {
  struct Case {
    const char* json;
    const char* needle;
  };
  for (Case c : {Case{R"J([1, 2])J", "must be a JSON object"},
                 Case{R"J({"permissions": []})J", "\"permissions\" must be an object"},
                 Case{R"J({"permissions": {"deny": "Bash(rm:*)"}})J", "permissions.deny\" must be an array"},
                 Case{R"J({"permissions": {"allow": [42]}})J", "must be strings"},
                 Case{R"J({"permissions": {"allow": ["Bash(make"]}})J", "closing ')'"},
                 Case{R"J({"permissions": {"defaultMode": "sometimes"}})J", "unknown permission mode"},
                 Case{R"J({"permissions": {"defaultMode": true}})J", "defaultMode\" must be a string"},
                 Case{R"J({"permissions": {"additionalDirectories": "/x"}})J", "must be an array of paths"}}) {
    managed(c.json);
    PermissionEngine e;
    auto s = load_permission_settings(&e, ws_, true);
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_EQ(s.error().kind, ErrorKind::kConfig) << c.json;
    EXPECT_NE(s.error().message.find(c.needle), std::string::npos) << c.json << " -> " << s.error().message;
    EXPECT_NE(s.error().message.find(managed_settings_path()), std::string::npos) << s.error().message;
  }
}

TEST_F(SettingsTest, MalformedProjectFileIsAnErrorEvenWhenUntrusted) {
  project("{not json");
  PermissionEngine e;
  auto s = load_permission_settings(&e, ws_, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(".bastion/settings.json"), std::string::npos) << s.error().message;
}

TEST_F(SettingsTest, UnknownKeysAreIgnoredButTyposInPermissionsAreReported) {
  user(R"J({"model": "x", "statusLine": {"type": "command"}, "permissions": {"Deny": ["Bash(rm:*)"],
          "allow": ["Read"]}})J");
  PermissionEngine e;
  auto s = load_permission_settings(&e, ws_, true);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(e.rules().size(), 1u);
  EXPECT_TRUE(any_note(*s, "permissions.Deny")) << str::join(s->notes, "\n");
  EXPECT_FALSE(any_note(*s, "statusLine")) << "top-level keys belong to other parts of Bastion";
}

TEST_F(SettingsTest, AdditionalDirectoriesResolveHomeAndRelativePaths) {
  ASSERT_TRUE(fs::make_dirs(root_ + "/home/extra").ok());
  ASSERT_TRUE(fs::make_dirs(root_ + "/home/.config/bastion/rel").ok());
  user(R"J({"permissions": {"additionalDirectories": ["~/extra", "rel"]}})J");
  PermissionEngine e;
  auto s = load_permission_settings(&e, ws_, true);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->additional_dirs.size(), 2u);
  EXPECT_EQ(s->additional_dirs[0], root_ + "/home/extra");
  EXPECT_EQ(s->additional_dirs[1], root_ + "/home/.config/bastion/rel");
}

}  // namespace
}  // namespace bastion::policy
