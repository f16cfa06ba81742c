#include "cli/embeddings_setup.h"

#include <cstdlib>
#include <memory>

#include "cli/config.h"
#include "index/index_store.h"

namespace bastion::cli {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

Result<std::optional<llm::EmbeddingsEndpoint>> configured_embeddings() {
  auto config = load_user_config();
  if (!config.ok()) return config.error();
  const Json& raw = config->raw;
  const Json search = raw.is_object() && raw.contains("search") && raw["search"].is_object()
                          ? raw["search"]
                          : Json::object();
  llm::EmbeddingsEndpoint ep;
  ep.model = env("BASTION_EMBEDDINGS_MODEL");
  if (ep.model.empty()) ep.model = json_string(search, "embeddings_model");
  if (ep.model.empty()) return std::optional<llm::EmbeddingsEndpoint>();
  ep.base_url = env("BASTION_EMBEDDINGS_URL");
  if (ep.base_url.empty()) ep.base_url = json_string(search, "embeddings_base_url");
  std::string key_env = json_string(search, "embeddings_api_key_env");
  if (!key_env.empty()) ep.api_key = env(key_env.c_str());
  if (ep.base_url.empty() || key_env.empty()) {
    auto provider = resolve_provider(AgentOptions{}, config.value(), /*allow_probe=*/false);
    if (provider.ok()) {
      if (ep.base_url.empty()) ep.base_url = provider->config.base_url;
      if (key_env.empty()) ep.api_key = provider->config.api_key;
    }
  }
  if (ep.base_url.empty())
    return make_error(ErrorKind::kConfig,
                      "embeddings model '" + ep.model +
                          "' is configured but no endpoint is: set [search] embeddings_base_url in "
                          "config.toml or BASTION_EMBEDDINGS_URL (e.g. http://HOST:8000/v1)");
  return std::optional<llm::EmbeddingsEndpoint>(ep);
}

std::string dense_store_path(const std::string& root) { return index::default_db_path(root) + ".dense"; }

index::Embedder make_embedder(const llm::EmbeddingsEndpoint& endpoint) {
  auto client = std::make_shared<http::HttpClient>();
  return [client, endpoint](const std::vector<std::string>& texts) {
    return llm::embed_texts(*client, endpoint, texts);
  };
}

}  // namespace bastion::cli
