// Fuzzes the shell parser and the Bash permission check built on it: no
// input may crash, hang or be allowed when it cannot be parsed.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "policy/permissions.h"
#include "policy/shell_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string script(reinterpret_cast<const char*>(data), size);
  auto parsed = bastion::policy::parse_shell(script);
  bastion::policy::PermissionEngine engine;
  (void)engine.add_rule(bastion::policy::RuleLayer::kUser, bastion::policy::Decision::kDeny, "Bash(rm:*)");
  (void)engine.add_rule(bastion::policy::RuleLayer::kUser, bastion::policy::Decision::kAllow, "Bash(git:*)");
  bastion::policy::PermissionQuery q;
  q.rule_name = "Bash";
  q.is_execute = true;
  q.command = script;
  q.workspace = "/nonexistent-ws";
  auto v = engine.check(q);
  if (!parsed.ok() && v.decision == bastion::policy::Decision::kAllow) std::abort();
  if (parsed.ok())
    for (auto& c : parsed->commands)
      for (auto& w : c.words)
        if (w.literal_len > w.value.size()) std::abort();
  return 0;
}
