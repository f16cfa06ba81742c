// `bastion models`: what the configured endpoint serves (GET /models) next to
// what the built-in catalog knows about each model (context window, output
// cap, prices, edit format), plus the whole catalog with --catalog. Uses the
// same provider resolution as an agent run (flags > env > config > probing),
// so it shows exactly what `bastion -p` would talk to.
#include <cstdio>

#include "cli/config.h"
#include "cli/subcommands.h"
#include "llm/model_catalog.h"

namespace bastion::cli {
namespace {

std::string k_tokens(int64_t n) {
  if (n >= 1000000 && n % 1000000 == 0) return std::to_string(n / 1000000) + "M";
  if (n >= 1024) return std::to_string((n + 512) / 1024) + "K";
  return std::to_string(n);
}

void print_row(const std::string& name, const llm::ModelInfo& m, const char* mark) {
  if (!m.known) {
    std::printf("%s %-44s %s\n", mark, name.c_str(), "(not in the catalog: 32K context assumed; set [models.\"NAME\"] in config)");
    return;
  }
  std::printf("%s %-44s %-24s ctx %-6s out %-6s $%.2f/$%.3f/$%.2f  %s\n", mark, name.c_str(),
              m.display_name.c_str(), k_tokens(m.context_window).c_str(),
              k_tokens(m.max_output_tokens).c_str(), m.input_usd_per_mtok,
              m.cached_input_usd_per_mtok, m.output_usd_per_mtok, m.edit_format.c_str());
}

}  // namespace

int run_models(const std::vector<std::string>& args) {
  bool catalog_only = false;
  std::vector<std::string> rest;
  for (const auto& a : args) {
    if (a == "--catalog") catalog_only = true;
    else if (a == "-h" || a == "--help") {
      std::printf("usage: bastion models [--catalog] [--base-url URL] [--provider NAME] [--model M]\n"
                  "Lists the models the endpoint serves with what the catalog knows about them.\n"
                  "Prices are USD per 1M tokens: input / cached input / output.\n");
      return kExitOk;
    } else rest.push_back(a);
  }
  auto config = load_user_config();
  if (!config.ok()) {
    std::fprintf(stderr, "bastion models: %s\n", config.error().message.c_str());
    return kExitError;
  }
  Json overrides = config->raw.is_object() && config->raw.contains("models") ? config->raw["models"] : Json();
  if (auto st = llm::model_catalog().apply_overrides(overrides); !st.ok()) {
    std::fprintf(stderr, "bastion models: %s\n", st.error().message.c_str());
    return kExitError;
  }
  if (catalog_only) {
    std::printf("built-in catalog (prices USD per 1M tokens: input/cached/output):\n");
    for (const auto& m : llm::model_catalog().entries()) print_row(m.id, m, " ");
    return kExitOk;
  }
  auto parsed = parse_agent_options(rest);
  if (!parsed.ok()) {
    std::fprintf(stderr, "bastion models: %s\n", parsed.error().message.c_str());
    return kExitUsage;
  }
  auto provider = resolve_provider(*parsed, *config);
  if (!provider.ok()) {
    std::fprintf(stderr, "bastion models: %s\n", provider.error().message.c_str());
    return kExitError;
  }
  const auto& pc = provider->config;
  auto client = llm::make_raw_model_client(pc);
  auto models = client->list_models();
  if (!models.ok()) {
    std::fprintf(stderr, "bastion models: %s\n", models.error().message.c_str());
    return kExitError;
  }
  std::printf("%s serves %zu model%s (* = configured model):\n", client->endpoint().c_str(),
              models->size(), models->size() == 1 ? "" : "s");
  bool configured_listed = false;
  for (const auto& name : *models) {
    bool is_configured = name == pc.model;
    configured_listed = configured_listed || is_configured;
    print_row(name, llm::model_catalog().lookup(name), is_configured ? "*" : " ");
  }
  if (!pc.model.empty() && !configured_listed) {
    std::printf("\nwarning: the configured model '%s' is not served here; set BASTION_MODEL or --model "
                "to one of the names above\n", pc.model.c_str());
  }
  std::printf("\n`bastion models --catalog` lists every model the catalog knows.\n");
  return kExitOk;
}

}  // namespace bastion::cli
