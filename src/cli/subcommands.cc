#include "cli/subcommands.h"

namespace bastion::cli {

const std::vector<Subcommand>& subcommands() {
  static const std::vector<Subcommand> kTable = {
      {"doctor", "show configuration, endpoint reachability, model and sandbox support", run_doctor},
      {"models", "list the models the endpoint serves and what the catalog knows: bastion models [--catalog]", run_models},
      {"sessions", "list saved sessions: bastion sessions list", run_sessions},
      {"files", "list the files the agent sees (git ls-files -co --exclude-standard): bastion files [DIR]", run_files},
      {"tool", "run one tool directly: bastion tool NAME 'JSON-ARGS' [-w DIR] [--sandbox off]", run_tool},
      {"usage", "tokens and cost from the ledger: bastion usage [--since D] [--by K] [--format F]", run_usage},
      {"index", "build or refresh the code index: bastion index [--serve] [DIR]", run_index},
      {"map", "print the repo map: bastion map [--tokens N] [FILES...]", run_map},
      {"search", "search code: bastion search [--files] [-k N] QUERY|-", run_search},
      {"gateway", "organization gateway: bastion gateway --config FILE serve|user|usage|audit", run_gateway},
      {"sandbox", "run a command under the OS sandbox: bastion sandbox [--add-dir D] -- CMD; --status", run_sandbox},
      {"audit", "tamper-evident audit trail: bastion audit path | verify [SESSION] | show SESSION", run_audit},
      {"trust", "let a repository's own config take effect: bastion trust [DIR] | --status | --revoke", run_trust},
  };
  return kTable;
}

}  // namespace bastion::cli
