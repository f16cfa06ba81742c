// `bastion doctor`: what Bastion found — config sources, the endpoint and
// whether it answers, the model, and sandbox support. Exit 1 when something
// would stop an agent run.
#include <chrono>
#include <cstdio>

#include "cli/config.h"
#include "cli/subcommands.h"
#include "policy/sandbox.h"
#include "store/session_store.h"
#include "util/fs.h"

namespace bastion::cli {

int run_doctor(const std::vector<std::string>& args) {
  auto parsed = parse_agent_options(args);
  if (!parsed.ok()) {
    std::fprintf(stderr, "bastion doctor: %s\n", parsed.error().message.c_str());
    return kExitUsage;
  }
  bool healthy = true;
  std::printf("bastion %s\n\n", BASTION_VERSION);
  std::printf("config dir   %s\n", fs::config_dir().c_str());
  std::printf("data dir     %s\n", fs::data_dir().c_str());
  std::printf("sessions     %s\n", store::SessionStore::default_path().c_str());
  auto config = load_user_config();
  if (!config.ok()) {
    std::printf("config file  ERROR %s\n", config.error().message.c_str());
    return kExitError;
  }
  std::printf("config file  %s\n", config->path.empty() ? "(none; using environment and probing)" : config->path.c_str());

  auto provider = resolve_provider(*parsed, *config);
  if (!provider.ok()) {
    std::printf("\nendpoint     NOT FOUND\n%s\n", provider.error().message.c_str());
    healthy = false;
  } else {
    auto& pc = provider->config;
    std::printf("\nprotocol     %s\n", pc.protocol.c_str());
    std::printf("base url     %s\n", pc.base_url.c_str());
    std::printf("model        %s\n", pc.model.c_str());
    std::printf("api key      %s\n", pc.api_key.empty() ? "(none)" : "set");
    for (auto& s : provider->sources) std::printf("  source     %s\n", s.c_str());
    auto client = llm::make_raw_model_client(pc);
    auto start = std::chrono::steady_clock::now();
    auto models = client->list_models();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    if (models.ok()) {
      bool served = false;
      for (auto& m : *models) served = served || m == pc.model;
      std::printf("reachable    yes (%lld ms, %zu models)\n", static_cast<long long>(ms), models->size());
      if (!served && !models->empty()) {
        std::printf("warning      the endpoint does not list model '%s'; it serves: ", pc.model.c_str());
        for (size_t i = 0; i < models->size() && i < 8; ++i) std::printf("%s%s", i ? ", " : "", (*models)[i].c_str());
        std::printf("\n");
      }
    } else {
      std::printf("reachable    NO: %s\n", models.error().message.c_str());
      healthy = false;
    }
  }

  std::string cwd = fs::resolve_real(".", "/");
  auto sandbox = policy::make_sandbox(policy::SandboxMode::kAuto, policy::SandboxPolicy::for_workspace(cwd, {}));
  std::printf("\nsandbox      %s\n", sandbox->describe().c_str());
  if (!sandbox->available()) {
    std::printf("             commands will be refused; see docs/SANDBOX.md or use --sandbox off\n");
  }
  std::printf("\n%s\n", healthy ? "ok" : "problems found (see above)");
  return healthy ? kExitOk : kExitError;
}

}  // namespace bastion::cli
