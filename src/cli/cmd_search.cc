// `bastion search [--files] [--explain] [-k N] [-C DIR] [--no-server] QUERY|-`: hybrid code
// search over the repository index (refreshed first, so results are never stale). When a
// `bastion index --serve` runs for the repository, it answers (its watched index skips the
// tree walk); otherwise, or with BASTION_INDEX_SERVER=0 / --no-server, the search runs here.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

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
  auto index = index::open_repo_index(a.dir);
  if (!index.ok()) {
    std::fprintf(stderr, "bastion search: %s\n", index.error().message.c_str());
    return kExitError;
  }
  return emit(search_index(*index.value(), a, query, /*dense=*/true));
}

}  // namespace bastion::cli
