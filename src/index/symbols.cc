#include "index/symbols.h"

#include <tree_sitter/api.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <regex>
#include <unordered_map>

#include "index/native_defs.h"
#include "index/tokenize.h"

namespace bastion::index {
namespace {

// One text predicate of a query pattern: #eq?, #not-eq?, #match?, #not-match?.
// Others (#strip!, #select-adjacent!, ...) only shape doc comments: ignored.
struct Predicate {
  bool negate = false;
  bool is_match = false;
  uint32_t capture = 0;
  bool rhs_is_capture = false;
  uint32_t rhs_capture = 0;
  std::string literal;
  std::shared_ptr<std::regex> re;
};

struct CompiledQuery {
  TSQuery* query = nullptr;
  std::vector<std::vector<Predicate>> predicates;  // per pattern
  std::vector<int> role;          // per capture: 0 other, 1 name, 2 def, 3 ref
  std::vector<SymbolKind> kinds;  // per capture (for defs)
};

SymbolKind kind_from_suffix(std::string_view s) {
  if (s == "function") return SymbolKind::kFunction;
  if (s == "method") return SymbolKind::kMethod;
  if (s == "class") return SymbolKind::kClass;
  if (s == "interface") return SymbolKind::kInterface;
  if (s == "type") return SymbolKind::kType;
  if (s == "module") return SymbolKind::kModule;
  if (s == "constant") return SymbolKind::kConstant;
  if (s == "macro") return SymbolKind::kMacro;
  return SymbolKind::kOther;
}

CompiledQuery compile(Lang lang) {
  CompiledQuery cq;
  const TSLanguage* language = ts_language(lang);
  std::string_view src = tags_query(lang);
  if (!language || src.empty()) return cq;
  uint32_t err_off = 0;
  TSQueryError err = TSQueryErrorNone;
  cq.query = ts_query_new(language, src.data(), static_cast<uint32_t>(src.size()), &err_off, &err);
  if (!cq.query) return cq;
  uint32_t ncap = ts_query_capture_count(cq.query);
  cq.role.assign(ncap, 0);
  cq.kinds.assign(ncap, SymbolKind::kOther);
  for (uint32_t i = 0; i < ncap; ++i) {
    uint32_t len = 0;
    const char* cname = ts_query_capture_name_for_id(cq.query, i, &len);
    std::string_view name(cname, len);
    if (name == "name") {
      cq.role[i] = 1;
    } else if (name.rfind("definition.", 0) == 0) {
      cq.role[i] = 2;
      cq.kinds[i] = kind_from_suffix(name.substr(11));
    } else if (name.rfind("reference.", 0) == 0) {
      cq.role[i] = 3;
    }
  }
  uint32_t npat = ts_query_pattern_count(cq.query);
  // Patterns that capture no @definition.* (the @reference.* ones) only cost
  // matching time: references come from the identifier walk instead.
  for (uint32_t p = 0; p < npat; ++p) {
    bool defines = false;
    for (uint32_t i = 0; i < ncap && !defines; ++i)
      defines = cq.role[i] == 2 && ts_query_capture_quantifier_for_id(cq.query, p, i) !=
                                       TSQuantifierZero;
    if (!defines) ts_query_disable_pattern(cq.query, p);
  }
  cq.predicates.resize(npat);
  for (uint32_t p = 0; p < npat; ++p) {
    uint32_t nsteps = 0;
    const TSQueryPredicateStep* steps = ts_query_predicates_for_pattern(cq.query, p, &nsteps);
    uint32_t i = 0;
    while (i < nsteps) {
      uint32_t j = i;
      while (j < nsteps && steps[j].type != TSQueryPredicateStepTypeDone) ++j;
      // steps[i] is the operator string; then arguments.
      if (j - i == 3 && steps[i].type == TSQueryPredicateStepTypeString &&
          steps[i + 1].type == TSQueryPredicateStepTypeCapture) {
        uint32_t len = 0;
        const char* op_text = ts_query_string_value_for_id(cq.query, steps[i].value_id, &len);
        std::string op(op_text, len);
        Predicate pr;
        pr.capture = steps[i + 1].value_id;
        bool known = true;
        if (op == "eq?" || op == "not-eq?") {
          pr.negate = op == "not-eq?";
        } else if (op == "match?" || op == "not-match?") {
          pr.negate = op == "not-match?";
          pr.is_match = true;
        } else {
          known = false;
        }
        if (known) {
          if (steps[i + 2].type == TSQueryPredicateStepTypeCapture) {
            pr.rhs_is_capture = true;
            pr.rhs_capture = steps[i + 2].value_id;
          } else {
            const char* lit = ts_query_string_value_for_id(cq.query, steps[i + 2].value_id, &len);
            pr.literal.assign(lit, len);
            if (pr.is_match) {
              try {
                pr.re = std::make_shared<std::regex>(pr.literal, std::regex::ECMAScript);
              } catch (const std::regex_error&) {
                known = false;
              }
            }
          }
          if (known) cq.predicates[p].push_back(std::move(pr));
        }
      }
      i = j + 1;
    }
  }
  return cq;
}

const CompiledQuery& query_for(Lang lang) {
  static std::array<CompiledQuery, 9> queries;
  static std::array<std::once_flag, 9> once;
  size_t i = static_cast<size_t>(lang);
  std::call_once(once[i], [&] { queries[i] = compile(lang); });
  return queries[i];
}

std::string_view node_text(TSNode n, std::string_view content) {
  uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);
  if (b > content.size() || e > content.size() || b > e) return {};
  return content.substr(b, e - b);
}

bool predicates_hold(const CompiledQuery& cq, const TSQueryMatch& m, std::string_view content) {
  for (const Predicate& pr : cq.predicates[m.pattern_index]) {
    std::string_view lhs, rhs;
    bool have_lhs = false;
    for (uint16_t k = 0; k < m.capture_count; ++k) {
      if (m.captures[k].index == pr.capture) {
        lhs = node_text(m.captures[k].node, content);
        have_lhs = true;
      }
      if (pr.rhs_is_capture && m.captures[k].index == pr.rhs_capture)
        rhs = node_text(m.captures[k].node, content);
    }
    if (!have_lhs) continue;
    if (!pr.rhs_is_capture) rhs = pr.literal;
    bool ok = pr.is_match && pr.re ? std::regex_search(lhs.begin(), lhs.end(), *pr.re)
                                   : lhs == rhs;
    if (ok == pr.negate) return false;
  }
  return true;
}

// The definition's header: its first source line, extended while brackets
// stay open (multi-line parameter lists), at most 6 lines and 240 bytes.
std::string signature_at(std::string_view content, uint32_t start_byte) {
  size_t b = content.rfind('\n', start_byte == 0 ? 0 : start_byte - 1);
  b = (b == std::string_view::npos || start_byte == 0) ? 0 : b + 1;
  if (start_byte == 0) b = 0;
  std::string out;
  int depth = 0;
  size_t pos = b;
  for (int lines = 0; lines < 6 && pos < content.size(); ++lines) {
    size_t e = content.find('\n', pos);
    if (e == std::string_view::npos) e = content.size();
    std::string_view line = content.substr(pos, e - pos);
    for (char c : line) {
      if (c == '(' || c == '[') ++depth;
      if (c == ')' || c == ']') --depth;
    }
    size_t l = 0;
    while (l < line.size() && (line[l] == ' ' || line[l] == '\t')) ++l;
    std::string_view t = line.substr(lines == 0 ? 0 : l);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\r' || t.back() == '\t')) t.remove_suffix(1);
    if (lines > 0) out += ' ';
    out += t;
    pos = e + 1;
    if (depth <= 0 || out.size() > 240) break;
  }
  if (out.size() > 240) out = out.substr(0, 237) + "...";
  return out;
}

bool is_identifier_type(const char* type) {
  return std::strstr(type, "identifier") != nullptr;
}

struct ParserDeleter {
  void operator()(TSParser* p) const { ts_parser_delete(p); }
};

}  // namespace

const char* symbol_kind_name(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kFunction: return "function";
    case SymbolKind::kMethod: return "method";
    case SymbolKind::kClass: return "class";
    case SymbolKind::kInterface: return "interface";
    case SymbolKind::kType: return "type";
    case SymbolKind::kModule: return "module";
    case SymbolKind::kConstant: return "constant";
    case SymbolKind::kMacro: return "macro";
    case SymbolKind::kOther: break;
  }
  return "symbol";
}

namespace {

// Per grammar: which node symbols are identifier leaves' types (any type whose
// name contains "identifier": identifier, type_identifier, field_identifier...).
const std::vector<bool>& identifier_symbols(Lang lang) {
  static std::array<std::vector<bool>, 9> tables;
  static std::array<std::once_flag, 9> once;
  size_t i = static_cast<size_t>(lang);
  std::call_once(once[i], [&] {
    const TSLanguage* language = ts_language(lang);
    uint32_t count = ts_language_symbol_count(language);
    tables[i].resize(count);
    for (uint32_t s = 0; s < count; ++s) {
      const char* name = ts_language_symbol_name(language, static_cast<TSSymbol>(s));
      tables[i][s] = name && is_identifier_type(name);
    }
  });
  return tables[i];
}

void collect_query_matches(Lang lang, TSNode root, std::string_view content,
                           std::vector<DefinitionMatch>& out) {
  const CompiledQuery& cq = query_for(lang);
  if (!cq.query) return;
  TSQueryCursor* cursor = ts_query_cursor_new();
  ts_query_cursor_exec(cursor, cq.query, root);
  TSQueryMatch m;
  while (ts_query_cursor_next_match(cursor, &m)) {
    if (!predicates_hold(cq, m, content)) continue;
    TSNode name_node{}, def_node{};
    bool has_name = false, has_def = false;
    SymbolKind kind = SymbolKind::kOther;
    for (uint16_t k = 0; k < m.capture_count; ++k) {
      int role = cq.role[m.captures[k].index];
      if (role == 1 && !has_name) {
        name_node = m.captures[k].node;
        has_name = true;
      } else if (role == 2) {
        def_node = m.captures[k].node;
        kind = cq.kinds[m.captures[k].index];
        has_def = true;
      }
    }
    // @reference.* matches need no handling: every identifier leaf is
    // counted as a reference by the tree walk.
    if (has_name && has_def) out.push_back({name_node, def_node, kind});
  }
  ts_query_cursor_delete(cursor);
}

// One pre-order walk of the tree: counts every identifier leaf as a reference
// candidate and, when the grammar has native rules, collects definitions.
void walk_tree(Lang lang, TSNode root, std::string_view content, const NativeDefinitions* native,
               TermCounts& refs, std::vector<DefinitionMatch>& defs) {
  const std::vector<bool>& is_identifier = identifier_symbols(lang);
  TSTreeCursor tc = ts_tree_cursor_new(root);
  uint32_t depth = 0;
  bool done = false;
  while (!done) {
    TSNode n = ts_tree_cursor_current_node(&tc);
    if (native) native->visit(n, depth, defs);
    TSSymbol symbol = ts_node_symbol(n);
    if (symbol < is_identifier.size() && is_identifier[symbol] && ts_node_child_count(n) == 0) {
      std::string_view t = node_text(n, content);
      if (!t.empty() && t.size() <= 200) {
        auto it = refs.find(t);
        if (it != refs.end()) ++it->second;
        else refs.emplace(std::string(t), 1);
      }
    }
    if (ts_tree_cursor_goto_first_child(&tc)) {
      ++depth;
      continue;
    }
    while (!ts_tree_cursor_goto_next_sibling(&tc)) {
      if (!ts_tree_cursor_goto_parent(&tc)) {
        done = true;
        break;
      }
      --depth;
    }
  }
  ts_tree_cursor_delete(&tc);
}

FileSymbols extract(Lang lang, std::string_view content, bool native_allowed) {
  FileSymbols out;
  const TSLanguage* language = ts_language(lang);
  if (!language || content.size() > 0xFFFFFFF0u) return out;
  thread_local std::unique_ptr<TSParser, ParserDeleter> parser(ts_parser_new());
  if (!ts_parser_set_language(parser.get(), language)) return out;
  TSTree* tree = ts_parser_parse_string(parser.get(), nullptr, content.data(),
                                        static_cast<uint32_t>(content.size()));
  if (!tree) return out;
  out.parsed = true;
  TSNode root = ts_tree_root_node(tree);
  // Looked up by string_view: allocates per distinct name, not per use.
  thread_local TermCounts refs;
  refs.clear();
  thread_local std::vector<DefinitionMatch> matches;
  matches.clear();

  const NativeDefinitions* native = native_allowed ? NativeDefinitions::for_lang(lang) : nullptr;
  if (!native) collect_query_matches(lang, root, content, matches);
  walk_tree(lang, root, content, native, refs, matches);

  // Source order: by the definition's first line, then by where its name is
  // (`typedef struct S {...} T;` gives S, then T). Query and walk meet
  // definitions in different orders; both end up in this one.
  auto source_order = [](const DefinitionMatch& a, const DefinitionMatch& b) {
    uint32_t line_a = ts_node_start_point(a.definition).row;
    uint32_t line_b = ts_node_start_point(b.definition).row;
    if (line_a != line_b) return line_a < line_b;
    return ts_node_start_byte(a.name) < ts_node_start_byte(b.name);
  };
  if (!std::is_sorted(matches.begin(), matches.end(), source_order))
    std::stable_sort(matches.begin(), matches.end(), source_order);
  for (const DefinitionMatch& m : matches) {
    std::string name(node_text(m.name, content));
    if (name.empty() || name.size() > 200) continue;
    Symbol s;
    s.name = std::move(name);
    s.kind = m.kind;
    s.line = ts_node_start_point(m.definition).row + 1;
    s.end_line = ts_node_end_point(m.definition).row + 1;
    s.signature = signature_at(content, ts_node_start_byte(m.definition));
    out.defs.push_back(std::move(s));
  }
  ts_tree_delete(tree);

  for (const Symbol& s : out.defs) {
    auto it = refs.find(s.name);
    if (it != refs.end() && --it->second == 0) refs.erase(it);
  }
  out.refs.reserve(refs.size());
  while (!refs.empty()) {
    auto node = refs.extract(refs.begin());
    out.refs.emplace_back(std::move(node.key()), node.mapped());
  }
  std::sort(out.refs.begin(), out.refs.end());
  return out;
}

}  // namespace

FileSymbols extract_symbols(Lang lang, std::string_view content) {
  return extract(lang, content, true);
}

FileSymbols extract_symbols_by_query(Lang lang, std::string_view content) {
  return extract(lang, content, false);
}

}  // namespace bastion::index
