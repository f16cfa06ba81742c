#include "cli/embeddings_setup.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "cli/config.h"
#include "index/index_store.h"
#include "policy/redactor.h"
#include "util/fs.h"

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
  // Like everything sent to a model, the text passes the secret redactor.
  auto redactor = std::make_shared<policy::Redactor>();
  return [client, redactor, endpoint](const std::vector<std::string>& texts) {
    std::vector<std::string> clean;
    clean.reserve(texts.size());
    for (const std::string& t : texts) clean.push_back(redactor->redact(t));
    return llm::embed_texts(*client, endpoint, clean);
  };
}

index::DenseSearch dense_search_for(const std::string& root, size_t want,
                                    std::function<void(const std::string&)> warn) {
  return [root, want, warn](std::string_view query) -> Result<std::vector<std::pair<std::string, double>>> {
    std::vector<std::pair<std::string, double>> none;
    auto configured = configured_embeddings();
    if (!configured.ok()) {
      if (warn) warn("embeddings skipped: " + configured.error().message);
      return none;
    }
    std::string store = dense_store_path(root);
    if (!configured.value() || !fs::exists(store)) return none;
    const llm::EmbeddingsEndpoint& ep = *configured.value();
    auto dense = index::DenseIndex::open(store, ep.model, /*reset_other_model=*/false);
    auto vec = dense.ok() ? make_embedder(ep)({std::string(query.substr(0, 8000))})
                          : Result<std::vector<std::vector<float>>>(dense.error());
    if (!vec.ok() || vec->empty()) {
      if (warn) warn("embeddings skipped: " + (vec.ok() ? std::string("no vector returned") : vec.error().message));
      return none;
    }
    auto near = dense.value()->query(vec->front(), std::max<size_t>(want, 20));
    if (!near.ok()) {
      if (warn) warn("embeddings skipped: " + near.error().message);
      return none;
    }
    return near;
  };
}

}  // namespace bastion::cli
