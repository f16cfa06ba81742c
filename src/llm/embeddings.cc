#include "llm/embeddings.h"

#include "util/json.h"

namespace bastion::llm {

Result<std::vector<std::vector<float>>> embed_texts(http::HttpClient& client,
                                                    const EmbeddingsEndpoint& endpoint,
                                                    const std::vector<std::string>& inputs) {
  std::vector<std::vector<float>> out;
  if (inputs.empty()) return out;
  std::string url = endpoint.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/embeddings";
  http::Request req;
  req.method = "POST";
  req.url = url;
  req.headers = {{"Content-Type", "application/json"}};
  if (!endpoint.api_key.empty()) req.headers.push_back({"Authorization", "Bearer " + endpoint.api_key});
  req.body = dump_json(Json{{"model", endpoint.model}, {"input", inputs}});
  req.timeout_ms = 300000;
  auto resp = client.perform(req);
  if (!resp.ok()) return resp.error();
  const std::string where = "embeddings endpoint " + url;
  if (resp->status < 200 || resp->status >= 300) {
    std::string detail = resp->body.substr(0, 300);
    return make_error(ErrorKind::kModel, where + " answered HTTP " + std::to_string(resp->status) +
                                               (detail.empty() ? "" : ": " + detail));
  }
  auto body = parse_json(resp->body, where);
  if (!body.ok()) return body.error();
  const Json& data = body.value().is_object() && body.value().contains("data") ? body.value()["data"] : Json();
  if (!data.is_array() || data.size() != inputs.size())
    return make_error(ErrorKind::kModel, where + " returned " +
                                                (data.is_array() ? std::to_string(data.size()) : "no") +
                                                " embeddings for " + std::to_string(inputs.size()) + " inputs");
  out.assign(inputs.size(), {});
  size_t dims = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const Json& item = data[i];
    size_t at = item.is_object() && item.contains("index") && item["index"].is_number_unsigned()
                    ? item["index"].get<size_t>()
                    : i;
    const Json& vec = item.is_object() && item.contains("embedding") ? item["embedding"] : Json();
    if (at >= out.size() || !vec.is_array() || vec.empty())
      return make_error(ErrorKind::kModel, where + " returned a malformed embedding at " + std::to_string(i));
    std::vector<float>& v = out[at];
    if (!v.empty())
      return make_error(ErrorKind::kModel, where + " returned two embeddings for input " + std::to_string(at) +
                                               " and left an input without an embedding");
    v.reserve(vec.size());
    for (const Json& x : vec) {
      if (!x.is_number()) return make_error(ErrorKind::kModel, where + " returned a non-numeric embedding value");
      v.push_back(x.get<float>());
    }
    if (dims == 0) dims = v.size();
    if (v.size() != dims) return make_error(ErrorKind::kModel, where + " returned embeddings of different sizes");
  }
  for (const auto& v : out)
    if (v.empty()) return make_error(ErrorKind::kModel, where + " left an input without an embedding");
  return out;
}

}  // namespace bastion::llm
