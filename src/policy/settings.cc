#include "policy/settings.h"

#include <cstdlib>

#include "policy/trust.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strings.h"

namespace bastion::policy {
namespace {

// Keys of the "permissions" object this loader understands. Anything else in
// there is most likely a typo ("Deny", "alow") that would silently drop a
// rule, so it is reported as a note.
bool known_permissions_key(const std::string& k) {
  return k == "allow" || k == "ask" || k == "deny" || k == "defaultMode" || k == "additionalDirectories" ||
         k == "disableBypassPermissionsMode";
}

const char* layer_label(RuleLayer layer) {
  switch (layer) {
    case RuleLayer::kUser: return "user";
    case RuleLayer::kProject: return "project";
    case RuleLayer::kCli: return "command line";
    case RuleLayer::kManaged: return "managed";
  }
  return "settings";
}

Status add_rules(const Json& perms, const std::string& path, RuleLayer layer, PermissionEngine* engine) {
  struct Kind {
    const char* key;
    Decision decision;
  };
  for (Kind k : {Kind{"deny", Decision::kDeny}, Kind{"ask", Decision::kAsk}, Kind{"allow", Decision::kAllow}}) {
    auto it = perms.find(k.key);
    if (it == perms.end()) continue;
    if (!it->is_array())
      return make_error(ErrorKind::kConfig, path + ": \"permissions." + k.key + "\" must be an array of rules");
    for (auto& rule : *it) {
      if (!rule.is_string())
        return make_error(ErrorKind::kConfig, path + ": rules in \"permissions." + k.key + "\" must be strings");
      Status s = engine->add_rule(layer, k.decision, rule.get<std::string>());
      if (!s.ok()) return make_error(ErrorKind::kConfig, path + ": " + s.error().message);
    }
  }
  return ok_status();
}

}  // namespace

std::string managed_settings_path() {
  const char* env = std::getenv("BASTION_MANAGED_SETTINGS");
  return env && *env ? env : "/etc/bastion/managed-settings.json";
}

std::string user_settings_path() { return fs::config_dir() + "/settings.json"; }

Status load_settings_file(const std::string& path, RuleLayer layer, PermissionEngine* engine,
                          PermissionSettings* out, bool* found, bool project_trusted) {
  *found = false;
  auto text = fs::read_file(path);
  if (!text.ok()) {
    if (text.error().kind == ErrorKind::kNotFound) return ok_status();
    return make_error(ErrorKind::kConfig, "cannot read settings " + path + ": " + text.error().message);
  }
  *found = true;
  auto parsed = parse_json(*text, path);
  if (!parsed.ok()) return make_error(ErrorKind::kConfig, parsed.error().message);
  if (!parsed->is_object()) return make_error(ErrorKind::kConfig, path + ": settings must be a JSON object");
  Json json = std::move(*parsed);
  if (layer == RuleLayer::kProject) {
    // A repository file: before trust only its restrictions (deny, ask)
    // apply; even after trust it can never widen the sandbox, pick the
    // permission mode or choose where traffic goes.
    if (auto p = json.find("permissions"); p != json.end() && !p->is_object())
      return make_error(ErrorKind::kConfig, path + ": \"permissions\" must be an object");
    std::vector<std::string> ignored;
    json = filter_repo_settings(json, project_trusted, &ignored);
    if (json.contains("permissions") && json["permissions"].contains("additionalDirectories")) {
      json["permissions"].erase("additionalDirectories");
      ignored.push_back("permissions.additionalDirectories");
    }
    std::vector<std::string> shown;
    for (auto& k : ignored)
      if (k.rfind("permissions", 0) == 0) shown.push_back(k);
    if (!shown.empty())
      out->notes.push_back("ignored " + str::join(shown, ", ") + " in " + path + ": " +
                           (project_trusted ? "a repository may not set these; only your own settings or flags can"
                                            : "the repository is not trusted, so only its deny and ask rules apply"));
  }
  out->loaded_files.push_back(path);
  auto perms_it = json.find("permissions");
  if (perms_it == json.end()) return ok_status();
  const Json& perms = *perms_it;
  if (!perms.is_object()) return make_error(ErrorKind::kConfig, path + ": \"permissions\" must be an object");
  for (auto it = perms.begin(); it != perms.end(); ++it)
    if (!known_permissions_key(it.key()))
      out->notes.push_back("unknown key \"permissions." + it.key() + "\" in " + path +
                           " ignored (expected allow, ask, deny, defaultMode, additionalDirectories)");
  Status s = add_rules(perms, path, layer, engine);
  if (!s.ok()) return s;
  if (auto m_it = perms.find("defaultMode"); m_it != perms.end()) {
    if (!m_it->is_string()) return make_error(ErrorKind::kConfig, path + ": \"permissions.defaultMode\" must be a string");
    auto m = parse_permission_mode(m_it->get<std::string>());
    if (!m.ok()) return make_error(ErrorKind::kConfig, path + ": " + m.error().message);
    out->default_mode = *m;
    out->mode_source = std::string(layer_label(layer)) + " settings " + path;
    if (layer == RuleLayer::kManaged) out->managed_mode = *m;
  }
  if (layer == RuleLayer::kManaged && json_string(perms, "disableBypassPermissionsMode") == "disable")
    out->bypass_disabled = true;
  if (auto dirs = perms.find("additionalDirectories"); dirs != perms.end()) {
    if (!dirs->is_array())
      return make_error(ErrorKind::kConfig, path + ": \"permissions.additionalDirectories\" must be an array of paths");
    std::string base = path.substr(0, path.rfind('/'));
    for (auto& d : *dirs) {
      if (!d.is_string())
        return make_error(ErrorKind::kConfig, path + ": \"permissions.additionalDirectories\" must hold strings");
      std::string p = d.get<std::string>();
      if (p == "~" || p.rfind("~/", 0) == 0) p = fs::home_dir() + p.substr(1);
      out->additional_dirs.push_back(fs::resolve_real(p, base));
    }
  }
  return ok_status();
}

Result<PermissionSettings> load_permission_settings(PermissionEngine* engine, const std::string& workspace,
                                                    bool project_trusted) {
  PermissionSettings out;
  bool found = false;
  // Lowest layer first so the highest defaultMode wins.
  Status s = load_settings_file(user_settings_path(), RuleLayer::kUser, engine, &out, &found);
  if (!s.ok()) return s.error();
  for (const char* rel : {"/.claude/settings.json", "/.claude/settings.local.json", "/.bastion/settings.json",
                          "/.bastion/settings.local.json"}) {
    s = load_settings_file(workspace + rel, RuleLayer::kProject, engine, &out, &found, project_trusted);
    if (!s.ok()) return s.error();
  }
  s = load_settings_file(managed_settings_path(), RuleLayer::kManaged, engine, &out, &found);
  if (!s.ok()) return s.error();
  if (out.bypass_disabled && out.default_mode == PermissionMode::kBypass) {
    out.notes.push_back("ignored defaultMode bypassPermissions from " + out.mode_source +
                        ": your organization disabled bypass mode (" + managed_settings_path() + ")");
    out.default_mode = PermissionMode::kDefault;
    out.mode_source = "managed settings (bypass disabled)";
  }
  return out;
}

Result<PermissionMode> effective_permission_mode(const std::string& flag_mode, const PermissionSettings& settings,
                                                 const std::string& config_mode) {
  PermissionMode mode = PermissionMode::kDefault;
  std::string source = "the default";
  if (settings.managed_mode) {
    // The organization's mode cannot be overridden, not even by a flag.
    mode = *settings.managed_mode;
    source = "managed settings (" + managed_settings_path() + ")";
  } else if (!flag_mode.empty()) {
    auto m = parse_permission_mode(flag_mode);
    if (!m.ok()) return m.error();
    mode = *m;
    source = "the command line";
  } else if (settings.default_mode) {
    mode = *settings.default_mode;
    source = settings.mode_source;
  } else if (!config_mode.empty()) {
    auto m = parse_permission_mode(config_mode);
    if (!m.ok()) return make_error(ErrorKind::kConfig, "permission_mode in your config: " + m.error().message);
    mode = *m;
  }
  if (mode == PermissionMode::kBypass && settings.bypass_disabled)
    return make_error(ErrorKind::kPermission, "bypassPermissions (from " + source +
                                                  ") is disabled by your organization (" + managed_settings_path() +
                                                  ")");
  return mode;
}

}  // namespace bastion::policy
