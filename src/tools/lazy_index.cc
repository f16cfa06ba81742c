#include "tools/lazy_index.h"

#include "index/index_open.h"

namespace bastion::tools {

LazyIndex::LazyIndex(const std::string& workspace, std::string db_path)
    : root_(index::repo_root_for(workspace)), db_path_(std::move(db_path)) {}

LazyIndex::LazyIndex(std::shared_ptr<index::CodeIndex> opened)
    : root_(opened->root()), index_(std::move(opened)) {}

Result<std::shared_ptr<index::CodeIndex>> LazyIndex::get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (index_) return index_;
  if (failure_) return *failure_;
  // A session lives long: let inotify say what changed between searches.
  auto opened = index::open_repo_index(root_, db_path_, /*watch=*/true);
  if (!opened.ok()) {
    failure_ = opened.error();
    return opened.error();
  }
  index_ = std::move(opened.value());
  return index_;
}

void LazyIndex::notify_file_changed(const std::string& path) {
  std::shared_ptr<index::CodeIndex> open;
  {
    std::lock_guard<std::mutex> lock(mu_);
    open = index_;
  }
  if (open) open->notify_file_changed(path);
}

bool LazyIndex::is_open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return index_ != nullptr;
}

}  // namespace bastion::tools
