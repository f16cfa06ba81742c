// The file walker: lists the files the agent sees, with git's exact ignore
// semantics (.gitignore at every level, .git/info/exclude, core.excludesFile,
// negation, anchoring, `**`, dir-only patterns, escapes) plus .ignore and
// .bastionignore. Output equals `git ls-files -co --exclude-standard`.
// glob, grep and the symbol index all walk through here.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace bastion::index {

// Files listed by one step of the walk. `paths` are relative to the walk
// root, like list_files' result. When `dir_fd` >= 0 they all sit in one
// directory, open as `dir_fd` for the duration of the call: open
// `paths[i].c_str() + name_offset` relative to it. When `dir_fd` < 0, open
// them relative to the walk root.
struct FileBatch {
  int dir_fd = -1;
  size_t name_offset = 0;
  const std::vector<std::string>* paths = nullptr;
};

struct WalkOptions {
  bool respect_ignores = true;
  size_t max_file_bytes = 0;   // 0 = no limit; larger files are skipped
  bool skip_binary = false;    // skip files whose first 8 KB hold a NUL
  int threads = 0;             // 0 = hardware concurrency
  // When set, receives every directory the walk descended into (relative
  // to the walk root, "" for the root itself): what a watcher must watch.
  std::vector<std::string>* dirs = nullptr;
  // When set, receives the listed files in batches as soon as they are
  // decided, so a consumer (grep) works while the walk goes on. Called from
  // the walk's threads, concurrently and in no particular order; every
  // listed file is passed exactly once. See FileBatch.
  std::function<void(const FileBatch&)> on_files;
  // False (with on_files): list_files returns an empty vector and skips
  // gathering and sorting the listing, which only on_files needed (grep).
  bool keep_listing = true;
};

// Repo-relative paths ('/'-separated), sorted bytewise like git (none
// when options.keep_listing is false and on_files takes them instead).
std::vector<std::string> list_files(const std::string& root, const WalkOptions& options = {});

}  // namespace bastion::index
