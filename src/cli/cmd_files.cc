// `bastion files [DIR]`: prints the files the agent sees, one per line, in
// git's order. Equals `git ls-files -co --exclude-standard` on a repository.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/subcommands.h"
#include "index/walker.h"
#include "util/fs.h"

namespace bastion::cli {

int run_files(const std::vector<std::string>& args) {
  std::string dir = ".";
  index::WalkOptions opts;
  char sep = '\n';
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::printf(
          "usage: bastion files [DIR] [-z] [--no-ignore] [--skip-binary] [--max-size BYTES]\n");
      return kExitOk;
    } else if (a == "-z") {
      sep = '\0';
    } else if (a == "--no-ignore") {
      opts.respect_ignores = false;
    } else if (a == "--skip-binary") {
      opts.skip_binary = true;
    } else if (a == "--max-size" && i + 1 < args.size()) {
      opts.max_file_bytes = std::strtoull(args[++i].c_str(), nullptr, 10);
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "bastion files: unknown option %s\n", a.c_str());
      return kExitUsage;
    } else {
      dir = a;
    }
  }
  if (!fs::is_directory(dir)) {
    std::fprintf(stderr, "bastion files: %s is not a directory\n", dir.c_str());
    return kExitError;
  }
  std::string out;
  for (const auto& f : index::list_files(dir, opts)) {
    out += f;
    out += sep;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace bastion::cli
