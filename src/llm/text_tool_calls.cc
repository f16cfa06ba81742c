#include "llm/text_tool_calls.h"

#include "llm/tool_args.h"
#include "util/strings.h"

namespace bastion::llm {
namespace {

constexpr std::string_view kCallOpen = "<tool_call>";
constexpr std::string_view kCallClose = "</tool_call>";
constexpr std::string_view kFuncOpen = "<function=";
constexpr std::string_view kFuncClose = "</function>";
constexpr std::string_view kParamOpen = "<parameter=";
constexpr std::string_view kParamClose = "</parameter>";

std::string_view ws_trim(std::string_view s) { return str::trim(s); }

// Qwen3-Coder writes "<parameter=k>\nvalue\n</parameter>": drop exactly the
// one newline on each side, keep everything else (indentation matters).
std::string_view strip_one_newline(std::string_view v) {
  if (str::starts_with(v, "\r\n")) v.remove_prefix(2);
  else if (str::starts_with(v, "\n")) v.remove_prefix(1);
  if (str::ends_with(v, "\r\n")) v.remove_suffix(2);
  else if (str::ends_with(v, "\n")) v.remove_suffix(1);
  return v;
}

const Json* find_tool_schema(const std::vector<ToolSpec>& tools, std::string_view name) {
  for (const ToolSpec& t : tools) {
    if (t.name == name) return &t.parameters;
  }
  return nullptr;
}

std::string param_type(const Json* schema, const std::string& key) {
  if (!schema || !schema->is_object()) return "";
  auto props = schema->find("properties");
  if (props == schema->end() || !props->is_object()) return "";
  auto p = props->find(key);
  if (p == props->end() || !p->is_object()) return "";
  auto t = p->find("type");
  if (t == p->end()) return "";
  if (t->is_string()) return t->get<std::string>();
  if (t->is_array()) {  // ["string","null"]: the first non-null type
    for (auto& x : *t) {
      if (x.is_string() && x.get<std::string>() != "null") return x.get<std::string>();
    }
  }
  return "";
}

// End of a parameter value starting at `from`: the first </parameter> that is
// followed by another parameter, the end of the function, or the end of the
// text, so a value that itself contains "</parameter>" survives. Falls back to
// the next <parameter= or </function> when the close tag is missing.
size_t value_end(std::string_view body, size_t from, size_t* resume) {
  size_t pos = from;
  size_t first_close = std::string_view::npos;
  while ((pos = body.find(kParamClose, pos)) != std::string_view::npos) {
    if (first_close == std::string_view::npos) first_close = pos;
    std::string_view after = ws_trim(body.substr(pos + kParamClose.size()));
    if (after.empty() || str::starts_with(after, kParamOpen) || str::starts_with(after, kFuncClose)) {
      *resume = pos + kParamClose.size();
      return pos;
    }
    pos += kParamClose.size();
  }
  if (first_close != std::string_view::npos) {
    *resume = first_close + kParamClose.size();
    return first_close;
  }
  size_t next = std::min(body.find(kParamOpen, from), body.find(kFuncClose, from));
  if (next == std::string_view::npos) next = body.size();
  *resume = next;
  return next;
}

// Parses "<function=NAME>…</function>" content starting right after "<function=".
bool parse_xml_function(std::string_view body, const std::vector<ToolSpec>& tools, ToolCall* out) {
  size_t gt = body.find('>');
  if (gt == std::string_view::npos) return false;
  std::string name(ws_trim(body.substr(0, gt)));
  if (name.empty() || name.find_first_of("<\n") != std::string::npos) return false;
  const Json* schema = find_tool_schema(tools, name);
  Json args = Json::object();
  size_t pos = gt + 1;
  size_t fclose = body.find(kFuncClose, pos);
  while (true) {
    size_t p = body.find(kParamOpen, pos);
    if (p == std::string_view::npos) break;
    size_t pg = body.find('>', p);
    if (pg == std::string_view::npos) break;
    std::string key(ws_trim(body.substr(p + kParamOpen.size(), pg - p - kParamOpen.size())));
    size_t resume = 0;
    size_t end = value_end(body, pg + 1, &resume);
    if (fclose != std::string_view::npos && p > fclose && end > fclose) break;
    std::string_view raw = strip_one_newline(body.substr(pg + 1, end - pg - 1));
    if (!key.empty()) args[key] = convert_parameter(raw, param_type(schema, key));
    pos = resume;
  }
  out->name = name;
  out->arguments = dump_json(args);
  return true;
}

bool parse_hermes(std::string_view body, ToolCall* out) {
  std::string_view s = ws_trim(body);
  auto parsed = parse_tool_arguments(s);  // also accepts fences and trailing junk
  if (!parsed.ok()) return false;
  const Json& j = *parsed;
  std::string name = json_string(j, "name");
  if (name.empty()) return false;
  Json args = Json::object();
  for (const char* k : {"arguments", "parameters", "args"}) {
    auto it = j.find(k);
    if (it == j.end()) continue;
    if (it->is_object()) args = *it;
    else if (it->is_string()) {
      auto inner = parse_tool_arguments(it->get<std::string>());
      if (inner.ok()) args = *inner;
    }
    break;
  }
  out->name = name;
  out->arguments = dump_json(args);
  return true;
}

}  // namespace

Json convert_parameter(std::string_view value, std::string_view type) {
  std::string_view t = ws_trim(value);
  if (type == "string") return std::string(value);
  if (type == "integer" || type == "number") {
    Json j = Json::parse(t, nullptr, false);
    if (!j.is_discarded() && j.is_number()) return j;
    return std::string(value);  // the tool reports the type error to the model
  }
  if (type == "boolean") {
    std::string l = str::to_lower(t);
    if (l == "true") return true;
    if (l == "false") return false;
    return std::string(value);
  }
  if (type == "object" || type == "array") {
    Json j = Json::parse(t, nullptr, false);
    if (!j.is_discarded()) return j;
    return std::string(value);
  }
  // Unknown type: JSON when the whole value is a JSON object/array/number/
  // bool/null, else the raw string.
  if (t.empty()) return std::string(value);
  Json j = Json::parse(t, nullptr, false);
  if (!j.is_discarded() && !j.is_string()) return j;
  return std::string(value);
}

TextExtraction extract_text_tool_calls(std::string_view text, const std::vector<ToolSpec>& tools) {
  TextExtraction out;
  std::string answer;
  split_think(text, &answer, &out.reasoning);
  std::string_view s = answer;
  std::string kept;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t call = s.find(kCallOpen, pos);
    size_t func = s.find(kFuncOpen, pos);
    size_t start = std::min(call, func);
    if (start == std::string_view::npos) break;
    kept.append(s.substr(pos, start - pos));
    size_t body_from, block_end;
    if (start == call) {
      body_from = call + kCallOpen.size();
      size_t close = s.find(kCallClose, body_from);
      size_t body_to = close == std::string_view::npos ? s.size() : close;
      block_end = close == std::string_view::npos ? s.size() : close + kCallClose.size();
      std::string_view body = s.substr(body_from, body_to - body_from);
      ToolCall tc;
      std::string_view trimmed = ws_trim(body);
      bool ok = str::starts_with(trimmed, kFuncOpen)
                    ? parse_xml_function(trimmed.substr(kFuncOpen.size()), tools, &tc)
                    : parse_hermes(body, &tc);
      if (ok) out.calls.push_back(std::move(tc));
      else kept.append(s.substr(start, block_end - start));
    } else {
      // A bare <function=…> block without the <tool_call> wrapper.
      size_t close = s.find(kFuncClose, func);
      block_end = close == std::string_view::npos ? s.size() : close + kFuncClose.size();
      ToolCall tc;
      if (parse_xml_function(s.substr(func + kFuncOpen.size(), block_end - func - kFuncOpen.size()),
                             tools, &tc)) {
        out.calls.push_back(std::move(tc));
      } else {
        kept.append(s.substr(start, block_end - start));
      }
    }
    pos = block_end;
  }
  if (pos < s.size()) kept.append(s.substr(pos));
  for (size_t i = 0; i < out.calls.size(); ++i) {
    out.calls[i].id = "call_" + str::random_hex(6) + "_" + std::to_string(i);
  }
  out.content = out.calls.empty() ? answer : std::string(ws_trim(kept));
  return out;
}

bool apply_text_tool_calls(Message* m, const std::vector<ToolSpec>& tools) {
  if (!m->tool_calls.empty()) {
    std::string answer;
    split_think(m->content, &answer, &m->reasoning);
    m->content = answer;
    return false;
  }
  TextExtraction ex = extract_text_tool_calls(m->content, tools);
  if (!ex.reasoning.empty()) {
    if (!m->reasoning.empty()) m->reasoning += "\n";
    m->reasoning += ex.reasoning;
  }
  m->content = ex.content;
  if (ex.calls.empty()) return false;
  m->tool_calls = std::move(ex.calls);
  return true;
}

}  // namespace bastion::llm
