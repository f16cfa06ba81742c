#include "llm/tokenizer.h"

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "llm/bpe_tokenizer.h"
#include "util/fs.h"

namespace bastion::llm {
namespace {

constexpr const char* kRelative = "tokenizers/qwen3/tokenizer.json";

std::string exe_dir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string p(buf, static_cast<size_t>(n));
  return p.substr(0, p.rfind('/'));
}

std::string find_data() {
  if (const char* env = std::getenv("BASTION_TOKENIZER_PATH"); env && *env) {
    return fs::exists(env) ? env : "";
  }
  std::vector<std::string> candidates;
  if (std::string d = exe_dir(); !d.empty()) {
    candidates.push_back(d + "/../share/bastion/" + kRelative);  // build/bin -> build/share
  }
#ifdef BASTION_QWEN3_TOKENIZER_PATH
  candidates.push_back(BASTION_QWEN3_TOKENIZER_PATH);
#endif
  candidates.push_back(fs::cache_dir() + "/" + kRelative);
  for (auto& c : candidates) {
    if (fs::exists(c)) return c;
  }
  return "";
}

struct State {
  std::mutex mu;
  bool tried = false;
  std::string path;
  std::unique_ptr<BpeTokenizer> bpe;
};

State& state() {
  static State s;
  return s;
}

// Loads once; returns the tokenizer or nullptr. Caller holds the lock.
BpeTokenizer* load_locked(State& s) {
  if (!s.tried) {
    s.tried = true;
    s.path = find_data();
    if (!s.path.empty()) {
      auto r = BpeTokenizer::load(s.path);
      if (r.ok()) s.bpe = std::move(r).value();
    }
  }
  return s.bpe.get();
}

bool exact_by_default() {
  const char* v = std::getenv("BASTION_EXACT_TOKENS");
  return v && (std::string(v) == "1" || std::string(v) == "true");
}

}  // namespace

int64_t estimate_tokens(std::string_view text) {
  // ASCII: ~3.6 bytes per token on code. Multi-byte UTF-8 (CJK, emoji): each
  // code point is roughly one token.
  int64_t ascii = 0, wide = 0;
  for (unsigned char c : text) {
    if (c < 0x80) ++ascii;
    else if ((c & 0xC0) != 0x80) ++wide;  // a lead byte starts a code point
  }
  return static_cast<int64_t>(static_cast<double>(ascii) / 3.6 + 0.5) + wide;
}

int64_t count_tokens_exact(std::string_view text) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (BpeTokenizer* t = load_locked(s)) return t->count(text);
  return estimate_tokens(text);
}

int64_t count_tokens(std::string_view text) {
  State& s = state();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.bpe) return s.bpe->count(text);
    if (s.tried || !exact_by_default()) return estimate_tokens(text);
  }
  return count_tokens_exact(text);
}

bool exact_tokenizer_available() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  return load_locked(s) != nullptr;
}

std::string tokenizer_data_path() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (!s.tried) return find_data();
  return s.bpe ? s.path : "";
}

}  // namespace bastion::llm
