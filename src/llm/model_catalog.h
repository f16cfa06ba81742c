// ModelCatalog: what Bastion knows about a model it did not train: context
// window, output cap, list prices and preferred edit format.
//
// Context management needs the window to compact before the server says no;
// cost displays and budgets need prices. The built-in table covers the common
// self-hosted and domestic models (Qwen3-Coder, Qwen3 Max/Plus, DeepSeek
// V3.x/R1, GLM-4.x, Kimi K2); names match loosely ("Qwen/Qwen3-Coder-480B-
// A35B-Instruct-FP8", "qwen3-coder:30b" and "qwen3-coder-plus" all resolve).
// Unknown names get a conservative default. Config overrides (per model
// name) win over the table. Prices are list prices in USD per 1M tokens and
// change; set your contract's prices in config.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llm/message.h"
#include "util/json.h"
#include "util/result.h"

namespace bastion::llm {

struct ModelInfo {
  std::string id;            // catalog entry id ("qwen3-coder-480b", "default")
  std::string display_name;  // "Qwen3-Coder 480B-A35B"
  int64_t context_window = 32768;
  int64_t max_output_tokens = 8192;
  double input_usd_per_mtok = 0;
  double cached_input_usd_per_mtok = 0;
  double output_usd_per_mtok = 0;
  std::string edit_format = "edit";  // "edit" (exact string replace) | "whole" | "patch"
  bool known = false;                // false for the default entry
};

class ModelCatalog {
 public:
  ModelCatalog();  // the built-in table

  // The best entry for a model name the endpoint uses; the default when none matches.
  ModelInfo lookup(std::string_view model_name) const;

  // Overrides from config: {"<model name or pattern>": {"context_window": N,
  // "max_output_tokens": N, "input_price": $, "cached_input_price": $,
  // "output_price": $, "edit_format": "edit"}}. Unknown names add entries.
  // kConfig error naming the bad key; nothing is applied then.
  Status apply_overrides(const Json& overrides);

  const std::vector<ModelInfo>& entries() const { return entries_; }

 private:
  struct Pattern {
    std::string needle;  // lower-case substring of a normalised name
    size_t entry;
  };
  std::vector<ModelInfo> entries_;
  std::vector<Pattern> patterns_;     // most specific first
  std::vector<Pattern> overrides_;    // exact or substring, checked first
};

// The process-wide catalog (built-in table plus whatever overrides the CLI applied).
ModelCatalog& model_catalog();

// Cost of a reply: uncached input, cached input and output at the entry's prices.
double cost_usd(const ModelInfo& model, const Usage& usage);

// Lower-cased, without an org prefix ("Qwen/") or an Ollama tag separator
// turned into '-' ("qwen3-coder:30b" -> "qwen3-coder-30b").
std::string normalise_model_name(std::string_view name);

}  // namespace bastion::llm
