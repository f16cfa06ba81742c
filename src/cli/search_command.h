// The body of `bastion search`, split from its front end so two callers
// print exactly the same bytes: the one-shot command (cmd_search.cc), which
// opens the index itself, and the index server (index_server.h), which
// answers from an index it keeps open and watched. Parsing is shared too,
// so a server reads a client's argv the way the command does.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "index/code_index.h"
#include "util/result.h"

namespace bastion::cli {

struct SearchArgs {
  bool files_only = false;  // --files
  bool explain = false;     // --explain
  bool help = false;        // -h / --help
  bool no_server = false;   // --no-server: never ask an index server
  size_t k = 0;             // -k N (0 = the default for the mode)
  std::string dir = ".";    // -C DIR
  std::vector<std::string> words;

  // QUERY is `-`: the text comes from stdin.
  bool query_from_stdin() const { return words.size() == 1 && words[0] == "-"; }
  // The words joined by spaces (meaningless when query_from_stdin()).
  std::string joined_words() const;
};

// What a command prints and returns, captured instead of written.
struct CommandOutput {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// The usage line (without a trailing newline).
const char* search_usage();

// Parses the arguments after `search`. The only error is a bad -k value
// ("-k needs a number"); an empty query is the caller's to refuse, since it
// may come from stdin.
Result<SearchArgs> parse_search_args(const std::vector<std::string>& args);

// True when `query` holds nothing but whitespace.
bool blank_query(const std::string& query);

// Searches `index` (refreshing it first) for `query` the way `bastion
// search` does and returns what it prints. With `dense`, the optional
// embeddings signal is consulted (cli/embeddings_setup.h); the server passes
// false because the embeddings configuration belongs to the caller's
// environment, and its clients only ask when no dense store exists.
CommandOutput search_index(index::CodeIndex& index, const SearchArgs& args,
                           const std::string& query, bool dense);

}  // namespace bastion::cli
