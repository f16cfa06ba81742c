#include "index/tree_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_set>

namespace bastion::index {
namespace {

constexpr uint32_t kDirMask = IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE |
                              IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF |
                              IN_ONLYDIR;
constexpr uint32_t kGitMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ONLYDIR;
constexpr uint32_t kListingChange =
    IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF;

bool is_ignore_file(std::string_view name) {
  return name == ".gitignore" || name == ".ignore" || name == ".bastionignore";
}

}  // namespace

TreeWatcher::TreeWatcher(std::string root, const std::string& git_dir, const std::string& info_dir)
    : root_(std::move(root)) {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return;
  if (!git_dir.empty()) git_wd_ = ::inotify_add_watch(fd_, git_dir.c_str(), kGitMask);
  if (!info_dir.empty()) git_info_wd_ = ::inotify_add_watch(fd_, info_dir.c_str(), kGitMask);
}

TreeWatcher::~TreeWatcher() {
  if (fd_ >= 0) ::close(fd_);
}

void TreeWatcher::disable() {
  failed_ = true;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  dir_of_.clear();
  wd_of_.clear();
}

size_t TreeWatcher::watch_dirs(const std::vector<std::string>& dirs) {
  if (!usable()) return 0;
  size_t added = 0;
  for (const std::string& rel : dirs) {
    if (wd_of_.count(rel)) continue;
    std::string abs = rel.empty() ? root_ : root_ + "/" + rel;
    int wd = ::inotify_add_watch(fd_, abs.c_str(), kDirMask);
    if (wd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) continue;  // gone already: the next walk sees it
      disable();  // ENOSPC (watch limit) or worse: full walks from now on
      return added;
    }
    // The same directory under two names (a bind mount, a symlinked
    // path) gets one descriptor: keep the first name.
    if (dir_of_.emplace(wd, rel).second) ++added;
    wd_of_[rel] = wd;
  }
  return added;
}

TreeWatcher::Changes TreeWatcher::drain() {
  Changes out;
  if (!usable() || dir_of_.empty()) {
    out.structural = true;
    return out;
  }
  std::unordered_set<std::string> seen;
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: nothing more
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      std::string_view name = ev->len ? std::string_view(ev->name) : std::string_view();
      if (ev->mask & IN_Q_OVERFLOW) {
        out.structural = true;
        continue;
      }
      if (ev->wd == git_wd_ || ev->wd == git_info_wd_) {
        if (name == "index" || name == "exclude") out.structural = true;
        continue;
      }
      auto dir = dir_of_.find(ev->wd);
      if (dir == dir_of_.end()) continue;
      if (ev->mask & IN_IGNORED) {  // the directory is gone or unmounted
        out.structural = true;
        wd_of_.erase(dir->second);
        dir_of_.erase(dir);
        continue;
      }
      if ((ev->mask & kListingChange) || is_ignore_file(name)) {
        out.structural = true;
        continue;
      }
      if ((ev->mask & IN_ISDIR) || name.empty()) continue;  // a directory's own attributes
      std::string rel = dir->second.empty() ? std::string(name) : dir->second + "/" + std::string(name);
      if (seen.insert(rel).second) out.modified.push_back(std::move(rel));
    }
  }
  return out;
}

}  // namespace bastion::index
