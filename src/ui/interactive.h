// The interactive terminal UI's one entry point. The cli module fills an
// InteractiveSession with references to the session's parts (agent, store,
// permission engine, tools) and callbacks for what only it can do (cost,
// context size, compaction), so the ui module never includes src/cli/.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "agent/agent_loop.h"
#include "policy/permissions.h"
#include "store/session_store.h"
#include "tools/registry.h"
#include "tools/tool.h"
#include "util/result.h"

namespace bastion::ui {

struct InteractiveSession {
  agent::Agent& agent;
  policy::PermissionEngine& permissions;
  tools::ToolRegistry& registry;
  tools::ToolContext& context;
  store::SessionStore* sessions = nullptr;  // may be null (nothing persisted)
  std::string session_id;
  std::string workspace;
  std::string model;
  std::string initial_prompt;               // run first, when set
  int64_t context_window = 0;
  std::function<int64_t()> context_tokens;  // tokens the next request carries
  std::function<double()> cost_usd;         // session cost so far
  std::function<Status()> compact;          // /compact
  // Installs the UI's "user pressed Esc" check as AgentHooks::interrupted
  // (the agent's hooks belong to the caller). Unset = Esc cannot stop a turn.
  std::function<void(std::function<bool()>)> set_interrupt_check;
  // Called after /resume or /clear made `info` the current session, so the
  // caller persists further turns there. Unset = those commands only change
  // the in-memory conversation and say so.
  std::function<void(const store::SessionInfo& info)> on_session_switched;
};

// Runs the inline terminal UI until /exit, Ctrl-D or Ctrl-C twice. Needs
// stdin and stdout to be terminals. Returns the process exit code.
int run_interactive(InteractiveSession& session);

}  // namespace bastion::ui
