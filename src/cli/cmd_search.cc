// `bastion search [--files] [--explain] [-k N] [-C DIR] [--no-server] QUERY|-`: hybrid code
// search over the repository index (refreshed first, so results are never stale). When a
// `bastion index --serve` runs for the repository, it answers (its watched index skips the
// tree walk); otherwise, or with BASTION_INDEX_SERVER=0 / --no-server, the search runs here,
// and in a repository of 20,000 files or more it then starts a server that exits after 10
// idle minutes (index_autostart.h).
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "cli/index_autostart.h"
#include "cli/index_client.h"
#include "cli/search_command.h"
#include "cli/subcommands.h"
#include "index/index_open.h"

namespace bastion::cli {
namespace {

int emit(const CommandOutput& r) {
  if (!r.out.empty()) std::fwrite(r.out.data(), 1, r.out.size(), stdout);
  if (!r.err.empty()) std::fwrite(r.err.data(), 1, r.err.size(), stderr);
  return r.exit_code;
}

}  // namespace

int run_search(const std::vector<std::string>& args) {
  auto parsed = parse_search_args(args);
  if (!parsed.ok()) {
    std::fprintf(stderr, "bastion search: %s\n", parsed.error().message.c_str());
    return kExitUsage;
  }
  const SearchArgs& a = parsed.value();
  if (a.help) {
    std::printf("%s\n", search_usage());
    return kExitOk;
  }
  std::string stdin_text;
  if (a.query_from_stdin())
    stdin_text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  const std::string query = a.query_from_stdin() ? stdin_text : a.joined_words();
  if (blank_query(query)) {
    std::fprintf(stderr, "%s\n", search_usage());
    return kExitUsage;
  }
  if (auto served = search_via_server(a, args, stdin_text)) return emit(*served);
  auto opened = index::open_repo_index(a.dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "bastion search: %s\n", opened.error().message.c_str());
    return kExitError;
  }
  std::unique_ptr<index::CodeIndex> code_index = std::move(opened.value());
  int exit_code = emit(search_index(*code_index, a, query, /*dense=*/true));
  if (exit_code != kExitOk) return exit_code;
  // A big repository: the next search need not walk the tree again.
  size_t files = 0;
  code_index->read([&files](const index::CodeIndex::View& v) { files = v.live_count(); });
  std::string root = code_index->root();
  code_index.reset();  // its threads and descriptors are gone before the fork
  maybe_autostart_index_server(a, root, files);
  return exit_code;
}

}  // namespace bastion::cli
