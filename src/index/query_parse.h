// Pulls the engineer's clues out of a free-text query (an issue, a stack
// trace, an identifier): file paths with optional line numbers
// (`foo.py:12`, `File "x/y.py", line 12`, `at f (src/a.js:3:9)`), dotted
// module paths (`requests.sessions.Session`), stack frames of CPython and
// IPython (old `path in func(...)` and new `File path:N, in func(...)`)
// with their function names, code-like identifiers
// (backticked, snake_case, camelCase, called `f(`), the BM25 terms,
// adjacent-word compounds that may name a file or an identifier, and
// literals to find verbatim (quoted spans, `--options`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bastion::index {

struct PathMention {
  std::string path;    // as written, e.g. "~/env/site-packages/seaborn/_core.py"
  uint32_t line = 0;   // 0 when none was given
  bool traceback = false;  // a stack frame (later frames are deeper)
  std::string function;    // the frame's function ("PolyFit._fit_predict"), if given
};

struct QueryIdentifier {
  std::string name;
  double weight;  // 1 for clearly code-like mentions, lower for prose words
};

// `from a.b.c import x, y as z` in a snippet: the names and their package.
struct ImportMention {
  std::vector<std::string> module;  // {"a", "b", "c"}
  std::vector<std::string> names;   // {"x", "y"}
};

struct ParsedQuery {
  std::vector<PathMention> paths;
  std::vector<std::vector<std::string>> dotted;  // "a.b.C" -> {"a","b","C"}
  std::vector<ImportMention> imports;            // absolute `from ... import` lines
  std::vector<QueryIdentifier> identifiers;      // unique by name
  std::vector<std::string> terms;                // BM25 terms (with repeats)
  // Adjacent prose words written as one identifier or file name
  // ("JUnit XML" -> "junitxml", "terminal writer" -> "terminalwriter").
  std::vector<std::string> compounds;
  // Exact strings worth finding verbatim in a file: backticked or quoted
  // spans and command-line options (`invalid-name`, "--last-failed").
  std::vector<std::string> literals;
  bool mentions_tests = false;
  // Code-like names in the first line: an issue's title names what broke.
  std::vector<std::string> title_identifiers;
  // The title's words, lower-cased (4+ letters, no stopwords), in order.
  std::vector<std::string> title_words;
  // The component a title is labelled with, lower-cased: "[linkcheck] ..."
  // or "LaTeX: ..." (one word). Empty when there is none.
  std::string title_component;
};

ParsedQuery parse_query(std::string_view text);

// The literals of `text` (see ParsedQuery), unique, in order.
std::vector<std::string> query_literals(std::string_view text);

// Lower-cased concatenations of adjacent prose words (see ParsedQuery).
std::vector<std::string> word_compounds(std::string_view text);

}  // namespace bastion::index
