// The bubblewrap fallback, for kernels without Landlock: the root
// filesystem read-only, the writable roots bound read-write, carve-outs
// bound read-only, credential stores covered by tmpfs or /dev/null, and
// fresh network/IPC/PID namespaces (no network at all).
#pragma once

#include <string>
#include <vector>

#include "policy/mount_plan.h"
#include "policy/sandbox.h"

namespace bastion::policy::bwrap {

// Path of a working bwrap binary, or "" (probed once with `bwrap … true`).
std::string find_working();

// The bwrap argv prefix for running `argv` in `cwd` under the policy.
std::vector<std::string> wrap(const std::string& bwrap, const SandboxPolicy& policy, const MountPlan& plan,
                              const std::string& cwd, const std::vector<std::string>& argv);

}  // namespace bastion::policy::bwrap
