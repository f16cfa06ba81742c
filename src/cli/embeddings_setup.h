// Optional dense retrieval for `bastion search` / `bastion index
// --embeddings`: which /v1/embeddings endpoint to use, where its vectors are
// stored, and an index::Embedder that calls it.
//
// Configured only by the user (never by a repository file, which must not
// choose where code is sent):
//   ~/.config/bastion/config.toml
//     [search]
//     embeddings_model = "nomic-embed-text"
//     embeddings_base_url = "http://gpu-pool:8000/v1"   # default: the provider's base_url
//     embeddings_api_key_env = "WORK_KEY"               # default: the provider's key
//   or BASTION_EMBEDDINGS_MODEL / BASTION_EMBEDDINGS_URL in the environment.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "index/dense_index.h"
#include "index/search.h"
#include "llm/embeddings.h"
#include "util/result.h"

namespace bastion::cli {

// nullopt when no embeddings model is configured; an error when one is but
// no base URL can be found for it.
Result<std::optional<llm::EmbeddingsEndpoint>> configured_embeddings();

// Where the vectors of the repository at `root` live (beside its index).
std::string dense_store_path(const std::string& root);

// Calls the endpoint (one HTTP client per embedder).
index::Embedder make_embedder(const llm::EmbeddingsEndpoint& endpoint);

// The dense half of search for the repository at `root`, for the CLI and the
// agent's `search` tool. Configuration is read at each call, so nothing is
// read at start-up; a call yields no files when no embeddings model is
// configured or `bastion index --embeddings` has not run, and yields none
// after telling `warn` when the endpoint or the store fails (the lexical
// ranking stands).
index::DenseSearch dense_search_for(const std::string& root, size_t want,
                                    std::function<void(const std::string&)> warn);

}  // namespace bastion::cli
