// `bastion map [--tokens N] [-C DIR] [FILES...]`: prints the repo map, ranked
// toward FILES when given.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/subcommands.h"
#include "index/index_open.h"
#include "index/repo_map.h"
#include "util/fs.h"

namespace bastion::cli {

int run_map(const std::vector<std::string>& args) {
  index::RepoMapOptions opt;
  std::string dir = ".";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::printf("usage: bastion map [--tokens N] [-C DIR] [FILES...]\n");
      return kExitOk;
    } else if (a == "--tokens" && i + 1 < args.size()) {
      try {
        opt.max_tokens = std::stoul(args[++i]);
      } catch (...) {
        std::fprintf(stderr, "bastion map: --tokens needs a number\n");
        return kExitUsage;
      }
    } else if (a == "-C" && i + 1 < args.size()) {
      dir = args[++i];
    } else {
      opt.focus_files.push_back(fs::absolute(a, std::filesystem::current_path().string()));
    }
  }
  auto index = index::open_repo_index(dir);
  if (!index.ok()) {
    std::fprintf(stderr, "bastion map: %s\n", index.error().message.c_str());
    return kExitError;
  }
  auto map = index::repo_map(*index.value(), opt);
  if (!map.ok()) {
    std::fprintf(stderr, "bastion map: %s\n", map.error().message.c_str());
    return kExitError;
  }
  std::fputs(map.value().c_str(), stdout);
  return kExitOk;
}

}  // namespace bastion::cli
