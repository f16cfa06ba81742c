#include "index/query_parse.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <unordered_map>
#include <unordered_set>

#include "index/query_text.h"
#include "index/tokenize.h"
#include "util/strings.h"

namespace bastion::index {
namespace {

// A line number, saturating (never throws on absurd input).
uint32_t to_line(const std::string& digits) {
  uint64_t v = 0;
  for (char c : digits) v = std::min<uint64_t>(v * 10 + static_cast<uint64_t>(c - '0'), 1u << 30);
  return static_cast<uint32_t>(v);
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool code_like(std::string_view w) {
  if (w.find('_') != std::string_view::npos) return w.size() > 2;
  bool lower = false;
  for (size_t i = 0; i < w.size(); ++i) {
    if (std::islower(static_cast<unsigned char>(w[i]))) lower = true;
    // an upper-case letter after a lower-case one: camelCase / PascalCase
    if (i > 0 && std::isupper(static_cast<unsigned char>(w[i])) && lower) return true;
  }
  return false;
}

const char* kSourceExt =
    "py|pyi|js|mjs|cjs|jsx|ts|tsx|go|rs|java|kt|c|cc|cpp|cxx|h|hh|hpp|rb|php|cs|swift|scala|"
    "m|mm|sh|toml|yaml|yml|json|cfg|ini|txt|md|rst|html|css|scss|vue|sql|pyx|pxd";

// Messages the language runtime writes itself ("'cos' object has no
// attribute 'shape'"): no file of the project holds them, but many quote
// them in comments or except clauses, so they point nowhere.
bool runtime_message(std::string_view piece) {
  static constexpr std::string_view kRuntime[] = {
      "object has no attribute",         "object is not callable",
      "object is not subscriptable",     "object is not iterable",
      "unsupported operand type",        "not supported between instances",
      "positional argument",             "unexpected keyword argument",
      "multiple values for argument",    "object does not support item",
      "cannot unpack non-iterable",      "index out of range",
      "invalid literal for int",         "maximum recursion depth",
      "division by zero",                "object cannot be interpreted as",
      "can only concatenate",            "must be real number, not",
      "cannot read properties of",       "is not a function",
      "is not defined",                  "unhashable type",
      "referenced before assignment",    "takes no arguments",
      "is not json serializable",        "object is not an iterator",
      "has no len()",                    "can't pickle",
  };
  std::string lower = str::to_lower(piece);
  for (std::string_view m : kRuntime)
    if (lower.find(m) != std::string::npos) return true;
  return false;
}

// Whether text[i] starts the program of a shell prompt line ("$ sphinx-
// quickstart -q"): the tool the reporter ran to set up or reproduce, which
// names where the bug is no more than `make` does (its options still may).
bool shell_program_at(std::string_view text, size_t i) {
  size_t line = text.rfind('\n', i == 0 ? 0 : i - 1);
  line = line == std::string_view::npos ? 0 : line + 1;
  std::string_view before = str::trim(text.substr(line, i - line));
  return before == "$" || before == "%";
}

}  // namespace

std::vector<std::string> word_compounds(std::string_view text) {
  // Words separated by one space (or '-') only: "terminal writer" but not
  // "writer. Terminal". Each word alphabetic, 2+ letters, not a stopword.
  std::vector<std::string> out;
  std::string prev;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isalpha(static_cast<unsigned char>(text[i]))) {
      bool joins = text[i] == ' ' || text[i] == '-';
      if (!joins) prev.clear();
      ++i;
      if (joins && i < text.size() && !std::isalpha(static_cast<unsigned char>(text[i])))
        prev.clear();
      continue;
    }
    size_t b = i;
    while (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i]))) ++i;
    if (i < text.size() && text[i] == '_') {  // an identifier: not prose
      while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
      prev.clear();
      continue;
    }
    std::string w(text.substr(b, i - b));
    for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (w.size() < 2 || is_stopword(w)) {
      prev.clear();
      continue;
    }
    auto add = [&](std::string c) {
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
    };
    if (!prev.empty() && prev.size() + w.size() >= 6) add(prev + w);
    // A word and a small number ("Python 3", "HTML 5"): a module is often
    // named by both (python3.py); not a version ("Sphinx 1.3.3").
    if (w.size() >= 3 && i + 1 < text.size() && text[i] == ' ' &&
        std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      size_t e = i + 1;
      while (e < text.size() && std::isdigit(static_cast<unsigned char>(text[e]))) ++e;
      bool version = e < text.size() && (std::isalnum(static_cast<unsigned char>(text[e])) ||
                                         ((text[e] == '.' || text[e] == '_') && e + 1 < text.size() &&
                                          std::isalnum(static_cast<unsigned char>(text[e + 1]))));
      if (e - i - 1 <= 2 && !version) add(w + std::string(text.substr(i + 1, e - i - 1)));
    }
    prev = w;
  }
  return out;
}

std::vector<std::string> query_literals(std::string_view full_text) {
  const std::string stripped = without_traceback_source(bounded_query(full_text));
  const std::string_view text = stripped;
  std::vector<std::string> out;
  auto add = [&](std::string_view lit) {
    lit = std::string_view(lit).substr(0, 80);
    while (!lit.empty() && (lit.front() == ' ' || lit.front() == '.')) lit.remove_prefix(1);
    while (!lit.empty() && (lit.back() == ' ' || lit.back() == '.')) lit.remove_suffix(1);
    if (lit.size() < 4 || lit.size() > 60) return;
    bool has_alpha = false;
    for (char c : lit) has_alpha = has_alpha || std::isalpha(static_cast<unsigned char>(c));
    if (!has_alpha) return;
    std::string s(lit);
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  };
  // Spans between matching quotes on one line.
  for (char quote : {'`', '"', '\''}) {
    size_t i = 0;
    while ((i = text.find(quote, i)) != std::string_view::npos) {
      if (quote == '\'' && i > 0 && std::isalpha(static_cast<unsigned char>(text[i - 1]))) {
        ++i;  // an apostrophe: "don't"
        continue;
      }
      size_t e = text.find(quote, i + 1);
      if (e == std::string_view::npos) break;
      std::string_view span = text.substr(i + 1, e - i - 1);
      if (span.find('\n') == std::string_view::npos) add(span);
      i = e + 1;
    }
  }
  // Command-line options: --last-failed, --tb=line.
  for (size_t i = 0; i + 3 < text.size(); ++i) {
    if (text[i] != '-' || text[i + 1] != '-' || (i > 0 && !std::isspace(static_cast<unsigned char>(text[i - 1])) &&
                                                  text[i - 1] != '`' && text[i - 1] != '"' && text[i - 1] != '\''))
      continue;
    size_t e = i + 2;
    while (e < text.size() && (std::isalnum(static_cast<unsigned char>(text[e])) || text[e] == '-' || text[e] == '_')) ++e;
    if (e > i + 3) add(text.substr(i, e - i));
    i = e;
  }
  // Kebab-case names in prose: message ids and options written bare
  // (wrong-import-order, trailing-comma-tuple), not parts of URLs or paths.
  for (size_t i = 0; i < text.size();) {
    if (!std::islower(static_cast<unsigned char>(text[i])) ||
        (i > 0 && (word_char(text[i - 1]) || text[i - 1] == '-' || text[i - 1] == '/' ||
                   text[i - 1] == '.'))) {
      ++i;
      continue;
    }
    size_t e = i;
    int hyphens = 0;
    while (e < text.size() && (std::islower(static_cast<unsigned char>(text[e])) ||
                               std::isdigit(static_cast<unsigned char>(text[e])) ||
                               (text[e] == '-' && e + 1 < text.size() &&
                                std::islower(static_cast<unsigned char>(text[e + 1])))))
      hyphens += text[e++] == '-';
    bool in_path = e < text.size() && (text[e] == '/' || text[e] == '_' ||
                                       (text[e] == '.' && e + 1 < text.size() &&
                                        std::isalnum(static_cast<unsigned char>(text[e + 1]))));
    if (hyphens > 0 && e - i >= 8 && !in_path && !shell_program_at(text, i)) add(text.substr(i, e - i));
    i = e + 1;
  }
  // The message of a reported exception, in pieces that a format string
  // would hold verbatim: split at quotes (interpolated values), digits and
  // sentence ends ("MergeError: conflicting values for variable 'y' on
  // objects to be combined." -> "conflicting values for variable", "on
  // objects to be combined").
  static const std::regex error_line(R"re(\b[A-Z]\w*(?:Error|Exception|Warning): ([^\n]{12,}))re");
  std::string owned(text);
  for (auto it = std::sregex_iterator(owned.begin(), owned.end(), error_line);
       it != std::sregex_iterator(); ++it) {
    std::string msg = (*it)[1].str();
    size_t b = 0;
    for (size_t j = 0; j <= msg.size(); ++j) {
      bool cut = j == msg.size() || msg[j] == '\'' || msg[j] == '"' || msg[j] == '`' ||
                 std::isdigit(static_cast<unsigned char>(msg[j])) ||
                 (msg[j] == '.' && (j + 1 == msg.size() || msg[j + 1] == ' '));
      if (!cut) continue;
      std::string piece = msg.substr(b, j - b);
      b = j + 1;
      while (!piece.empty() && (piece.back() == ' ' || piece.back() == ':' || piece.back() == ','))
        piece.pop_back();
      while (!piece.empty() && (piece.front() == ' ' || piece.front() == ':')) piece.erase(0, 1);
      if (std::count(piece.begin(), piece.end(), ' ') < 2 || piece.size() < 12) continue;
      if (runtime_message(piece)) continue;
      if (piece.size() > 60) piece = piece.substr(0, piece.rfind(' ', 60));
      add(piece);
    }
  }
  return out;
}

ParsedQuery parse_query(std::string_view raw) {
  ParsedQuery q;
  std::string s = strip_environment_dumps(bounded_query(raw));
  std::string_view text = s;

  // Stack frames first (they carry line numbers and order), then any path.
  static const std::regex py_frame(R"re(File "([^"\n]+)", line (\d+)(?:, in ([\w.<>]+))?)re");
  // IPython: `File ~/x/y.py:41, in Cls.f(self)` and `~/x/y.py in f(self, key)`.
  static const std::regex ipy_frame(std::string(R"re(((?:[\w.~@+-]+/)*[\w.@+-]+\.py)(?::(\d+),)? in ([A-Za-z_][\w.]*)\()re"));
  static const std::regex any_path(std::string(R"re(((?:[\w.~@+-]+/)*[\w.@+-]+\.(?:)re") +
                                   kSourceExt + R"re())\b(?::(\d+)|#L(\d+))?)re");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), py_frame); it != std::sregex_iterator();
       ++it) {
    std::string fn = (*it)[3].matched ? (*it)[3].str() : "";
    if (fn.find('<') != std::string::npos) fn.clear();  // <module>, <lambda>
    q.paths.push_back({(*it)[1].str(), to_line((*it)[2].str()), true, fn});
  }
  if (q.paths.empty()) {
    for (auto it = std::sregex_iterator(s.begin(), s.end(), ipy_frame);
         it != std::sregex_iterator(); ++it) {
      uint32_t line = (*it)[2].matched ? to_line((*it)[2].str()) : 0;
      q.paths.push_back({(*it)[1].str(), line, true, (*it)[3].str()});
    }
  }
  for (auto it = std::sregex_iterator(s.begin(), s.end(), any_path); it != std::sregex_iterator();
       ++it) {
    std::string p = (*it)[1].str();
    // `x.py:57`, or a permalink's `x.py#L57`: the reporter points at a line.
    uint32_t line = (*it)[2].matched ? to_line((*it)[2].str())
                    : (*it)[3].matched ? to_line((*it)[3].str())
                                       : 0;
    bool dup = false;
    for (auto& m : q.paths)
      dup = dup || (m.path == p && (m.line == line || line == 0 || m.traceback));
    if (!dup) q.paths.push_back({p, line, line != 0 && p.find('/') != std::string::npos});
  }

  // Dotted names: a.b.c (not file names, not numbers).
  static const std::regex dotted(R"re(\b([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\b)re");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), dotted); it != std::sregex_iterator();
       ++it) {
    std::string d = (*it)[1].str();
    std::vector<std::string> parts;
    size_t b = 0;
    for (size_t i = 0; i <= d.size(); ++i) {
      if (i == d.size() || d[i] == '.') {
        parts.push_back(d.substr(b, i - b));
        b = i + 1;
      }
    }
    q.dotted.push_back(std::move(parts));
  }

  // `from a.b import x, y as z` (also after a `>>> ` prompt); relative
  // imports name nothing outside the reporter's code.
  static const std::regex from_import(
      R"re((?:^|\n)[ \t]*(?:>>>[ \t]*)?from[ \t]+([A-Za-z_][\w.]*)[ \t]+import[ \t]+\(?([\w \t,]+))re");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), from_import); it != std::sregex_iterator();
       ++it) {
    ImportMention imp;
    std::string mod = (*it)[1].str();
    for (size_t b = 0; b <= mod.size();) {
      size_t e = std::min(mod.find('.', b), mod.size());
      imp.module.push_back(mod.substr(b, e - b));
      b = e + 1;
    }
    std::string list = (*it)[2].str();
    std::vector<std::string> words;
    for (size_t i = 0; i < list.size();) {
      while (i < list.size() && !word_char(list[i])) ++i;
      size_t b = i;
      while (i < list.size() && word_char(list[i])) ++i;
      if (i > b) words.push_back(list.substr(b, i - b));
    }
    // "x as y, z": drop "as" and the alias after it.
    for (size_t j = 0; j < words.size(); ++j) {
      if (words[j] == "as") {
        ++j;
        continue;
      }
      imp.names.push_back(words[j]);
    }
    if (!imp.names.empty()) q.imports.push_back(std::move(imp));
  }

  // Identifiers: every word, weighted by how code-like its mention is.
  std::unordered_map<std::string, double> ids;
  std::vector<std::string> order;
  std::unordered_set<std::string> bound, called_names;
  bool in_tick = false;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '`') {
      in_tick = !in_tick;
      ++i;
      continue;
    }
    if (!word_char(s[i])) {
      ++i;
      continue;
    }
    size_t b = i;
    while (i < s.size() && word_char(s[i])) ++i;
    std::string w = s.substr(b, i - b);
    if (w.size() < 3 || std::isdigit(static_cast<unsigned char>(w[0]))) continue;
    bool called = i < s.size() && s[i] == '(';
    bool attr = (b > 0 && s[b - 1] == '.') || (i < s.size() && s[i] == '.' && i + 1 < s.size() &&
                                                std::isalpha(static_cast<unsigned char>(s[i + 1])));
    // A piece of a dashed name (`--debug-file`, `used-before-assignment`)
    // is part of an option or a message id, not an identifier, even in
    // backticks (the verbatim signal finds the whole name).
    bool dashed = (b > 0 && s[b - 1] == '-') || (i < s.size() && s[i] == '-');
    size_t after = i;
    while (after < s.size() && s[after] == ' ') ++after;
    if (after < s.size() && s[after] == '=' && (after + 1 == s.size() || s[after + 1] != '='))
      bound.insert(w);
    if (called) called_names.insert(w);
    double weight = 0.25;
    if ((in_tick && !dashed) || called || code_like(w)) weight = 1.0;
    else if (attr) weight = 0.6;
    else if (std::isupper(static_cast<unsigned char>(w[0])) && b > 0 && s[b - 1] != '\n' &&
             !(b > 1 && s[b - 2] == '.'))
      weight = 0.5;  // a capitalised word mid-sentence: maybe a class
    std::string lw = w;
    for (char& c : lw) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (is_stopword(lw)) weight *= 0.2;
    auto it = ids.find(w);
    if (it == ids.end()) {
      ids.emplace(w, weight);
      order.push_back(w);
    } else if (weight > it->second) {
      it->second = weight;
    }
  }
  // A name the reporter binds (`expr = ...`, `f(x, evaluate=False)`) is
  // their variable or a parameter wherever it appears, not a function or
  // class to look for, unless they also call it.
  for (const std::string& w : bound)
    if (!called_names.count(w)) ids[w] = std::min(ids[w], 0.4);
  for (auto& w : order) q.identifiers.push_back({w, ids[w]});
  {
    std::string_view title = text.substr(0, std::min(text.find('\n'), size_t{200}));
    static const std::regex component(R"re(^\s*(?:\[([A-Za-z][\w-]*)\]|([A-Za-z][\w-]*):\s))re");
    std::match_results<std::string_view::const_iterator> label;
    if (std::regex_search(title.begin(), title.end(), label, component))
      q.title_component = str::to_lower(label[1].matched ? label[1].str() : label[2].str());
    for (size_t i = 0; i < title.size();) {
      if (!word_char(title[i])) {
        ++i;
        continue;
      }
      size_t b = i;
      while (i < title.size() && word_char(title[i])) ++i;
      std::string w(title.substr(b, i - b));
      std::string lw = w;
      for (char& c : lw) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      // "fails for non-polygons" is about everything but polygons.
      bool negated = b >= 4 && str::to_lower(title.substr(b - 4, 4)) == "non-";
      if (lw.size() >= 4 && !is_stopword(lw) && !negated &&
          std::find(q.title_words.begin(), q.title_words.end(), lw) == q.title_words.end())
        q.title_words.push_back(lw);
      auto it = ids.find(w);
      if (it != ids.end() && it->second >= 0.5 &&
          std::find(q.title_identifiers.begin(), q.title_identifiers.end(), w) == q.title_identifiers.end())
        q.title_identifiers.push_back(w);
    }
  }
  // Only a named test file asks to change the project's tests; a repro
  // full of `def test_x` (every pytest user writes them) does not.
  for (auto& m : q.paths)
    if (m.path.find("test") != std::string::npos && !m.traceback) q.mentions_tests = true;
  append_terms(text, q.terms);
  q.compounds = word_compounds(text);
  q.literals = query_literals(text);
  return q;
}

}  // namespace bastion::index
