#include "llm/model_catalog.h"

#include <algorithm>
#include <type_traits>

#include "util/strings.h"

namespace bastion::llm {
namespace {

struct Row {
  const char* id;
  const char* display;
  int64_t ctx, max_out;
  double in, cached, out;
  const char* edit_format;
  std::vector<const char*> needles;  // most specific rows come first in the table
};

// List prices (USD per 1M tokens) from the vendors' international price
// pages in 2025; the lowest tier where prices depend on prompt length.
const std::vector<Row>& table() {
  static const std::vector<Row> kRows = {
      {"qwen3-coder-30b", "Qwen3-Coder 30B-A3B", 262144, 65536, 0.30, 0.06, 1.50, "edit",
       {"qwen3-coder-30b", "qwen3-coder-flash"}},
      {"qwen3-coder-480b", "Qwen3-Coder 480B-A35B", 262144, 65536, 1.00, 0.10, 5.00, "edit",
       {"qwen3-coder-480b", "qwen3-coder-plus", "qwen3-coder"}},
      {"qwen3-max", "Qwen3 Max", 262144, 65536, 1.20, 0.24, 6.00, "edit", {"qwen3-max", "qwen-max"}},
      {"qwen3-plus", "Qwen3 Plus", 131072, 32768, 0.40, 0.08, 1.20, "edit", {"qwen3-plus", "qwen-plus"}},
      {"deepseek-r1", "DeepSeek R1", 131072, 65536, 0.55, 0.14, 2.19, "edit",
       {"deepseek-r1", "deepseek-reasoner"}},
      {"deepseek-v3.2", "DeepSeek V3.2", 131072, 8192, 0.28, 0.028, 0.42, "edit",
       {"deepseek-v3.2", "deepseek-v3-2"}},
      {"deepseek-v3", "DeepSeek V3 / V3.1", 131072, 8192, 0.27, 0.07, 1.10, "edit",
       {"deepseek-v3", "deepseek-chat"}},
      {"glm-4.6", "GLM-4.6", 204800, 131072, 0.60, 0.11, 2.20, "edit", {"glm-4.6", "glm-4-6"}},
      {"glm-4.5-air", "GLM-4.5-Air", 131072, 98304, 0.20, 0.03, 1.10, "edit",
       {"glm-4.5-air", "glm-4-5-air"}},
      {"glm-4.5", "GLM-4.5", 131072, 98304, 0.60, 0.11, 2.20, "edit", {"glm-4.5", "glm-4-5", "glm-4"}},
      {"kimi-k2", "Kimi K2", 262144, 16384, 0.60, 0.15, 2.50, "edit", {"kimi-k2", "moonshot-v1"}},
  };
  return kRows;
}

ModelInfo default_info() {
  ModelInfo m;
  m.id = "default";
  m.display_name = "unknown model (conservative defaults)";
  return m;
}

}  // namespace

std::string normalise_model_name(std::string_view name) {
  std::string s = str::to_lower(str::trim(name));
  if (auto slash = s.rfind('/'); slash != std::string::npos) s = s.substr(slash + 1);
  for (char& c : s) {
    if (c == ':' || c == '_' || c == ' ') c = '-';
  }
  return s;
}

ModelCatalog::ModelCatalog() {
  for (const Row& r : table()) {
    ModelInfo m;
    m.id = r.id;
    m.display_name = r.display;
    m.context_window = r.ctx;
    m.max_output_tokens = r.max_out;
    m.input_usd_per_mtok = r.in;
    m.cached_input_usd_per_mtok = r.cached;
    m.output_usd_per_mtok = r.out;
    m.edit_format = r.edit_format;
    m.known = true;
    entries_.push_back(m);
    for (const char* n : r.needles) patterns_.push_back({n, entries_.size() - 1});
  }
}

ModelInfo ModelCatalog::lookup(std::string_view model_name) const {
  std::string n = normalise_model_name(model_name);
  for (const Pattern& p : overrides_) {
    if (n == p.needle) return entries_[p.entry];
  }
  for (const Pattern& p : overrides_) {
    if (n.find(p.needle) != std::string::npos) return entries_[p.entry];
  }
  for (const Pattern& p : patterns_) {
    if (n.find(p.needle) != std::string::npos) return entries_[p.entry];
  }
  return default_info();
}

Status ModelCatalog::apply_overrides(const Json& overrides) {
  if (overrides.is_null()) return ok_status();
  if (!overrides.is_object()) {
    return make_error(ErrorKind::kConfig, "model overrides must be a table of model names");
  }
  std::vector<std::pair<std::string, ModelInfo>> staged;
  for (auto& entry : overrides.items()) {
    const std::string& name = entry.key();
    const Json& fields = entry.value();
    if (!fields.is_object()) {
      return make_error(ErrorKind::kConfig, "models." + name + " must be a table");
    }
    ModelInfo m = lookup(name);
    if (!m.known) m = default_info();
    m.id = normalise_model_name(name);
    m.display_name = name;
    m.known = true;
    for (auto& item : fields.items()) {
      const std::string& key = item.key();
      const Json& v = item.value();
      auto need_number = [&](auto* out) -> Status {
        if (!v.is_number() || v.get<double>() < 0) {
          return make_error(ErrorKind::kConfig,
                            "models." + name + "." + key + " must be a non-negative number");
        }
        *out = static_cast<std::remove_pointer_t<decltype(out)>>(v.get<double>());
        return ok_status();
      };
      Status st = ok_status();
      if (key == "context_window") st = need_number(&m.context_window);
      else if (key == "max_output_tokens" || key == "max_output") st = need_number(&m.max_output_tokens);
      else if (key == "input_price") st = need_number(&m.input_usd_per_mtok);
      else if (key == "cached_input_price") st = need_number(&m.cached_input_usd_per_mtok);
      else if (key == "output_price") st = need_number(&m.output_usd_per_mtok);
      else if (key == "edit_format") {
        std::string f = v.is_string() ? v.get<std::string>() : "";
        if (f != "edit" && f != "whole" && f != "patch") {
          return make_error(ErrorKind::kConfig, "models." + name +
                                                    ".edit_format must be \"edit\", \"whole\" or \"patch\"");
        }
        m.edit_format = f;
      } else {
        return make_error(ErrorKind::kConfig, "models." + name + "." + key +
                                                  " is not a known setting (context_window, "
                                                  "max_output_tokens, input_price, cached_input_price, "
                                                  "output_price, edit_format)");
      }
      if (!st.ok()) return st;
    }
    staged.emplace_back(normalise_model_name(name), m);
  }
  for (auto& [needle, m] : staged) {
    entries_.push_back(m);
    overrides_.insert(overrides_.begin(), Pattern{needle, entries_.size() - 1});
  }
  return ok_status();
}

ModelCatalog& model_catalog() {
  static ModelCatalog catalog;
  return catalog;
}

double cost_usd(const ModelInfo& m, const Usage& u) {
  int64_t cached = std::min(u.cached_input_tokens, u.input_tokens);
  double uncached = static_cast<double>(u.input_tokens - cached);
  return (uncached * m.input_usd_per_mtok + static_cast<double>(cached) * m.cached_input_usd_per_mtok +
          static_cast<double>(u.output_tokens) * m.output_usd_per_mtok) /
         1e6;
}

}  // namespace bastion::llm
