// TreeWatcher: tells a long-lived index which files changed on disk since
// the last look, so a refresh re-reads those files instead of walking and
// stat-ing the whole tree (100k stats cost ~1 s; one changed file, ~1 ms).
//
// It holds one inotify watch per directory the walker descended into (the
// ignored ones are never watched). A content change of a file (write,
// close-after-write, attribute change) is reported by path. Anything that can
// change *which* files are listed is "structural" and tells the caller to
// walk again: a file or directory created, deleted or renamed, an ignore
// file touched, git's index or info/exclude rewritten, a watched directory
// gone, or a lost event (queue overflow). When inotify is unavailable or its
// watch limit is reached, the watcher reports every look as structural, so
// callers are never less correct than a full walk.
//
// Not thread-safe: the owner calls it under its own lock.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace bastion::index {

class TreeWatcher {
 public:
  // Watches nothing yet; every drain() is structural until watch_dirs()
  // succeeds. `git_dir` ("" = none) is watched for `index`, `info_dir`
  // for `exclude`.
  TreeWatcher(std::string root, const std::string& git_dir, const std::string& info_dir);
  ~TreeWatcher();
  TreeWatcher(const TreeWatcher&) = delete;
  TreeWatcher& operator=(const TreeWatcher&) = delete;

  struct Changes {
    bool structural = false;
    std::vector<std::string> modified;  // repo-relative, unique
  };
  // Events since the last drain().
  Changes drain();

  // Adds watches for `dirs` (repo-relative, "" = root) not watched yet.
  // Returns how many were new; a failure (limit reached) disables the
  // watcher for good.
  size_t watch_dirs(const std::vector<std::string>& dirs);

  bool usable() const { return fd_ >= 0 && !failed_; }
  size_t watched() const { return dir_of_.size(); }

 private:
  void disable();

  std::string root_;
  int fd_ = -1;
  bool failed_ = false;
  int git_wd_ = -1, git_info_wd_ = -1;
  std::unordered_map<int, std::string> dir_of_;   // watch descriptor -> rel dir
  std::unordered_map<std::string, int> wd_of_;    // rel dir -> watch descriptor
};

}  // namespace bastion::index
