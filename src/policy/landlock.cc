#include "policy/landlock.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bastion::policy::landlock {
namespace {

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

constexpr uint32_t kCreateRulesetVersion = 1U << 0;
constexpr int kRulePathBeneath = 1;
constexpr int kRuleNetPort = 2;  // ABI 4
constexpr uint64_t kNetBindTcp = 1ULL << 0, kNetConnectTcp = 1ULL << 1;
constexpr uint64_t kScopeAbstractUnix = 1ULL << 0, kScopeSignal = 1ULL << 1;  // ABI 6

struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;  // ABI 4
  uint64_t scoped;              // ABI 6
};

struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

std::string err(const char* what, const std::string& path = "") {
  return std::string("landlock: ") + what + (path.empty() ? "" : " " + path) + ": " + std::strerror(errno);
}

}  // namespace

int abi_version() {
  long v = ::syscall(__NR_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  return v < 0 ? 0 : static_cast<int>(v);
}

uint64_t fs_rights_for_abi(int abi) {
  uint64_t r = (1ULL << 13) - 1;  // ABI 1
  if (abi >= 2) r |= kRefer;
  if (abi >= 3) r |= kTruncate;
  if (abi >= 5) r |= kIoctlDev;
  return r;
}

uint64_t read_rights() { return kExecute | kReadFile | kReadDir; }
uint64_t file_rights() { return kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev; }

std::string enforce(const Ruleset& rs) {
  if (rs.abi <= 0) return "landlock: not supported by this kernel";
  const uint64_t handled = fs_rights_for_abi(rs.abi);
  RulesetAttr attr{};
  attr.handled_access_fs = handled;
  size_t size = sizeof(uint64_t);
  if (rs.abi >= 4 && rs.deny_tcp) {
    attr.handled_access_net = kNetBindTcp | kNetConnectTcp;  // no rules => no TCP at all
    size = 2 * sizeof(uint64_t);
  }
  if (rs.abi >= 6) {
    attr.scoped = kScopeAbstractUnix | kScopeSignal;
    size = sizeof(RulesetAttr);
  }
  int fd = static_cast<int>(::syscall(__NR_landlock_create_ruleset, &attr, size, 0));
  if (fd < 0) return err("create_ruleset");
  for (const auto& r : rs.rules) {
    int pfd = ::open(r.path.c_str(), O_PATH | O_CLOEXEC);
    if (pfd < 0) continue;  // vanished since planning: nothing to grant
    struct stat st;
    uint64_t rights = r.rights & handled;
    if (::fstat(pfd, &st) == 0 && !S_ISDIR(st.st_mode)) rights &= file_rights();
    PathBeneathAttr pb{rights, pfd};
    if (rights != 0 && ::syscall(__NR_landlock_add_rule, fd, kRulePathBeneath, &pb, 0) != 0) {
      std::string e = err("add_rule", r.path);
      ::close(pfd);
      ::close(fd);
      return e;
    }
    ::close(pfd);
  }
  (void)kRuleNetPort;
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    ::close(fd);
    return err("no_new_privs");
  }
  if (::syscall(__NR_landlock_restrict_self, fd, 0) != 0) {
    std::string e = err("restrict_self");
    ::close(fd);
    return e;
  }
  ::close(fd);
  return "";
}

}  // namespace bastion::policy::landlock
