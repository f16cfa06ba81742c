#include "cli/runtime.h"

#include <unistd.h>

#include <ctime>

#include "agent/system_prompt.h"
#include "cli/embeddings_setup.h"
#include "index/index_open.h"
#include "llm/model_catalog.h"
#include "policy/settings.h"
#include "tools/index_tools.h"
#include "policy/trust.h"
#include "util/fs.h"

namespace bastion::cli {
namespace {

std::string today() {
  std::time_t t = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::localtime(&t));
  return buf;
}

Result<std::string> resolve_dir(const std::string& dir, const std::string& base, const char* what) {
  std::string real = fs::resolve_real(dir, base);
  if (!fs::is_directory(real)) {
    return make_error(ErrorKind::kBadInput, std::string(what) + " " + dir + " is not a directory");
  }
  return real;
}

}  // namespace

Result<std::unique_ptr<Runtime>> build_runtime(const AgentOptions& options) {
  auto rt = std::make_unique<Runtime>();
  rt->options = options;
  char cwd_buf[4096];
  std::string cwd = ::getcwd(cwd_buf, sizeof cwd_buf) ? cwd_buf : "/";
  auto ws = resolve_dir(options.cwd.empty() ? cwd : options.cwd, cwd, "workspace");
  if (!ws.ok()) return ws.error();
  rt->workspace = *ws;
  std::string git_root = fs::find_git_root(rt->workspace);
  rt->project_root = git_root.empty() ? rt->workspace : git_root;

  auto config = load_user_config();
  if (!config.ok()) return config.error();
  rt->config = *config;
  if (rt->config.raw.contains("models")) {
    Status st = llm::model_catalog().apply_overrides(rt->config.raw["models"]);
    if (!st.ok()) return st.error();
  }

  auto provider = resolve_provider(options, rt->config);
  if (!provider.ok()) return provider.error();
  rt->provider = *provider;
  rt->client = llm::make_model_client(rt->provider.config);

  // Sessions.
  auto store = store::SessionStore::open(store::SessionStore::default_path());
  if (!store.ok()) return store.error();
  rt->sessions = std::make_unique<store::SessionStore>(std::move(*store));
  std::vector<llm::Message> history;
  if (!options.resume_id.empty() || options.continue_latest) {
    auto info = options.resume_id.empty() ? rt->sessions->latest_in(rt->workspace)
                                          : rt->sessions->get(options.resume_id);
    if (!info.ok()) return info.error();
    rt->session = *info;
    auto loaded = rt->sessions->load(rt->session.id);
    if (!loaded.ok()) return loaded.error();
    history = std::move(*loaded);
    rt->resumed = true;
  } else {
    auto info = rt->sessions->create(rt->workspace, rt->provider.config.model);
    if (!info.ok()) return info.error();
    rt->session = *info;
  }

  // Tools and their context.
  rt->context.workspace = rt->workspace;
  rt->context.shell_cwd = rt->workspace;
  for (auto& d : options.add_dirs) {
    auto real = resolve_dir(d, cwd, "--add-dir");
    if (!real.ok()) return real.error();
    rt->context.extra_roots.push_back(*real);
  }
  // Permissions: settings layers (user, trusted project, managed), then the
  // mode (managed > flag > settings > config > default), then CLI rules.
  policy::TrustState trust = policy::check_repo_trust(rt->project_root);
  if (!trust.trusted && !trust.files.empty()) rt->notices.push_back(policy::untrusted_notice(trust));
  auto settings = policy::load_permission_settings(&rt->permissions, rt->workspace, trust.trusted);
  if (!settings.ok()) return settings.error();
  for (auto& note : settings->notes) rt->notices.push_back(note);
  for (auto& d : settings->additional_dirs) {
    if (fs::is_directory(d)) rt->context.extra_roots.push_back(d);
  }
  auto mode = policy::effective_permission_mode(options.permission_mode, *settings, rt->config.permission_mode);
  if (!mode.ok()) return mode.error();
  rt->permissions.set_mode(*mode);
  rt->registry = tools::make_core_registry();
  // search and repo_map share one index, opened at their first use; the
  // agent's own edits update it at once, outside edits are picked up by the
  // next query's refresh.
  // With an embeddings model configured and `bastion index --embeddings`
  // run, `search` adds the dense signal (silently lexical-only otherwise).
  rt->code_index = tools::add_index_tools(
      rt->registry, rt->workspace, dense_search_for(index::repo_root_for(rt->workspace), 8, nullptr));
  rt->context.on_file_changed = [idx = rt->code_index](const std::string& path) {
    idx->notify_file_changed(path);
  };
  std::string sandbox_mode_text = !options.sandbox.empty() ? options.sandbox
                                  : !rt->config.sandbox.empty() ? rt->config.sandbox : "auto";
  auto sandbox_mode = policy::parse_sandbox_mode(sandbox_mode_text);
  if (!sandbox_mode.ok()) return sandbox_mode.error();
  rt->sandbox = policy::make_sandbox(*sandbox_mode,
                                     policy::SandboxPolicy::for_workspace(rt->workspace, rt->context.extra_roots));
  rt->context.sandbox = rt->sandbox.get();
  rt->context.redactor = &rt->redactor;
  if (auto todos = rt->sessions->get_state(rt->session.id, "todos"); todos.ok()) {
    Json j = Json::parse(*todos, nullptr, false);
    if (j.is_array()) {
      for (auto& t : j) rt->context.todos.push_back({json_string(t, "content"), json_string(t, "status")});
    }
  }

  for (auto& r : options.allowed_tools) {
    Status st = rt->permissions.add_rule(policy::RuleLayer::kCli, policy::Decision::kAllow, r);
    if (!st.ok()) return st.error();
  }
  for (auto& r : options.disallowed_tools) {
    Status st = rt->permissions.add_rule(policy::RuleLayer::kCli, policy::Decision::kDeny, r);
    if (!st.ok()) return st.error();
  }

  // The agent.
  agent::PromptInputs prompt;
  prompt.workspace = rt->workspace;
  prompt.extra_roots = rt->context.extra_roots;
  prompt.replace_system_prompt = options.system_prompt;
  prompt.append_system_prompt = options.append_system_prompt;
  rt->agents_md = agent::load_agents_md(rt->workspace);
  prompt.agents_md = rt->agents_md;
  prompt.date = today();
  prompt.is_git_repo = !git_root.empty();
  agent::AgentConfig ac;
  ac.model = rt->provider.config.model;
  ac.system_prompt = agent::build_system_prompt(prompt);
  ac.max_turns = options.max_turns;
  rt->agent = std::make_unique<agent::Agent>(*rt->client, rt->registry, rt->permissions, rt->context, ac);
  rt->agent->set_history(std::move(history));

  Status hooks = install_session_hooks(*rt);
  if (!hooks.ok()) return hooks.error();
  return rt;
}

}  // namespace bastion::cli
