#include "ui/mentions.h"

#include <sys/stat.h>

#include <set>

#include "util/fs.h"

namespace bastion::ui {

MentionExpansion expand_mentions(const std::string& prompt, const std::string& workspace,
                                 const policy::PermissionEngine& permissions, size_t max_bytes) {
  MentionExpansion out;
  out.prompt = prompt;
  std::set<std::string> seen;
  for (size_t i = 0; i < prompt.size(); ++i) {
    if (prompt[i] != '@' || (i > 0 && !std::isspace(static_cast<unsigned char>(prompt[i - 1])))) continue;
    size_t end = i + 1;
    while (end < prompt.size() && !std::isspace(static_cast<unsigned char>(prompt[end]))) ++end;
    std::string rel = prompt.substr(i + 1, end - i - 1);
    while (!rel.empty() && std::string(".,;:!?)").find(rel.back()) != std::string::npos) rel.pop_back();
    i = end;
    if (rel.empty() || !seen.insert(rel).second) continue;
    std::string abs = fs::resolve_real(rel, workspace);
    struct stat st {};
    if (::stat(abs.c_str(), &st) != 0) continue;  // not a path: leave it be
    if (!fs::is_within(abs, workspace)) {
      out.skipped.push_back(rel + ": outside the workspace");
      continue;
    }
    if (!S_ISREG(st.st_mode)) {
      out.skipped.push_back(rel + ": not a file");
      continue;
    }
    policy::PermissionQuery q;
    q.rule_name = "Read";
    q.is_read_only = true;
    q.paths = {abs};
    q.workspace = workspace;
    policy::Verdict v = permissions.check(q);
    if (v.decision != policy::Decision::kAllow) {
      out.skipped.push_back(rel + ": " + v.reason);
      continue;
    }
    if (static_cast<size_t>(st.st_size) > max_bytes) {
      out.skipped.push_back(rel + ": larger than " + std::to_string(max_bytes / 1024) + " KiB (the agent can read it)");
      continue;
    }
    auto text = fs::read_file(abs);
    if (!text.ok()) {
      out.skipped.push_back(rel + ": " + text.error().message);
      continue;
    }
    if (text->find('\0') != std::string::npos) {
      out.skipped.push_back(rel + ": binary file");
      continue;
    }
    std::string shown = fs::relative_to(abs, workspace);
    out.prompt += "\n\n<file path=\"" + shown + "\">\n" + *text + (text->empty() || text->back() != '\n' ? "\n" : "") +
                  "</file>";
    out.attached.push_back(shown);
  }
  return out;
}

}  // namespace bastion::ui
