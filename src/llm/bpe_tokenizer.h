// BpeTokenizer: a byte-level BPE tokenizer loaded from a Hugging Face
// `tokenizer.json` (the format Qwen, DeepSeek and GLM ship), used to count
// tokens exactly as the model's server will.
//
// Pipeline, as the `tokenizers` library does it for Qwen3: added (special)
// tokens are split out first; each remaining span is NFC-normalised
// (utf8proc), cut by the pre-tokenizer Split regex (PCRE2 with UCP, as the
// pattern needs \p{L} and a lookahead), mapped byte-to-unicode (GPT-2), and
// merged by rank. Counts of repeated pieces are cached.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/result.h"

namespace bastion::llm {

class BpeTokenizer {
 public:
  // Loads tokenizer.json. kNotFound / kBadInput with the path on failure.
  static Result<std::unique_ptr<BpeTokenizer>> load(const std::string& path);
  ~BpeTokenizer();

  std::vector<int32_t> encode(std::string_view text);
  int64_t count(std::string_view text);

  size_t vocab_size() const { return id_to_token_.size(); }

 private:
  BpeTokenizer() = default;
  void encode_span(std::string_view span, std::vector<int32_t>* out);
  void bpe_piece(std::string_view piece, std::vector<int32_t>* out);

  std::unordered_map<std::string, int32_t> token_to_id_;
  std::vector<std::string> id_to_token_;
  // (left id << 32 | right id) -> (rank << 32 | merged id)
  std::unordered_map<uint64_t, uint64_t> merges_;
  std::vector<std::pair<std::string, int32_t>> added_;  // special tokens
  int32_t byte_id_[256] = {};
  std::unordered_map<std::string, std::vector<int32_t>> cache_;
  void* regex_ = nullptr;       // pcre2_code*
  void* match_data_ = nullptr;  // pcre2_match_data*
};

}  // namespace bastion::llm
