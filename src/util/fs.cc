#include "util/fs.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

namespace bastion::fs {
namespace {

Error io_error(const std::string& what, const std::string& path) {
  return make_error(errno == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo,
                    what + " " + path + ": " + std::strerror(errno));
}

std::string parent_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", path);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = io_error("cannot read", path);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status make_dirs(const std::string& path) {
  if (path.empty() || is_directory(path)) return ok_status();
  std::string parent = parent_of(path);
  if (parent != path) {
    Status st = make_dirs(parent);
    if (!st.ok()) return st;
  }
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return io_error("cannot create directory", path);
  return ok_status();
}

Status write_file_atomic(const std::string& path, std::string_view content) {
  std::string dir = parent_of(path);
  Status st = make_dirs(dir);
  if (!st.ok()) return st;
  mode_t mode = 0644;
  struct stat sb;
  if (::stat(path.c_str(), &sb) == 0) mode = sb.st_mode & 07777;
  std::random_device rd;
  std::string tmp = path + ".bastion-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return io_error("cannot create", tmp);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = io_error("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    off += static_cast<size_t>(n);
  }
  ::fchmod(fd, mode);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    Error e = io_error("cannot flush", tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = io_error("cannot replace", path);
    ::unlink(tmp.c_str());
    return e;
  }
  return ok_status();
}

Status append_file(const std::string& path, std::string_view content) {
  Status st = make_dirs(parent_of(path));
  if (!st.ok()) return st;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open", path);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = io_error("cannot append to", path);
      ::close(fd);
      return e;
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  return ok_status();
}

bool exists(const std::string& path) {
  struct stat sb;
  return ::lstat(path.c_str(), &sb) == 0;
}

bool is_directory(const std::string& path) {
  struct stat sb;
  return ::stat(path.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode);
}

std::string absolute(const std::string& path, const std::string& base) {
  std::string joined = (!path.empty() && path[0] == '/') ? path : base + "/" + path;
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= joined.size()) {
    size_t j = joined.find('/', i);
    if (j == std::string::npos) j = joined.size();
    std::string part = joined.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string resolve_real(const std::string& path, const std::string& base) {
  std::string joined = (!path.empty() && path[0] == '/') ? path : base + "/" + path;
  // Walk component by component so `..` applies after symlinks resolve,
  // exactly as the kernel would.
  std::string resolved = "/";
  std::vector<std::string> pending;
  {
    size_t i = 0;
    while (i <= joined.size()) {
      size_t j = joined.find('/', i);
      if (j == std::string::npos) j = joined.size();
      std::string part = joined.substr(i, j - i);
      if (!part.empty() && part != ".") pending.push_back(part);
      i = j + 1;
    }
  }
  int link_budget = 40;
  bool missing = false;
  for (size_t k = 0; k < pending.size(); ++k) {
    const std::string& part = pending[k];
    if (part == "..") {
      if (resolved != "/") resolved = parent_of(resolved);
      continue;
    }
    std::string next = resolved == "/" ? "/" + part : resolved + "/" + part;
    if (missing) { resolved = next; continue; }
    char target[PATH_MAX];
    ssize_t n = ::readlink(next.c_str(), target, sizeof target - 1);
    if (n >= 0 && link_budget-- > 0) {
      target[n] = '\0';
      std::string rest;
      for (size_t m = k + 1; m < pending.size(); ++m) rest += "/" + pending[m];
      std::string t(target);
      std::string combined = (t[0] == '/') ? t + rest : resolved + "/" + t + rest;
      return resolve_real(combined, "/");
    }
    if (n < 0 && errno == ENOENT) missing = true;
    resolved = next;
  }
  return resolved;
}

bool is_within(const std::string& path, const std::string& root) {
  if (root == "/") return !path.empty() && path[0] == '/';
  if (path.size() < root.size() || path.compare(0, root.size(), root) != 0) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

std::string relative_to(const std::string& path, const std::string& root) {
  if (!is_within(path, root)) return path;
  if (path.size() == root.size()) return ".";
  return path.substr(root == "/" ? 1 : root.size() + 1);
}

std::string home_dir() {
  const char* h = std::getenv("HOME");
  if (h && *h) return h;
  struct passwd* pw = ::getpwuid(::getuid());
  return pw ? pw->pw_dir : "/";
}

std::string config_dir() { return env_or("XDG_CONFIG_HOME", home_dir() + "/.config") + "/bastion"; }
std::string data_dir() { return env_or("XDG_DATA_HOME", home_dir() + "/.local/share") + "/bastion"; }
std::string cache_dir() { return env_or("XDG_CACHE_HOME", home_dir() + "/.cache") + "/bastion"; }
std::string state_dir() { return env_or("XDG_STATE_HOME", home_dir() + "/.local/state") + "/bastion"; }

std::string find_git_root(const std::string& dir) {
  std::string cur = absolute(dir, "/");
  for (;;) {
    if (exists(cur + "/.git")) return cur;
    if (cur == "/") return "";
    cur = parent_of(cur);
  }
}

}  // namespace bastion::fs
