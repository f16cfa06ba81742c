// list_files: a parallel directory walk that decides each entry the way
// `git ls-files -co --exclude-standard` does (see walker.h). Tracked files
// come from the index (so ignored-but-tracked files are listed); untracked
// ones from the walk, pruning excluded directories and listing untracked
// nested repositories as a single "dir/" entry.
#include "index/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <cerrno>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "index/gitignore.h"
#include "index/walker_git.h"
#include "util/fs.h"

namespace bastion::index {
namespace {

// The ignore files of one directory, linked to those of its parent.
struct IgnoreNode {
  std::shared_ptr<const IgnoreNode> parent;
  std::vector<IgnoreFile> files;  // .gitignore, .ignore, .bastionignore (later wins)
};

struct Task {
  std::string rel;  // repo-relative directory ("" = repo root)
  std::shared_ptr<const IgnoreNode> node;
  bool check_nested = false;  // list it as "dir/" if it turns out to be a repository
};

std::string join_rel(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out += dir;
  out += '/';
  out += name;
  return out;
}

// Reads an in-tree ignore file (relative to `dirfd`, or absolute with
// AT_FDCWD); like git, a symlinked one is not followed.
bool read_regular(int dirfd, const std::string& path, std::string* out) {
  int fd = ::openat(dirfd, path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st;
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (ok) {
    out->clear();
    char buf[16384];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      out->append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return ok;
}

constexpr const char* kIgnoreFiles[] = {".gitignore", ".ignore", ".bastionignore"};

class Walker {
 public:
  // `prefix`: the walk root relative to the repository root ("" = same).
  Walker(std::string repo_root, std::string prefix, const WalkOptions& opts)
      : root_(std::move(repo_root)), strip_(prefix.empty() ? 0 : prefix.size() + 1), opts_(opts) {}

  IgnoreFile global_exclude;  // core.excludesFile
  IgnoreFile info_exclude;    // .git/info/exclude
  std::unordered_set<std::string> tracked;
  std::unordered_set<std::string> tracked_dirs;  // every directory holding a tracked path
  std::vector<std::string> results;

  // `dirfd` < 0: open the files by absolute path.
  std::shared_ptr<const IgnoreNode> load_node(const std::string& rel,
                                              std::shared_ptr<const IgnoreNode> parent,
                                              int dirfd = -1) const {
    if (!opts_.respect_ignores) return parent;
    std::string dir = rel.empty() ? root_ : root_ + "/" + rel;
    std::vector<IgnoreFile> files;
    std::string text;
    for (const char* name : kIgnoreFiles) {
      bool found = dirfd >= 0 ? read_regular(dirfd, name, &text)
                              : read_regular(AT_FDCWD, dir + "/" + name, &text);
      if (found) {
        IgnoreFile f = IgnoreFile::parse(text, rel);
        if (!f.empty()) files.push_back(std::move(f));
      }
    }
    if (files.empty()) return parent;
    auto node = std::make_shared<IgnoreNode>();
    node->parent = std::move(parent);
    node->files = std::move(files);
    return node;
  }

  bool excluded(const IgnoreNode* node, const std::string& path, bool is_dir) const {
    for (; node; node = node->parent.get()) {
      for (auto it = node->files.rbegin(); it != node->files.rend(); ++it) {
        IgnoreMatch m = it->match(path, is_dir);
        if (m != IgnoreMatch::kNone) return m == IgnoreMatch::kIgnored;
      }
    }
    for (const IgnoreFile* f : {&info_exclude, &global_exclude}) {
      IgnoreMatch m = f->match(path, is_dir);
      if (m != IgnoreMatch::kNone) return m == IgnoreMatch::kIgnored;
    }
    return false;
  }

  bool passes_filters(const std::string& abs, bool is_symlink) const {
    if (is_symlink || (opts_.max_file_bytes == 0 && !opts_.skip_binary)) return true;
    int fd = ::open(abs.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return false;
    struct stat st;
    bool keep = ::fstat(fd, &st) == 0;
    if (keep && opts_.max_file_bytes && static_cast<size_t>(st.st_size) > opts_.max_file_bytes)
      keep = false;
    if (keep && opts_.skip_binary) {
      char buf[8192];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0 && std::memchr(buf, 0, static_cast<size_t>(n))) keep = false;
    }
    ::close(fd);
    return keep;
  }

  void run(Task first) {
    queue_.push_back(std::move(first));
    int n = opts_.threads > 0 ? opts_.threads : static_cast<int>(std::thread::hardware_concurrency());
    n = std::clamp(n, 1, 16);
    std::vector<std::vector<std::string>> outs(n), dirs(n);
    std::vector<std::thread> threads;
    for (int i = 1; i < n; ++i)
      threads.emplace_back([this, &outs, &dirs, i] { worker(&outs[i], &dirs[i]); });
    worker(&outs[0], &dirs[0]);
    for (auto& t : threads) t.join();
    for (auto& o : outs) results.insert(results.end(), o.begin(), o.end());
    for (auto& d : dirs) visited_dirs.insert(visited_dirs.end(), d.begin(), d.end());
  }

  std::vector<std::string> visited_dirs;  // only with opts_.dirs

 private:
  void worker(std::vector<std::string>* out, std::vector<std::string>* dirs) {
    for (;;) {
      Task task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty() || active_ == 0; });
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
        ++active_;
      }
      std::vector<Task> subdirs;
      scan(task, out, &subdirs, dirs);
      enqueue(&subdirs);
      {
        std::lock_guard<std::mutex> lock(mu_);
        --active_;
      }
      cv_.notify_all();
    }
  }

  void enqueue(std::vector<Task>* tasks) {
    if (tasks->empty()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& t : *tasks) queue_.push_back(std::move(t));
    }
    tasks->clear();
    cv_.notify_all();
  }

  void scan(const Task& task, std::vector<std::string>* out, std::vector<Task>* subdirs,
            std::vector<std::string>* dirs) {
    std::string dir = task.rel.empty() ? root_ : root_ + "/" + task.rel;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    int dfd = ::dirfd(d);
    struct Entry {
      std::string name;
      unsigned char type;
    };
    std::vector<Entry> entries;
    bool has_ignore_file = false;
    bool has_dotgit = false;
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == ".git") has_dotgit = true;
      if (name == "." || name == ".." || name == ".git") continue;
      for (const char* f : kIgnoreFiles) has_ignore_file |= name == f;
      entries.push_back({std::string(name), e->d_type});
    }
    // An untracked nested repository is one entry, "dir/", as git lists it.
    if (task.check_nested && has_dotgit && is_nested_repo(dir)) {
      out->push_back(task.rel + "/");
      report_unwalked({out->back()});
      ::closedir(d);
      return;
    }
    if (opts_.dirs) dirs->push_back(task.rel);
    bool respect = opts_.respect_ignores;
    auto node = has_ignore_file ? load_node(task.rel, task.node, dfd) : task.node;
    size_t listed_before = out->size();
    for (Entry& e : entries) {
      std::string path = join_rel(task.rel, e.name);
      unsigned char type = e.type;
      if (type == DT_UNKNOWN) {
        struct stat st;
        if (::fstatat(dfd, e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG
             : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
      }
      if (type == DT_DIR) {
        if (!respect) {
          subdirs->push_back({std::move(path), node, false});
          continue;
        }
        // Untracked files below an excluded directory are excluded, and
        // tracked ones come from the index: no need to descend.
        if (excluded(node.get(), path, true)) continue;
        if (tracked_dirs.count(path)) {
          subdirs->push_back({std::move(path), node, false});
        } else if (tracked.count(path)) {
          continue;  // a submodule: listed from the index
        } else {
          subdirs->push_back({std::move(path), node, true});
        }
      } else if (type == DT_REG || type == DT_LNK) {
        // A tracked file is listed even where ignored (list_files lists the
        // tracked files the walk does not reach).
        if (respect && !tracked.count(path) && excluded(node.get(), path, false)) continue;
        if (passes_filters(root_ + "/" + path, type == DT_LNK)) out->push_back(std::move(path));
      }
    }
    // Subdirectories go to the queue before this thread greps (or whatever
    // on_files does), so the other threads keep walking meanwhile.
    enqueue(subdirs);
    if (opts_.on_files && out->size() > listed_before) {
      std::vector<std::string> batch;
      batch.reserve(out->size() - listed_before);
      for (size_t i = listed_before; i < out->size(); ++i) batch.push_back((*out)[i].substr(strip_));
      size_t dir_len = task.rel.size() - std::min(task.rel.size(), strip_);
      opts_.on_files(FileBatch{dfd, dir_len ? dir_len + 1 : 0, &batch});
      // Nobody reads the listing back, unless tracked files need it to
      // tell which of them the walk reached.
      if (!opts_.keep_listing && tracked.empty()) out->resize(listed_before);
    }
    ::closedir(d);
  }

 public:
  // Hands files listed outside the walk (tracked ones it did not reach) to
  // on_files; `repo_paths` are repo-relative.
  void report_unwalked(const std::vector<std::string>& repo_paths) const {
    if (!opts_.on_files || repo_paths.empty()) return;
    std::vector<std::string> batch;
    batch.reserve(repo_paths.size());
    for (const std::string& p : repo_paths) batch.push_back(p.substr(strip_));
    opts_.on_files(FileBatch{-1, 0, &batch});
  }

 private:

  std::string root_;
  size_t strip_;  // length of the walk root's repo-relative prefix and its slash
  WalkOptions opts_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  int active_ = 0;
};

}  // namespace

std::vector<std::string> list_files(const std::string& root, const WalkOptions& options) {
  std::string real_root = fs::resolve_real(root, std::filesystem::current_path().string());
  if (!fs::is_directory(real_root)) return {};
  GitRepo repo = options.respect_ignores ? find_repo(real_root) : GitRepo{};
  std::string repo_root = repo.root.empty() ? real_root : fs::resolve_real(repo.root, "/");
  std::string prefix = real_root == repo_root ? "" : fs::relative_to(real_root, repo_root);
  if (prefix == real_root) {  // unexpected: fall back to walking root as its own repo
    repo_root = real_root;
    prefix.clear();
  }

  Walker walker(repo_root, prefix, options);
  if (!repo.git_dir.empty()) {
    std::string excludes = global_excludes_path(repo);
    auto f = fs::read_file(excludes);
    if (f.ok()) walker.global_exclude = IgnoreFile::parse(*f, "");
    f = fs::read_file(repo.common_dir + "/info/exclude");
    if (f.ok()) walker.info_exclude = IgnoreFile::parse(*f, "");
    for (auto& entry : read_index(repo.git_dir)) {
      for (size_t s = entry.path.find('/'); s != std::string::npos; s = entry.path.find('/', s + 1))
        walker.tracked_dirs.insert(entry.path.substr(0, s));
      walker.tracked.insert(entry.path);
    }
  }

  // Ignore files of the directories above the walk root, and whether one of
  // those directories is itself excluded (then nothing untracked is listed).
  std::shared_ptr<const IgnoreNode> node;
  bool root_excluded = false;
  if (!prefix.empty()) {
    node = walker.load_node("", nullptr);
    size_t pos = 0;
    for (;;) {
      size_t slash = prefix.find('/', pos);
      std::string rel = prefix.substr(0, slash);
      if (options.respect_ignores &&
          walker.excluded(node.get(), rel, true)) {
        root_excluded = true;
        break;
      }
      if (slash == std::string::npos) break;
      node = walker.load_node(rel, node);  // the walk root's own files load in its task
      pos = slash + 1;
    }
  }
  if (!root_excluded) walker.run(Task{prefix, node, false});

  // Tracked files that exist on disk, where the walk did not reach them
  // (inside excluded directories, or submodules).
  std::vector<std::string>& out = walker.results;
  std::string want = prefix.empty() ? "" : prefix + "/";
  std::unordered_set<std::string_view> walked;
  if (!walker.tracked.empty()) walked.insert(out.begin(), out.end());
  std::vector<std::string> unwalked;
  for (const std::string& path : walker.tracked) {
    if (path.compare(0, want.size(), want) != 0 || walked.count(path)) continue;
    std::string abs = repo_root + "/" + path;
    struct stat st;
    if (::lstat(abs.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      unwalked.push_back(path);  // a submodule's gitlink
    } else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
               walker.passes_filters(abs, S_ISLNK(st.st_mode))) {
      unwalked.push_back(path);
    }
  }
  walked.clear();  // views into `out`, which grows next
  walker.report_unwalked(unwalked);
  if (options.keep_listing || !options.on_files) {
    out.insert(out.end(), std::make_move_iterator(unwalked.begin()),
               std::make_move_iterator(unwalked.end()));
    if (!want.empty())
      for (auto& p : out) p.erase(0, want.size());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  } else {
    out.clear();
  }
  if (options.dirs) {
    options.dirs->clear();
    for (std::string& d : walker.visited_dirs) {
      if (d == prefix) options.dirs->emplace_back();
      else if (d.compare(0, want.size(), want) == 0) options.dirs->push_back(d.substr(want.size()));
    }
    std::sort(options.dirs->begin(), options.dirs->end());
  }
  return std::move(out);
}

}  // namespace bastion::index
