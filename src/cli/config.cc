#include "cli/config.h"

#include <cstdlib>
#include <toml++/toml.h>

#include "util/fs.h"

namespace bastion::cli {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

Json toml_to_json(const toml::node& node) {
  if (auto t = node.as_table()) {
    Json obj = Json::object();
    for (auto& [k, v] : *t) obj[std::string(k.str())] = toml_to_json(v);
    return obj;
  }
  if (auto a = node.as_array()) {
    Json arr = Json::array();
    for (auto& v : *a) arr.push_back(toml_to_json(v));
    return arr;
  }
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return i->get();
  if (auto f = node.as_floating_point()) return f->get();
  if (auto b = node.as_boolean()) return b->get();
  return nullptr;
}

struct Probe {
  const char* name;
  const char* url;
};
constexpr Probe kProbes[] = {
    {"Ollama", "http://127.0.0.1:11434/v1"},
    {"llama.cpp", "http://127.0.0.1:8080/v1"},
    {"vLLM", "http://127.0.0.1:8000/v1"},
};

}  // namespace

Result<UserConfig> load_user_config() {
  UserConfig cfg;
  std::string path = fs::config_dir() + "/config.toml";
  if (!fs::exists(path)) return cfg;
  cfg.path = path;
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& err) {
    return make_error(ErrorKind::kConfig, "config " + path + ":" + std::to_string(err.source().begin.line) + ":" +
                                              std::to_string(err.source().begin.column) + ": " +
                                              std::string(err.description()));
  }
  cfg.raw = toml_to_json(table);
  cfg.default_provider = json_string(cfg.raw, "provider");
  cfg.sandbox = json_string(cfg.raw, "sandbox");
  cfg.permission_mode = json_string(cfg.raw, "permission_mode");
  cfg.compact_threshold = json_number(cfg.raw, "compact_threshold", 0);
  if (cfg.raw.contains("providers") && cfg.raw["providers"].is_object()) cfg.providers = cfg.raw["providers"];
  if (!cfg.default_provider.empty() && !cfg.providers.contains(cfg.default_provider)) {
    return make_error(ErrorKind::kConfig, "config " + path + ": provider = \"" + cfg.default_provider +
                                              "\" but there is no [providers." + cfg.default_provider + "] table");
  }
  return cfg;
}

Result<ResolvedProvider> resolve_provider(const AgentOptions& options, const UserConfig& config,
                                          bool allow_probe) {
  ResolvedProvider out;
  llm::ProviderConfig& pc = out.config;
  pc.protocol = "openai";

  // 1. Which named provider (flag, env, config default)?
  std::string selector = options.provider;
  std::string selector_source = "--provider";
  if (selector.empty()) {
    selector = env("BASTION_PROVIDER");
    selector_source = "BASTION_PROVIDER";
  }
  std::string name;
  if (!selector.empty() && config.providers.contains(selector)) {
    name = selector;
  } else if (selector == "openai" || selector == "anthropic") {
    pc.protocol = selector;
    out.sources.push_back("protocol " + selector + " from " + selector_source);
  } else if (!selector.empty()) {
    return make_error(ErrorKind::kConfig, selector_source + "=" + selector +
                                              " is neither a provider in " +
                                              (config.path.empty() ? "config.toml (none found)" : config.path) +
                                              " nor a protocol (openai, anthropic)");
  }
  if (name.empty() && !config.default_provider.empty() && selector.empty()) name = config.default_provider;
  if (!name.empty()) {
    const Json& t = config.providers[name];
    pc.name = name;
    std::string proto = json_string(t, "protocol", "openai");
    if (proto != "openai" && proto != "anthropic") {
      return make_error(ErrorKind::kConfig, "[providers." + name + "] protocol must be \"openai\" or \"anthropic\"");
    }
    pc.protocol = proto;
    pc.base_url = json_string(t, "base_url");
    pc.model = json_string(t, "model");
    pc.api_key = json_string(t, "api_key");
    std::string key_env = json_string(t, "api_key_env");
    if (!key_env.empty()) {
      pc.api_key = env(key_env.c_str());
      pc.api_key_env = key_env;
    }
    if (t.contains("fallback_models") && t["fallback_models"].is_array()) {
      for (auto& m : t["fallback_models"]) if (m.is_string()) pc.fallback_models.push_back(m.get<std::string>());
    }
    if (t.contains("headers") && t["headers"].is_object()) {
      for (auto& [k, v] : t["headers"].items()) if (v.is_string()) pc.extra_headers[k] = v.get<std::string>();
    }
    out.sources.push_back("provider [" + name + "] from " + config.path);
  }

  // 2. Environment overrides the config file; flags override both.
  auto apply = [&](std::string* field, const std::string& flag_value, const char* flag, const char* env_name) {
    if (!flag_value.empty()) {
      *field = flag_value;
      out.sources.push_back(std::string(flag));
    } else if (!env(env_name).empty()) {
      *field = env(env_name);
      out.sources.push_back(std::string(env_name));
    }
  };
  apply(&pc.base_url, options.base_url, "base_url from --base-url", "BASTION_BASE_URL");
  apply(&pc.model, options.model, "model from --model", "BASTION_MODEL");
  if (!env("BASTION_API_KEY").empty()) {
    pc.api_key = env("BASTION_API_KEY");
    pc.api_key_env = "BASTION_API_KEY";
    out.sources.push_back("api key from BASTION_API_KEY");
  }
  if (!options.fallback_model.empty()) pc.fallback_models.insert(pc.fallback_models.begin(), options.fallback_model);
  while (!pc.base_url.empty() && pc.base_url.back() == '/') pc.base_url.pop_back();

  if (!pc.base_url.empty()) {
    Status valid = llm::validate_provider_config(pc);
    if (!valid.ok()) return valid.error();
  }

  // 3. Nothing configured: probe the usual local servers.
  if (pc.base_url.empty()) {
    if (!allow_probe) return make_error(ErrorKind::kConfig, "no model endpoint configured");
    for (const Probe& p : kProbes) {
      llm::ProviderConfig probe = pc;
      probe.protocol = "openai";
      probe.base_url = p.url;
      auto client = llm::make_raw_model_client(probe);
      auto models = client->list_models();
      if (!models.ok()) continue;
      pc = probe;
      out.probed = true;
      out.sources.push_back(std::string("found ") + p.name + " at " + p.url);
      if (pc.model.empty() && !models->empty()) {
        pc.model = models->front();
        out.sources.push_back("model " + pc.model + " (first served by " + p.name + ")");
      }
      break;
    }
    if (pc.base_url.empty()) {
      return make_error(
          ErrorKind::kConfig,
          "no model endpoint configured, and no local server answered on 127.0.0.1:11434 (Ollama), "
          ":8080 (llama.cpp) or :8000 (vLLM).\n"
          "Either start one, e.g.  ollama serve  or  vllm serve Qwen/Qwen3-Coder-30B-A3B-Instruct "
          "--enable-auto-tool-choice --tool-call-parser qwen3_coder\n"
          "or point Bastion at your endpoint:\n"
          "  export BASTION_BASE_URL=http://HOST:PORT/v1 BASTION_MODEL=NAME BASTION_API_KEY=KEY\n"
          "or add a [providers.NAME] table to " + fs::config_dir() + "/config.toml (see docs/MODELS.md).");
    }
  }
  if (pc.model.empty()) {
    auto client = llm::make_raw_model_client(pc);
    auto models = client->list_models();
    if (models.ok() && !models->empty()) {
      pc.model = models->front();
      out.sources.push_back("model " + pc.model + " (first served by the endpoint)");
    } else {
      return make_error(ErrorKind::kConfig, "no model named for " + pc.base_url +
                                                "; set BASTION_MODEL or pass --model (run `bastion models` to list)");
    }
  }
  return out;
}

}  // namespace bastion::cli
