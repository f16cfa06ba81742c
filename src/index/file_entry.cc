#include "index/file_entry.h"

#include <xxhash.h>

#include <algorithm>
#include <unordered_map>

#include "index/tokenize.h"

namespace bastion::index {
namespace {

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

struct Reader {
  std::string_view d;
  size_t pos = 0;
  bool ok = true;
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= d.size()) {
        ok = false;
        return 0;
      }
      uint8_t b = static_cast<uint8_t>(d[pos++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
  std::string string() { return std::string(view()); }
  // The next string, without copying: valid as long as the data.
  std::string_view view() {
    uint64_t n = varint();
    if (!ok || n > d.size() - pos) {
      ok = false;
      return {};
    }
    std::string_view s = d.substr(pos, n);
    pos += n;
    return s;
  }
};

constexpr uint8_t kEncodingVersion = 1;

}  // namespace

uint64_t content_hash(std::string_view content) {
  return XXH3_64bits(content.data(), content.size());
}

namespace {

uint32_t count_lines(std::string_view content) {
  return static_cast<uint32_t>(std::count(content.begin(), content.end(), '\n') +
                               (!content.empty() && content.back() != '\n'));
}

bool is_path_term(const std::string& t) {
  return t.size() >= 2 && t[1] == ':' && (t[0] == 'P' || t[0] == 'F');
}

// Path words live in the same postings under prefixes ("P:" any part of the
// path, "F:" the file name), outside the BM25 document length. Content terms
// never hold ':', so the two never collide.
void add_path_terms(const std::string& path,
                    std::vector<std::pair<std::string, uint32_t>>& terms) {
  size_t slash = path.rfind('/');
  for (auto& t : path_terms(path)) terms.emplace_back("P:" + t, 1);
  for (auto& t : path_terms(slash == std::string::npos ? path : path.substr(slash + 1)))
    terms.emplace_back("F:" + t, 1);
}

}  // namespace

bool is_generated(std::string_view content) {
  constexpr size_t kMaxParseBytes = 512 * 1024;
  constexpr size_t kMaxMeanLine = 250;
  if (content.size() > kMaxParseBytes) return true;
  return content.size() > 4096 && content.size() / std::max<uint32_t>(1, count_lines(content)) >
                                      kMaxMeanLine;
}

void analyze_file(std::string_view content, FileEntry& e, bool parse_symbols) {
  e.hash = content_hash(content);
  e.lang = lang_for_path(e.path);
  e.lines = count_lines(content);
  e.symbols = FileSymbols{};
  if (e.lang != Lang::kNone && !is_generated(content)) {
    if (parse_symbols) e.symbols = extract_symbols(e.lang, content);
    else e.symbols.pending = true;
  }
  thread_local TermCounts counts;
  counts.clear();
  e.term_count = static_cast<uint32_t>(count_terms(content, counts));
  e.terms.clear();
  e.terms.reserve(counts.size() + 16);
  for (auto& [t, n] : counts) e.terms.emplace_back(t, n);
  add_path_terms(e.path, e.terms);
  std::sort(e.terms.begin(), e.terms.end());
}

void analyze_file_like(const FileEntry& twin, FileEntry& e) {
  e.hash = twin.hash;
  e.lang = twin.lang;
  e.lines = twin.lines;
  e.symbols = twin.symbols;
  e.terms.clear();
  e.terms.reserve(twin.terms.size());
  for (const auto& t : twin.terms)
    if (!is_path_term(t.first)) e.terms.push_back(t);
  add_path_terms(e.path, e.terms);
  std::sort(e.terms.begin(), e.terms.end());
  e.term_count = twin.term_count;
}

// The first varint of encoded symbols: 0 not parsed, 1 parsed, 2 pending.
constexpr uint64_t kSymbolsPending = 2;

void encode_symbols(const FileSymbols& symbols, std::string& out) {
  put_varint(out, symbols.pending ? kSymbolsPending : symbols.parsed ? 1 : 0);
  put_varint(out, symbols.defs.size());
  for (const Symbol& s : symbols.defs) {
    put_string(out, s.name);
    put_varint(out, static_cast<uint8_t>(s.kind));
    put_varint(out, s.line);
    put_varint(out, s.end_line);
    put_string(out, s.signature);
  }
  put_varint(out, symbols.refs.size());
  for (auto& [name, n] : symbols.refs) {
    put_string(out, name);
    put_varint(out, n);
  }
}

std::string encode_entry_data(const FileEntry& e) {
  std::string out;
  out += static_cast<char>(kEncodingVersion);
  out += static_cast<char>(e.lang);
  put_varint(out, e.lines);
  encode_symbols(e.symbols, out);
  put_varint(out, e.terms.size());
  for (auto& [t, n] : e.terms) {
    put_string(out, t);
    put_varint(out, n);
  }
  put_varint(out, e.term_count);
  return out;
}

namespace {

bool read_symbols(Reader& r, FileSymbols& symbols) {
  const size_t limit = r.d.size();
  uint64_t state = r.varint();
  symbols.parsed = state == 1;
  symbols.pending = state == kSymbolsPending;
  uint64_t ndefs = r.varint();
  if (!r.ok || ndefs > limit) return false;
  symbols.defs.resize(ndefs);
  for (Symbol& s : symbols.defs) {
    s.name = r.string();
    uint64_t k = r.varint();
    s.kind = k <= static_cast<uint64_t>(SymbolKind::kOther) ? static_cast<SymbolKind>(k)
                                                            : SymbolKind::kOther;
    s.line = static_cast<uint32_t>(r.varint());
    s.end_line = static_cast<uint32_t>(r.varint());
    s.signature = r.string();
  }
  uint64_t nrefs = r.varint();
  if (!r.ok || nrefs > limit) return false;
  symbols.refs.resize(nrefs);
  for (auto& [name, n] : symbols.refs) {
    name = r.string();
    n = static_cast<uint32_t>(r.varint());
  }
  return r.ok;
}

}  // namespace

bool symbols_pending(std::string_view data) {
  return !data.empty() && static_cast<uint8_t>(data[0]) == kSymbolsPending;
}

bool decode_refs(std::string_view data, std::vector<std::pair<std::string_view, uint32_t>>& refs) {
  refs.clear();
  Reader r{data, 0};
  r.varint();  // state
  uint64_t ndefs = r.varint();
  if (!r.ok || ndefs > data.size()) return false;
  for (uint64_t i = 0; i < ndefs && r.ok; ++i) {
    r.view();    // name
    r.varint();  // kind
    r.varint();  // line
    r.varint();  // end line
    r.view();    // signature
  }
  uint64_t nrefs = r.varint();
  if (!r.ok || nrefs > data.size()) return false;
  refs.resize(nrefs);
  for (auto& [name, n] : refs) {
    name = r.view();
    n = static_cast<uint32_t>(r.varint());
  }
  if (!r.ok || r.pos != data.size()) {
    refs.clear();
    return false;
  }
  return true;
}

bool decode_symbols(std::string_view data, FileSymbols& symbols) {
  Reader r{data, 0};
  return read_symbols(r, symbols) && r.pos == data.size();
}

bool decode_entry_data(std::string_view data, FileEntry& e) {
  if (data.size() < 2 || static_cast<uint8_t>(data[0]) != kEncodingVersion) return false;
  Reader r{data, 1};
  uint8_t lang = static_cast<uint8_t>(data[r.pos++]);
  e.lang = lang <= static_cast<uint8_t>(Lang::kJava) ? static_cast<Lang>(lang) : Lang::kNone;
  e.lines = static_cast<uint32_t>(r.varint());
  if (!read_symbols(r, e.symbols)) return false;
  uint64_t nterms = r.varint();
  if (!r.ok || nterms > data.size()) return false;
  e.terms.resize(nterms);
  for (auto& [t, n] : e.terms) {
    t = r.string();
    n = static_cast<uint32_t>(r.varint());
  }
  e.term_count = static_cast<uint32_t>(r.varint());
  return r.ok && r.pos == data.size();
}

}  // namespace bastion::index
