// The endpoints that don't consume scenario turns: model lists (OpenAI or
// Anthropic shape) and deterministic embeddings, plus the 404 answer for
// paths a real server doesn't have.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reply_plan.h"

namespace bastion::fake_server {

// GET /v1/models. Anthropic's shape when the client sent anthropic-version.
WireJson models_body(const std::vector<std::string>& models, bool anthropic);

// POST /v1/embeddings: one unit vector per input, derived from its text, so
// equal inputs get equal vectors. *error is set for a malformed request.
WireJson embeddings_body(const nlohmann::json& request, int default_dims,
                               std::string* error);

// Deterministic unit vector for a text.
std::vector<float> embed_text(const std::string& text, int dims);

}  // namespace bastion::fake_server
