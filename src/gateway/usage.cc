#include "gateway/usage.h"

#include <optional>

namespace bastion::gateway {
namespace {

int64_t get_int(const Json& obj, const char* key) {
  if (!obj.is_object()) return 0;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return 0;
  return it->get<int64_t>();
}

void read_openai(const Json& u, Usage& out) {
  if (!u.is_object()) return;
  out.reported = true;
  out.input_tokens = get_int(u, "prompt_tokens");
  out.output_tokens = get_int(u, "completion_tokens");
  if (auto d = u.find("prompt_tokens_details"); d != u.end())
    out.cached_tokens = get_int(*d, "cached_tokens");
  if (auto d = u.find("completion_tokens_details"); d != u.end())
    out.reasoning_tokens = get_int(*d, "reasoning_tokens");
  // Embeddings report only prompt_tokens/total_tokens.
  if (out.input_tokens == 0 && out.output_tokens == 0) out.input_tokens = get_int(u, "total_tokens");
}

// Anthropic counts cache reads/writes apart from input_tokens; we fold them
// in so input_tokens always means "all prompt tokens".
void read_anthropic(const Json& u, Usage& out, bool is_delta) {
  if (!u.is_object()) return;
  out.reported = true;
  if (u.contains("input_tokens") || !is_delta) {
    int64_t read = get_int(u, "cache_read_input_tokens");
    int64_t write = get_int(u, "cache_creation_input_tokens");
    int64_t in = get_int(u, "input_tokens") + read + write;
    if (!is_delta || in > 0) {
      out.input_tokens = in;
      out.cached_tokens = read;
      out.cache_write_tokens = write;
    }
  }
  if (u.contains("output_tokens")) out.output_tokens = get_int(u, "output_tokens");
}

// Bytes inside the string values of the keys that carry generated text in
// either protocol's stream events, found by scanning (no JSON parse per event).
int64_t generated_text_bytes(std::string_view payload) {
  static constexpr std::string_view kKeys[] = {"\"content\"", "\"text\"", "\"arguments\"", "\"partial_json\"",
                                               "\"thinking\"", "\"reasoning_content\"", "\"reasoning\""};
  int64_t n = 0;
  for (std::string_view key : kKeys) {
    for (size_t pos = payload.find(key); pos != std::string_view::npos; pos = payload.find(key, pos)) {
      size_t i = pos + key.size();
      while (i < payload.size() && (payload[i] == ' ' || payload[i] == ':')) ++i;
      pos = i;
      if (i >= payload.size() || payload[i] != '"') continue;
      for (++i; i < payload.size() && payload[i] != '"'; ++i) {
        if (payload[i] == '\\') ++i;
        ++n;
      }
      pos = i;
    }
  }
  return n;
}

Usage read_usage(const Json& u, Protocol protocol) {
  Usage out;
  if (protocol == Protocol::kAnthropic && u.is_object() && u.contains("input_tokens")) read_anthropic(u, out, false);
  else read_openai(u, out);
  return out;
}

// A structural scanner for usage_from_body: each returns the index just
// past what starts at `i`, or kCut when the body ends first. Scalars are
// taken up to the next delimiter without checking their spelling.
constexpr size_t kCut = std::string_view::npos;

size_t skip_ws(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  return i;
}

size_t skip_string(std::string_view s, size_t i) {  // s[i] == '"'
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') ++i;
    else if (s[i] == '"') return i + 1;
  }
  return kCut;
}

size_t skip_value(std::string_view s, size_t i) {
  if (i >= s.size()) return kCut;
  if (s[i] == '"') return skip_string(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c == '"') {
        i = skip_string(s, i);
        if (i == kCut) return kCut;
        --i;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        return i + 1;
      }
    }
    return kCut;
  }
  size_t start = i;
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' &&
         s[i] != '\r' && s[i] != '\t')
    ++i;
  return i == start || i == s.size() ? kCut : i;  // a scalar is never the body's last byte
}

// A JSON scalar at s[i]: a non-negative integer without leading zeros
// (kInt, its value in *v), true/false/null or a printable ASCII string
// without escapes (kOther); anything else (kHard) is left to the
// JSON parser. *end is the index past it.
enum class Scalar { kInt, kOther, kHard };
Scalar scalar_at(std::string_view s, size_t i, size_t* end, int64_t* v) {
  if (i >= s.size()) return Scalar::kHard;
  char c = s[i];
  if (c >= '0' && c <= '9') {
    size_t j = i;
    int64_t n = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9' && j - i < 18) n = n * 10 + (s[j++] - '0');
    if ((c == '0' && j - i > 1) || j >= s.size() || (s[j] >= '0' && s[j] <= '9') || s[j] == '.' || s[j] == 'e' ||
        s[j] == 'E')
      return Scalar::kHard;
    *end = j;
    *v = n;
    return Scalar::kInt;
  }
  if (c == '"') {
    for (size_t j = i + 1; j < s.size(); ++j) {
      unsigned char d = static_cast<unsigned char>(s[j]);
      if (d == '\\' || d < 0x20 || d >= 0x80) return Scalar::kHard;  // escapes, control bytes, UTF-8
      if (d == '"') {
        *end = j + 1;
        return Scalar::kOther;
      }
    }
    return Scalar::kHard;
  }
  for (std::string_view word : {"true", "false", "null"})
    if (s.substr(i, word.size()) == word) {
      *end = i + word.size();
      return Scalar::kOther;
    }
  return Scalar::kHard;
}

// read_usage of a usage object whose members are simple (keys without
// escapes; values as scalar_at reads them, or objects of such scalars),
// without building a JSON value; nullopt for anything else, which the
// caller hands to the JSON parser. Every non-streamed reply's usage goes
// through here (nlohmann's parse of it was ~2% of the gateway's CPU).
std::optional<Usage> read_usage_simple(std::string_view s, Protocol protocol) {
  enum Field { kPrompt, kCompletion, kTotal, kInput, kOutput, kCacheRead, kCacheWrite, kCached, kReasoning, kN };
  static constexpr std::string_view kTop[] = {"prompt_tokens", "completion_tokens", "total_tokens",
                                              "input_tokens", "output_tokens", "cache_read_input_tokens",
                                              "cache_creation_input_tokens"};
  int64_t v[kN] = {};
  bool has[kN] = {};
  // Members of the object at s[i] ('{'); `nested` the field its objects'
  // "cached_tokens"/"reasoning_tokens" fill (-1 at the top level).
  auto object = [&](size_t i, int nested, auto& self) -> size_t {
    i = skip_ws(s, i + 1);
    if (i < s.size() && s[i] == '}') return i + 1;
    for (;;) {
      if (i >= s.size() || s[i] != '"') return kCut;
      size_t key_end = 0;
      int64_t unused = 0;
      if (scalar_at(s, i, &key_end, &unused) != Scalar::kOther) return kCut;
      std::string_view key = s.substr(i + 1, key_end - i - 2);
      i = skip_ws(s, key_end);
      if (i >= s.size() || s[i] != ':') return kCut;
      i = skip_ws(s, i + 1);
      int field = -1;
      if (nested < 0) {
        for (int f = 0; f < 7; ++f)
          if (key == kTop[f]) field = f;
      } else if ((nested == kCached && key == "cached_tokens") || (nested == kReasoning && key == "reasoning_tokens")) {
        field = nested;
      }
      int sub = nested >= 0                          ? -1
                : key == "prompt_tokens_details"     ? kCached
                : key == "completion_tokens_details" ? kReasoning
                                                     : -1;
      if (sub >= 0) v[sub] = 0;  // a repeated member replaces the first, as in a parser
      if (i < s.size() && s[i] == '{') {
        if (nested >= 0 || field >= 0) return kCut;  // deeper, or a count that is an object
        i = self(i, sub >= 0 ? sub : kN, self);
        if (i == kCut) return kCut;
      } else {
        size_t end = 0;
        int64_t n = 0;
        Scalar kind = scalar_at(s, i, &end, &n);
        if (kind == Scalar::kHard || (field >= 0 && kind != Scalar::kInt)) return kCut;
        if (field >= 0) {
          v[field] = n;
          has[field] = true;
        }
        i = end;
      }
      i = skip_ws(s, i);
      if (i < s.size() && s[i] == '}') return i + 1;
      if (i >= s.size() || s[i] != ',') return kCut;
      i = skip_ws(s, i + 1);
    }
  };
  size_t i = skip_ws(s, 0);
  if (i >= s.size() || s[i] != '{') return std::nullopt;
  i = object(i, -1, object);
  if (i == kCut || skip_ws(s, i) != s.size()) return std::nullopt;
  Usage out;
  out.reported = true;
  if (protocol == Protocol::kAnthropic && has[kInput]) {
    out.input_tokens = v[kInput] + v[kCacheRead] + v[kCacheWrite];
    out.cached_tokens = v[kCacheRead];
    out.cache_write_tokens = v[kCacheWrite];
    if (has[kOutput]) out.output_tokens = v[kOutput];
    return out;
  }
  out.input_tokens = v[kPrompt];
  out.output_tokens = v[kCompletion];
  out.cached_tokens = v[kCached];
  out.reasoning_tokens = v[kReasoning];
  if (out.input_tokens == 0 && out.output_tokens == 0) out.input_tokens = v[kTotal];
  return out;
}

}  // namespace

Usage usage_from_json(const Json& body, Protocol protocol) {
  if (!body.is_object()) return Usage{};
  auto it = body.find("usage");
  if (it == body.end()) return Usage{};
  return read_usage(*it, protocol);
}

Usage usage_from_body(std::string_view body, Protocol protocol) {
  // Walks the top-level object's members without building them; only the
  // value of "usage" goes through the JSON parser.
  size_t n = body.size();
  size_t i = skip_ws(body, 0);
  if (i >= n || body[i] != '{') return Usage{};
  std::string_view usage;
  for (i = skip_ws(body, i + 1); i < n && body[i] != '}';) {
    size_t key_end = body[i] == '"' ? skip_string(body, i) : kCut;
    if (key_end == kCut) return Usage{};
    std::string_view key = body.substr(i + 1, key_end - i - 2);
    i = skip_ws(body, key_end);
    if (i >= n || body[i] != ':') return Usage{};
    size_t value = skip_ws(body, i + 1);
    size_t value_end = skip_value(body, value);
    if (value_end == kCut) return Usage{};
    if (key == "usage") usage = body.substr(value, value_end - value);  // the last one wins, as in a parser
    i = skip_ws(body, value_end);
    if (i < n && body[i] == ',') i = skip_ws(body, i + 1);
    else if (i >= n || body[i] != '}') return Usage{};
  }
  if (i >= n || skip_ws(body, i + 1) != n) return Usage{};  // cut short, or more after the object
  if (usage.empty()) return Usage{};
  if (auto simple = read_usage_simple(usage, protocol)) return *simple;
  Json u = Json::parse(usage, nullptr, false);
  if (u.is_discarded()) return Usage{};
  return read_usage(u, protocol);
}

double usage_cost(const Usage& u, const Price& p) {
  double cached_price = p.cached_input < 0 ? p.input : p.cached_input;
  int64_t uncached = u.input_tokens - u.cached_tokens;
  if (uncached < 0) uncached = 0;
  return (uncached * p.input + u.cached_tokens * cached_price + u.output_tokens * p.output) / 1e6;
}

std::string StreamMeter::feed(std::string_view data) {
  buf_.append(data);
  std::string out;
  size_t start = 0;
  for (;;) {
    size_t from = std::max(start, scanned_ > 3 ? scanned_ - 3 : 0);
    size_t nn = buf_.find("\n\n", from);
    size_t rn = buf_.find("\r\n\r\n", from);
    size_t end, len;
    if (nn == std::string::npos && rn == std::string::npos) break;
    if (rn != std::string::npos && (nn == std::string::npos || rn < nn)) {
      end = rn;
      len = 4;
    } else {
      end = nn;
      len = 2;
    }
    std::string_view event(buf_.data() + start, end - start);
    bool drop = false;
    on_event(event, &drop);
    if (strip_ && !drop) out.append(buf_, start, end + len - start);
    start = end + len;
    scanned_ = start;
  }
  buf_.erase(0, start);
  scanned_ = buf_.size();
  if (!strip_) return std::string(data);
  return out;
}

std::string StreamMeter::finish() {
  std::string rest;
  rest.swap(buf_);
  scanned_ = 0;
  bool drop = false;
  if (!rest.empty()) on_event(rest, &drop);
  if (!strip_ || drop) return "";
  return rest;
}

void StreamMeter::on_event(std::string_view event, bool* drop) {
  // Gather the data: lines (an event may split its payload over several).
  std::string payload;
  size_t pos = 0;
  while (pos <= event.size()) {
    size_t nl = event.find('\n', pos);
    std::string_view line = event.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.rfind("data:", 0) == 0) {
      std::string_view v = line.substr(5);
      if (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      if (!payload.empty()) payload.push_back('\n');
      payload.append(v);
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (payload.empty()) return;
  if (payload == "[DONE]") {
    saw_done_ = true;
    return;
  }
  text_bytes_ += generated_text_bytes(payload);
  if (payload.find("usage") == std::string::npos) return;
  Json j = Json::parse(payload, nullptr, false);
  if (!j.is_object()) return;
  if (protocol_ == Protocol::kAnthropic) {
    std::string type = json_string(j, "type");
    if (type == "message_start" && j.contains("message"))
      read_anthropic(j["message"].value("usage", Json::object()), usage_, false);
    else if (type == "message_delta" && j.contains("usage"))
      read_anthropic(j["usage"], usage_, true);
    return;
  }
  auto u = j.find("usage");
  if (u == j.end() || !u->is_object()) return;
  read_openai(*u, usage_);
  auto ch = j.find("choices");
  if (strip_ && (ch == j.end() || (ch->is_array() && ch->empty()))) *drop = true;
}

}  // namespace bastion::gateway
