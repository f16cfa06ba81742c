// Signals for hybrid search beyond BM25 (see search.h), kept apart so the
// ranker reads as a list of weighted evidence:
//  - stack frames resolved to repo files, by path or, when the path is not in
//    the checkout (renamed module, installed copy), by the frame's function;
//    the deepest in-repo frame is where the exception surfaced;
//  - `Class.method` mentions resolved to the file defining that method;
//  - files whose own definitions are named with the query's distinctive terms
//    (the helper module that implements what the issue describes);
//  - verbatim literals (message ids, option names, quoted strings, error
//    messages) grepped repo-wide through the postings, and again in the top
//    candidates' text as a second-stage rerank;
//  - a language prior: files in the repo's minority languages are rarely
//    the ones an issue is about;
//  - graph proximity: personalized PageRank by local push over the def/ref
//    graph, computing only the out-edges of the files the walk reaches, so a
//    query costs nothing proportional to the repository's size.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <string>
#include <string_view>
#include <vector>

#include "index/code_index.h"
#include "index/path_resolver.h"
#include "index/query_parse.h"

namespace bastion::index {

using SlotScores = std::unordered_map<uint32_t, double>;

// Files named by the query's stack frames: weight per file (0..1], with the
// deepest resolved in-repo frame at 1.
SlotScores frame_scores(const CodeIndex::View& v, const ParsedQuery& q);
// The same with a resolver built for the query's paths (see search.cc).
SlotScores frame_scores(const CodeIndex::View& v, const ParsedQuery& q, const PathResolver& paths);

// A test file or test data, by path: tests/, testing/, test_*.py,
// *_test.go, *.test.ts, *.spec.js, conftest.py.
bool is_test_path(std::string_view path);

// The module a test file is named after, lower-cased: test_rechunk.py,
// rechunk_test.go, rechunk.test.ts, rechunk.spec.js -> "rechunk"; empty
// for any other path.
std::string tested_module_name(std::string_view path);

// Files defining `m` for each dotted `C.m` mention (method of a class).
SlotScores method_scores(const CodeIndex::View& v, const ParsedQuery& q);

// For `candidates`: IDF-weighted share of the query's distinctive terms that
// appear in the names of each file's own definitions.
SlotScores definition_term_scores(const CodeIndex::View& v, const ParsedQuery& q,
                                  const std::vector<uint32_t>& candidates);

// Reads a file's text by slot ("" when unreadable).
using SlotReader = std::function<std::string(uint32_t slot)>;

// Repo-wide grep for the query's literals, as an engineer greps for a
// quoted error message or a message id: a literal's candidate files are
// those holding all of its rarest terms (postings intersection); at most
// `max_reads` of them are read to confirm the verbatim text. Each literal
// found in few files adds log(1 + n / holders) to each holder.
SlotScores verbatim_scores(const CodeIndex::View& v, const std::vector<std::string>& literals,
                           const SlotReader& read, size_t max_reads = 120);

// Second stage, over the top candidates' contents: for each file, the
// rarity-weighted count of the query's literals it contains verbatim
// (log(1 + n / files-containing-it) each; literals in every file add 0).
std::vector<double> literal_scores(const std::vector<std::string>& contents,
                                   const std::vector<std::string>& literals);

// Second stage: for each file, the best passage of `window` lines, scored
// by the summed weight (`term_weight`, e.g. IDF) of the distinct query terms
// it holds. A file whose matches sit together in one function beats one
// that scatters them over thousands of lines (BM25's big-file bias). The
// file's path (`paths[i]`, may be empty) is part of every passage: a module
// named by the query is read in its light.
std::vector<double> passage_scores(const std::vector<std::string>& contents,
                                   const std::vector<std::string>& paths,
                                   const std::unordered_map<std::string, double>& term_weight,
                                   size_t window = 40);

// How many of the repo's parsed source files each language has (derived
// once per index version).
const LanguageShares& language_shares(const CodeIndex::View& v);

// A repo's issues are mostly about its main language: files in a language
// holding under a fifth of its source files (bundled JS in a Python
// project, build scripts) weigh up to 2x less, unless the query names a
// file with that extension. 1 for files with no grammar (path_prior's job).
double language_prior(const LanguageShares& shares, Lang lang, const std::string& path,
                      const ParsedQuery& q);

// Personalized PageRank (forward push, tolerance `eps`) from `seeds`
// (slot -> weight); names in `boost_names` weigh 10x on edges.
SlotScores local_pagerank(const CodeIndex::View& v, const SlotScores& seeds,
                          const std::unordered_set<std::string>& boost_names,
                          double damping = 0.85, double eps = 1e-4);

}  // namespace bastion::index
