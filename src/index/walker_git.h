// What the walker needs from a git repository without running git: where
// its git directory is, which paths its index tracks (so tracked files that
// match an ignore pattern are still listed, as `git ls-files -c` does), and
// the global excludes file from the user's git config.
#pragma once

#include <string>
#include <vector>

namespace bastion::index {

struct TrackedEntry {
  std::string path;  // repo-relative, '/'-separated
  bool gitlink = false;  // a submodule (mode 160000)
};

struct GitRepo {
  std::string root;        // the work tree (absolute)
  std::string git_dir;     // .git, or where a `gitdir:` file points
  std::string common_dir;  // shared dir for linked worktrees (else git_dir)
};

// The repository containing `dir` (inclusive), or nullopt-like empty root.
GitRepo find_repo(const std::string& dir);

// True when `dir/.git` is a git directory or a `gitdir:` file, as git
// decides whether an untracked directory is a nested repository.
bool is_nested_repo(const std::string& dir);

// Index entries (any version 2-4), sorted; empty when there is no index or
// it cannot be parsed.
std::vector<TrackedEntry> read_index(const std::string& git_dir);

// The path of core.excludesFile (system, XDG, ~/.gitconfig, then the
// repository's config; the last setting wins), defaulting to
// $XDG_CONFIG_HOME/git/ignore or ~/.config/git/ignore.
std::string global_excludes_path(const GitRepo& repo);

}  // namespace bastion::index
