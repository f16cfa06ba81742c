// Landlock through raw syscalls (no library). Debian's kernel headers stop
// at ABI 2, so the ABI 3+ constants (TRUNCATE, network rules, IOCTL_DEV,
// scoping) are defined here; the ABI is detected at run time and only the
// rights the running kernel knows are requested.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bastion::policy::landlock {

// 0 when Landlock is unavailable (old kernel, LSM disabled, seccomp-blocked).
int abi_version();

inline constexpr uint64_t kExecute = 1ULL << 0, kWriteFile = 1ULL << 1, kReadFile = 1ULL << 2,
                          kReadDir = 1ULL << 3, kRemoveDir = 1ULL << 4, kRemoveFile = 1ULL << 5,
                          kMakeChar = 1ULL << 6, kMakeDir = 1ULL << 7, kMakeReg = 1ULL << 8,
                          kMakeSock = 1ULL << 9, kMakeFifo = 1ULL << 10, kMakeBlock = 1ULL << 11,
                          kMakeSym = 1ULL << 12, kRefer = 1ULL << 13, kTruncate = 1ULL << 14,
                          kIoctlDev = 1ULL << 15;

// Every filesystem right the given ABI handles.
uint64_t fs_rights_for_abi(int abi);
uint64_t read_rights();   // execute, read file, read dir
uint64_t file_rights();   // rights that apply to a non-directory

struct PathRule {
  std::string path;
  uint64_t rights;
};

// A ruleset prepared in the parent and enforced in the child.
struct Ruleset {
  int abi = 0;
  std::vector<PathRule> rules;
  bool deny_tcp = true;  // ABI >= 4: no TCP bind/connect at all
};

// Runs in the child: opens each path (O_PATH), builds the ruleset, sets
// no_new_privs and restricts the calling process. Returns "" or an error.
std::string enforce(const Ruleset& rs);

}  // namespace bastion::policy::landlock
