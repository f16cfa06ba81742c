// Embeddings over the OpenAI-compatible `POST {base_url}/embeddings` API
// (vLLM, SGLang, llama.cpp's llama-server with --embeddings, Ollama's /v1,
// DashScope compatible mode): the optional dense half of code search.
// Nothing calls it unless the user configured an embeddings model.
#pragma once

#include <string>
#include <vector>

#include "util/http_client.h"
#include "util/result.h"

namespace bastion::llm {

struct EmbeddingsEndpoint {
  std::string base_url;  // "http://gpu-pool:8000/v1"
  std::string api_key;   // "" = no Authorization header
  std::string model;
};

// One vector per input, in input order. Errors name the endpoint and what
// went wrong (status and the server's message, a reply that is not the
// expected JSON, a count or dimension mismatch).
Result<std::vector<std::vector<float>>> embed_texts(http::HttpClient& client,
                                                    const EmbeddingsEndpoint& endpoint,
                                                    const std::vector<std::string>& inputs);

}  // namespace bastion::llm
