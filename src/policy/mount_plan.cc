#include "policy/mount_plan.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/fs.h"

namespace bastion::policy {
namespace {

std::string parent_of(const std::string& p) {
  size_t slash = p.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
}

bool write_proc(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

std::string fail(const char* what, const std::string& path) {
  return std::string("sandbox: ") + what + " " + path + ": " + std::strerror(errno);
}

// Remounts a bind mount read-only, keeping the flags a user namespace may
// not clear (nosuid, nodev, noexec, atime).
int remount_ro(const std::string& p) {
  struct statvfs sv;
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
  if (::statvfs(p.c_str(), &sv) == 0) {
    if (sv.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  }
  return ::mount(nullptr, p.c_str(), nullptr, flags, nullptr);
}

}  // namespace

MountPlan plan_mounts(const SandboxPolicy& policy) {
  MountPlan plan;
  auto root_of = [&](const std::string& p) -> std::string {
    std::string best;
    for (auto& r : policy.writable_roots)
      if (fs::is_within(p, r) && r.size() > best.size()) best = r;
    return best;
  };
  for (auto& raw : policy.read_only_paths) {
    std::string p = fs::resolve_real(raw, "/");
    std::string root = root_of(p);
    if (root.empty()) continue;  // not writable anyway
    std::string target = p;
    while (!fs::exists(target) && target != root) target = parent_of(target);
    if (target == root) {
      plan.notes.push_back(p + " does not exist and its parent is the writable root; it is not protected");
      continue;
    }
    if (target != p) plan.notes.push_back(p + " does not exist yet: protecting " + target + " instead");
    plan.ro_paths.push_back(target);
    for (std::string d = parent_of(target); fs::is_within(d, root); d = parent_of(d)) {
      plan.pin_dirs.push_back(d);
      if (d == root) break;
    }
  }
  for (auto& raw : policy.denied_paths) {
    std::string p = fs::resolve_real(raw, "/");
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) continue;
    (S_ISDIR(st.st_mode) ? plan.mask_dirs : plan.mask_files).push_back(p);
  }
  if (fs::is_directory("/dev/shm")) plan.private_tmpfs.push_back("/dev/shm");
  auto tidy = [](std::vector<std::string>& v) {
    std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.size() != b.size() ? a.size() < b.size() : a < b; });
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  tidy(plan.pin_dirs);
  tidy(plan.ro_paths);
  tidy(plan.mask_dirs);
  tidy(plan.mask_files);
  return plan;
}

bool user_namespaces_work() {
  static int cached = -1;
  if (cached >= 0) return cached == 1;
  pid_t pid = ::fork();
  if (pid == 0) _exit(::unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0 ? 0 : 1);
  int status = 0;
  cached = pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return cached == 1;
}

std::string apply_mount_plan(const MountPlan& plan, bool new_net) {
  uid_t uid = ::getuid();
  gid_t gid = ::getgid();
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS | (new_net ? CLONE_NEWNET : 0)) != 0)
    return fail("cannot create user/mount namespace", "");
  write_proc("/proc/self/setgroups", "deny");
  if (!write_proc("/proc/self/uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1\n") ||
      !write_proc("/proc/self/gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1\n"))
    return fail("cannot write uid/gid map", "");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return fail("cannot make / private", "");
  for (auto& d : plan.pin_dirs)
    if (::mount(d.c_str(), d.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) return fail("cannot pin", d);
  for (auto& p : plan.ro_paths) {
    if (::mount(p.c_str(), p.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) return fail("cannot bind", p);
    if (remount_ro(p) != 0) return fail("cannot make read-only", p);
  }
  for (auto& d : plan.private_tmpfs)
    if (::mount("tmpfs", d.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0) return fail("cannot mount", d);
  for (auto& d : plan.mask_dirs)
    if (::mount("tmpfs", d.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4k,mode=000") != 0)
      return fail("cannot hide", d);
  for (auto& f : plan.mask_files) {
    if (::mount("/dev/null", f.c_str(), nullptr, MS_BIND, nullptr) != 0) return fail("cannot hide", f);
    remount_ro(f);
  }
  // The working directory still points into the mount tree as it was before
  // the binds; re-enter it by path so relative paths see the new mounts.
  char cwd[4096];
  if (::getcwd(cwd, sizeof cwd) == nullptr || ::chdir(cwd) != 0) return fail("cannot re-enter", "working directory");
  return "";
}

}  // namespace bastion::policy
