// Runtime: everything one agent session needs, wired together once from the
// options: the provider client, the session store, tools and their context,
// sandbox, redactor, permission engine and the Agent with its hooks. Both
// headless (`-p`) and interactive modes run on a Runtime.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/agent_loop.h"
#include "cli/config.h"
#include "cli/options.h"
#include "cli/session_hooks.h"
#include "llm/model_client.h"
#include "policy/permissions.h"
#include "policy/redactor.h"
#include "policy/sandbox.h"
#include "store/session_store.h"
#include "tools/lazy_index.h"
#include "tools/registry.h"

namespace bastion::cli {

struct Runtime {
  AgentOptions options;
  UserConfig config;
  ResolvedProvider provider;
  std::string workspace;
  std::unique_ptr<llm::ModelClient> client;
  std::unique_ptr<store::SessionStore> sessions;
  store::SessionInfo session;
  bool resumed = false;
  tools::ToolRegistry registry;
  std::shared_ptr<tools::LazyIndex> code_index;  // search/repo_map, opened on first use
  tools::ToolContext context;
  std::unique_ptr<policy::Sandbox> sandbox;
  policy::Redactor redactor;
  policy::PermissionEngine permissions;
  std::unique_ptr<agent::Agent> agent;
  std::string project_root;  // git root, else the workspace (ledger attribution)
  std::string agents_md;     // AGENTS.md rules (kept verbatim through compaction)
  std::unique_ptr<SessionServices> services;
  std::function<bool()> interrupt_check;  // set by the terminal UI (Esc)
  std::vector<std::string> notices;  // printed on stderr before the run
};

Result<std::unique_ptr<Runtime>> build_runtime(const AgentOptions& options);

}  // namespace bastion::cli
