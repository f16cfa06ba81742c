// `bastion index [DIR]`: builds or refreshes the repository's symbol and
// search index, with a progress line on stderr when it is a terminal.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/subcommands.h"
#include "index/index_open.h"

namespace bastion::cli {

int run_index(const std::vector<std::string>& args) {
  std::string dir = ".";
  for (auto& a : args) {
    if (a == "-h" || a == "--help") {
      std::printf("usage: bastion index [DIR]\n");
      return kExitOk;
    }
    dir = a;
  }
  auto index = index::open_repo_index(dir);
  if (!index.ok()) {
    std::fprintf(stderr, "bastion index: %s\n", index.error().message.c_str());
    return kExitError;
  }
  bool tty = isatty(STDERR_FILENO);
  index::ProgressFn progress;
  if (tty) {
    progress = [](size_t done, size_t total) {
      std::fprintf(stderr, "\rindexing %zu/%zu files", done, total);
      std::fflush(stderr);
    };
  }
  auto stats = index.value()->refresh(progress);
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!stats.ok()) {
    std::fprintf(stderr, "bastion index: %s\n", stats.error().message.c_str());
    return kExitError;
  }
  const auto& s = stats.value();
  std::printf("%s: %zu files, %zu indexed, %zu unchanged content, %zu removed in %.2fs\n",
              index.value()->root().c_str(), s.files, s.analyzed, s.touched, s.removed, s.seconds);
  if (s.analyzed > 0) {
    std::printf("  %zu copies of identical files not parsed again; %.2fs listing, reading and "
                "analysing, %.2fs merging, %.2fs database, %.2fs snapshot\n",
                s.reused, s.analyze_seconds, s.merge_seconds, s.store_seconds, s.snapshot_seconds);
  }
  return kExitOk;
}

}  // namespace bastion::cli
