// LazyIndex: the workspace's code index, opened on first use.
//
// Opening an index loads every file's record from its database, which costs
// tens to hundreds of milliseconds on a large repository. Most runs never
// search, so the agent must not pay that at start-up: the search and
// repo_map tools open the index the first time they need it, and edits made
// before then need no notification (the first refresh sees them by mtime).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "index/code_index.h"
#include "util/result.h"

namespace bastion::tools {

class LazyIndex {
 public:
  // `workspace`: any directory inside the repository. `db_path` as for
  // index::open_repo_index ("" = the default cache location).
  explicit LazyIndex(const std::string& workspace, std::string db_path = "");
  // Wraps an index that is already open.
  explicit LazyIndex(std::shared_ptr<index::CodeIndex> opened);

  // The repository root (cheap: no database access).
  const std::string& root() const { return root_; }
  // Opens the index on the first call; later calls return the same index,
  // or the same error.
  Result<std::shared_ptr<index::CodeIndex>> get();
  // Re-indexes `path` when the index is open; otherwise nothing to do.
  void notify_file_changed(const std::string& path);
  bool is_open() const;

 private:
  std::string root_;
  std::string db_path_;
  mutable std::mutex mu_;
  std::shared_ptr<index::CodeIndex> index_;
  std::optional<Error> failure_;
};

}  // namespace bastion::tools
