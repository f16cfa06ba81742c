#include "llm/bpe_tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <simdjson.h>
#include <utf8proc.h>

#include <cstdlib>
#include <queue>

namespace bastion::llm {
namespace {

void append_utf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// GPT-2's reversible byte -> printable code point map.
uint32_t byte_to_codepoint(int b) {
  static uint32_t table[256];
  static bool ready = [] {
    int n = 0;
    for (int i = 0; i < 256; ++i) {
      bool direct = (i >= 33 && i <= 126) || (i >= 161 && i <= 172) || (i >= 174 && i <= 255);
      table[i] = direct ? static_cast<uint32_t>(i) : static_cast<uint32_t>(256 + n++);
    }
    return true;
  }();
  (void)ready;
  return table[b];
}

uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

}  // namespace

BpeTokenizer::~BpeTokenizer() {
  if (match_data_) pcre2_match_data_free(static_cast<pcre2_match_data*>(match_data_));
  if (regex_) pcre2_code_free(static_cast<pcre2_code*>(regex_));
}

Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::load(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::padded_string json;
  if (simdjson::padded_string::load(path).get(json)) {
    return make_error(ErrorKind::kNotFound, "cannot read tokenizer data " + path);
  }
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc)) {
    return make_error(ErrorKind::kBadInput, path + " is not valid JSON");
  }
  std::unique_ptr<BpeTokenizer> t(new BpeTokenizer());
  simdjson::dom::object vocab;
  simdjson::dom::array merges;
  if (doc["model"]["vocab"].get(vocab) || doc["model"]["merges"].get(merges)) {
    return make_error(ErrorKind::kBadInput, path + " has no BPE model.vocab/merges");
  }
  for (auto field : vocab) {
    int64_t id = 0;
    if (field.value.get(id) || id < 0 || id > 10'000'000) continue;
    std::string tok(field.key);
    if (static_cast<size_t>(id) >= t->id_to_token_.size()) t->id_to_token_.resize(id + 1);
    t->id_to_token_[id] = tok;
    t->token_to_id_.emplace(std::move(tok), static_cast<int32_t>(id));
  }
  uint32_t rank = 0;
  t->merges_.reserve(merges.size());
  for (auto m : merges) {
    std::string a, b;
    simdjson::dom::array pair;
    std::string_view s;
    if (!m.get(pair)) {  // ["a","b"]
      std::string_view x, y;
      auto it = pair.begin();
      if (it == pair.end() || (*it).get(x)) continue;
      ++it;
      if (it == pair.end() || (*it).get(y)) continue;
      a = x;
      b = y;
    } else if (!m.get(s)) {  // "a b"
      size_t sp = s.find(' ');
      if (sp == std::string_view::npos) continue;
      a = s.substr(0, sp);
      b = s.substr(sp + 1);
    } else {
      continue;
    }
    auto ia = t->token_to_id_.find(a), ib = t->token_to_id_.find(b), im = t->token_to_id_.find(a + b);
    if (ia == t->token_to_id_.end() || ib == t->token_to_id_.end() || im == t->token_to_id_.end()) continue;
    t->merges_.emplace(pair_key(ia->second, ib->second),
                       (static_cast<uint64_t>(rank++) << 32) | static_cast<uint32_t>(im->second));
  }
  simdjson::dom::array added;
  if (!doc["added_tokens"].get(added)) {
    for (auto a : added) {
      std::string_view content;
      int64_t id = 0;
      if (a["content"].get(content) || a["id"].get(id)) continue;
      t->added_.emplace_back(std::string(content), static_cast<int32_t>(id));
    }
  }
  for (int b = 0; b < 256; ++b) {
    std::string ch;
    append_utf8(&ch, byte_to_codepoint(b));
    auto it = t->token_to_id_.find(ch);
    if (it == t->token_to_id_.end()) {
      return make_error(ErrorKind::kBadInput, path + " is not a byte-level BPE vocabulary");
    }
    t->byte_id_[b] = it->second;
  }
  std::string_view pattern;
  simdjson::dom::array pres;
  if (!doc["pre_tokenizer"]["pretokenizers"].get(pres)) {
    for (auto p : pres) {
      std::string_view type;
      if (!p["type"].get(type) && type == "Split" && !p["pattern"]["Regex"].get(pattern)) break;
    }
  }
  if (pattern.empty()) return make_error(ErrorKind::kBadInput, path + " has no Split pre-tokenizer regex");
  int err = 0;
  PCRE2_SIZE off = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &err, &off, nullptr);
  if (!re) return make_error(ErrorKind::kBadInput, path + ": pre-tokenizer regex does not compile");
  pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
  t->regex_ = re;
  t->match_data_ = pcre2_match_data_create_from_pattern(re, nullptr);
  return t;
}

void BpeTokenizer::bpe_piece(std::string_view piece, std::vector<int32_t>* out) {
  auto cached = cache_.find(std::string(piece));
  if (cached != cache_.end()) {
    out->insert(out->end(), cached->second.begin(), cached->second.end());
    return;
  }
  // Doubly linked list of symbols + a min-heap of (rank, position) candidates.
  size_t n = piece.size();
  std::vector<int32_t> sym(n);
  std::vector<int> prev(n), next(n);
  for (size_t i = 0; i < n; ++i) {
    sym[i] = byte_id_[static_cast<unsigned char>(piece[i])];
    prev[i] = static_cast<int>(i) - 1;
    next[i] = i + 1 < n ? static_cast<int>(i + 1) : -1;
  }
  using Cand = std::pair<uint64_t, int>;  // (rank << 32 | merged, left position)
  std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> heap;
  auto push = [&](int left) {
    if (left < 0 || next[left] < 0) return;
    auto it = merges_.find(pair_key(sym[left], sym[next[left]]));
    if (it != merges_.end()) heap.push({it->second, left});
  };
  for (int i = 0; i + 1 < static_cast<int>(n); ++i) push(i);
  while (!heap.empty()) {
    auto [key, left] = heap.top();
    heap.pop();
    int right = next[left];
    if (sym[left] < 0 || right < 0) continue;
    auto it = merges_.find(pair_key(sym[left], sym[right]));
    if (it == merges_.end() || it->second != key) continue;  // stale
    sym[left] = static_cast<int32_t>(key & 0xffffffffu);
    sym[right] = -1;
    next[left] = next[right];
    if (next[right] >= 0) prev[next[right]] = left;
    push(prev[left]);
    push(left);
  }
  std::vector<int32_t> ids;
  for (int i = n ? 0 : -1; i >= 0; i = next[i]) ids.push_back(sym[i]);
  out->insert(out->end(), ids.begin(), ids.end());
  if (cache_.size() < 200000) cache_.emplace(std::string(piece), std::move(ids));
}

void BpeTokenizer::encode_span(std::string_view span, std::vector<int32_t>* out) {
  if (span.empty()) return;
  std::string normalised;
  utf8proc_uint8_t* nfc = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(std::string(span).c_str()));
  if (nfc) {
    normalised = reinterpret_cast<char*>(nfc);
    std::free(nfc);
  } else {
    normalised.assign(span);  // invalid UTF-8: tokenise the raw bytes
  }
  auto* re = static_cast<pcre2_code*>(regex_);
  auto* md = static_cast<pcre2_match_data*>(match_data_);
  auto subject = reinterpret_cast<PCRE2_SPTR>(normalised.data());
  size_t len = normalised.size(), pos = 0, last = 0;
  while (pos <= len) {
    int rc = pcre2_match(re, subject, len, pos, 0, md, nullptr);
    if (rc < 0) break;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    size_t s = ov[0], e = ov[1];
    if (s > last) bpe_piece(std::string_view(normalised).substr(last, s - last), out);  // gap: Isolated keeps it
    if (e > s) bpe_piece(std::string_view(normalised).substr(s, e - s), out);
    last = e;
    pos = e > s ? e : e + 1;
    while (pos < len && (static_cast<unsigned char>(normalised[pos]) & 0xC0) == 0x80) ++pos;
  }
  if (last < len) bpe_piece(std::string_view(normalised).substr(last), out);
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view text) {
  std::vector<int32_t> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t best = std::string_view::npos, best_len = 0;
    int32_t best_id = 0;
    for (const auto& [content, id] : added_) {
      size_t f = text.find(content, pos);
      if (f != std::string_view::npos && (f < best || (f == best && content.size() > best_len))) {
        best = f;
        best_len = content.size();
        best_id = id;
      }
    }
    if (best == std::string_view::npos) {
      encode_span(text.substr(pos), &out);
      break;
    }
    encode_span(text.substr(pos, best - pos), &out);
    out.push_back(best_id);
    pos = best + best_len;
  }
  return out;
}

int64_t BpeTokenizer::count(std::string_view text) { return static_cast<int64_t>(encode(text).size()); }

}  // namespace bastion::llm
