// The file walker: lists the files the agent sees, with git's exact ignore
// semantics (.gitignore at every level, .git/info/exclude, core.excludesFile,
// negation, anchoring, `**`, dir-only patterns, escapes) plus .ignore and
// .bastionignore. Output equals `git ls-files -co --exclude-standard`.
// glob, grep and the symbol index all walk through here.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bastion::index {

struct WalkOptions {
  bool respect_ignores = true;
  size_t max_file_bytes = 0;   // 0 = no limit; larger files are skipped
  bool skip_binary = false;    // skip files whose first 8 KB hold a NUL
  int threads = 0;             // 0 = hardware concurrency
  // When set, receives every directory the walk descended into (relative
  // to the walk root, "" for the root itself): what a watcher must watch.
  std::vector<std::string>* dirs = nullptr;
};

// Repo-relative paths ('/'-separated), sorted bytewise like git.
std::vector<std::string> list_files(const std::string& root, const WalkOptions& options = {});

}  // namespace bastion::index
