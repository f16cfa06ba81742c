#include "aux_endpoints.h"

#include <cmath>
#include <cstdint>

#include "request_view.h"

namespace bastion::fake_server {

WireJson models_body(const std::vector<std::string>& models, bool anthropic) {
  WireJson data = WireJson::array();
  for (const std::string& m : models) {
    if (anthropic)
      data.push_back({{"type", "model"}, {"id", m}, {"display_name", m},
                      {"created_at", "2025-05-14T00:00:00Z"}});
    else
      data.push_back({{"id", m}, {"object", "model"}, {"created", 1715367049},
                      {"owned_by", "fake"}});
  }
  if (anthropic)
    return {{"data", data}, {"has_more", false},
            {"first_id", models.empty() ? WireJson(nullptr) : WireJson(models.front())},
            {"last_id", models.empty() ? WireJson(nullptr) : WireJson(models.back())}};
  return {{"object", "list"}, {"data", data}};
}

std::vector<float> embed_text(const std::string& text, int dims) {
  std::vector<float> v(static_cast<size_t>(dims));
  double norm = 0;
  for (int i = 0; i < dims; ++i) {
    uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull;
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
    h ^= h >> 29;
    double x = static_cast<double>(h % 2000001) / 1000000.0 - 1.0;
    v[static_cast<size_t>(i)] = static_cast<float>(x);
    norm += x * x;
  }
  norm = std::sqrt(norm);
  if (norm > 0)
    for (float& x : v) x = static_cast<float>(x / norm);
  return v;
}

WireJson embeddings_body(const nlohmann::json& request, int default_dims, std::string* error) {
  if (!request.is_object() || !request.contains("input")) {
    *error = "'input' is a required property";
    return nullptr;
  }
  std::vector<std::string> inputs;
  const nlohmann::json& input = request["input"];
  if (input.is_string()) {
    inputs.push_back(input.get<std::string>());
  } else if (input.is_array()) {
    for (const nlohmann::json& x : input) inputs.push_back(x.is_string() ? x.get<std::string>() : x.dump());
  } else {
    *error = "'input' must be a string or an array";
    return nullptr;
  }
  int dims = default_dims;
  if (request.contains("dimensions") && request["dimensions"].is_number_integer())
    dims = request["dimensions"].get<int>();
  if (dims <= 0 || dims > 4096) {
    *error = "'dimensions' must be between 1 and 4096";
    return nullptr;
  }
  WireJson data = WireJson::array();
  int64_t tokens = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", embed_text(inputs[i], dims)}});
    tokens += approx_tokens(inputs[i]);
  }
  std::string model = request.contains("model") && request["model"].is_string()
                          ? request["model"].get<std::string>()
                          : "fake-embedding";
  return {{"object", "list"}, {"data", data}, {"model", model},
          {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
}

}  // namespace bastion::fake_server
