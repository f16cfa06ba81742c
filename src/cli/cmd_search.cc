// `bastion search [--files] [--explain] [-k N] [-C DIR] QUERY|-`: hybrid code search over
// the repository index (refreshed first, so results are never stale).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/embeddings_setup.h"
#include "cli/subcommands.h"
#include "index/index_open.h"
#include "index/search.h"

namespace bastion::cli {

int run_search(const std::vector<std::string>& args) {
  bool files_only = false;
  bool explain = false;
  size_t k = 0;
  std::string dir = ".";
  std::vector<std::string> words;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--files") {
      files_only = true;
    } else if (a == "--explain") {
      explain = true;
    } else if ((a == "-k" || a == "-C") && i + 1 < args.size()) {
      if (a == "-C") {
        dir = args[++i];
        continue;
      }
      try {
        k = std::stoul(args[++i]);
      } catch (...) {
        std::fprintf(stderr, "bastion search: -k needs a number\n");
        return kExitUsage;
      }
    } else if (a == "-h" || a == "--help") {
      std::printf("usage: bastion search [--files] [--explain] [-k N] [-C DIR] QUERY   (QUERY '-' = stdin)\n");
      return kExitOk;
    } else {
      words.push_back(a);
    }
  }
  std::string query;
  if (words.size() == 1 && words[0] == "-") {
    query.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    for (auto& w : words) query += (query.empty() ? "" : " ") + w;
  }
  if (query.find_first_not_of(" \t\r\n") == std::string::npos) {
    std::fprintf(stderr, "usage: bastion search [--files] [--explain] [-k N] [-C DIR] QUERY   (QUERY '-' = stdin)\n");
    return kExitUsage;
  }
  auto index = index::open_repo_index(dir);
  if (!index.ok()) {
    std::fprintf(stderr, "bastion search: %s\n", index.error().message.c_str());
    return kExitError;
  }
  index::SearchOptions opt;
  opt.k = k ? k : (files_only ? 20 : 10);
  opt.lines_per_file = files_only ? 0 : 3;
  opt.explain = explain;
  // Dense retrieval when the user configured an embeddings model and
  // `bastion index --embeddings` has stored vectors; a failing endpoint
  // leaves the lexical ranking, with a warning.
  opt.dense = dense_search_for(index.value()->root(), opt.k, [](const std::string& message) {
    std::fprintf(stderr, "bastion search: %s\n", message.c_str());
  });
  auto hits = index::search(*index.value(), query, opt);
  if (!hits.ok()) {
    std::fprintf(stderr, "bastion search: %s\n", hits.error().message.c_str());
    return kExitError;
  }
  for (auto& h : hits.value()) {
    if (explain) {
      std::printf("%s\t%.3f\t%s\n", h.path.c_str(), h.score, h.why.c_str());
    } else if (files_only) {
      std::printf("%s\n", h.path.c_str());
    } else if (h.lines.empty()) {
      std::printf("%s\n", h.path.c_str());
    } else {
      for (auto& l : h.lines) std::printf("%s:%u: %s\n", h.path.c_str(), l.line, l.text.c_str());
    }
  }
  return kExitOk;
}

}  // namespace bastion::cli
