#include "ui/rule_saver.h"

#include "util/fs.h"
#include "util/json.h"

namespace bastion::ui {

std::string rule_for_call(const tools::Tool& tool, const tools::CallSubject& subject) {
  switch (tool.kind()) {
    case tools::ToolKind::kExecute: return subject.command.empty() ? "Bash" : "Bash(" + subject.command + ")";
    case tools::ToolKind::kEdit: return "Edit";
    case tools::ToolKind::kRead: return "Read";
    default: return tool.name();
  }
}

Status save_allow_rule(const std::string& settings_path, const std::string& rule) {
  Json settings = Json::object();
  if (fs::exists(settings_path)) {
    auto text = fs::read_file(settings_path);
    if (!text.ok()) return text.error();
    settings = Json::parse(*text, nullptr, false);
    if (settings.is_discarded() || !settings.is_object())
      return Error(ErrorKind::kConfig, settings_path + " is not a JSON object; rule not saved");
  }
  Json& perms = settings["permissions"];
  if (!perms.is_object()) perms = Json::object();
  Json& allow = perms["allow"];
  if (!allow.is_array()) allow = Json::array();
  for (auto& r : allow)
    if (r.is_string() && r.get<std::string>() == rule) return ok_status();
  allow.push_back(rule);
  size_t slash = settings_path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    if (auto st = fs::make_dirs(settings_path.substr(0, slash)); !st.ok()) return st;
  }
  return fs::write_file_atomic(settings_path, settings.dump(2) + "\n");
}

}  // namespace bastion::ui
