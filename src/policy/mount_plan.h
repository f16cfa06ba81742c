// Read-only holes and hidden paths inside otherwise visible/writable trees.
//
// Landlock is allow-list based and rights inherit down a tree, so it cannot
// keep `.git/hooks` read-only inside a writable workspace, nor hide ~/.ssh
// inside a readable $HOME. A private mount namespace can: carve-outs are
// bind-mounted read-only onto themselves, credential stores are covered by an
// empty read-only tmpfs (directories) or /dev/null (files), and every
// directory from the writable root down to a carve-out is pinned (bound onto
// itself) so it cannot be renamed away and replaced by a fresh copy. The
// same plan drives the bubblewrap backend's --bind/--ro-bind/--tmpfs flags.
#pragma once

#include <string>
#include <vector>

#include "policy/sandbox.h"

namespace bastion::policy {

struct MountPlan {
  std::vector<std::string> pin_dirs;    // bound onto themselves (rename/rmdir -> EBUSY)
  std::vector<std::string> ro_paths;    // bound read-only onto themselves
  std::vector<std::string> mask_dirs;   // covered by an empty read-only tmpfs
  std::vector<std::string> mask_files;  // covered by /dev/null
  // Shared scratch dirs outside the policy (/dev/shm) get a fresh private
  // tmpfs, so what a command writes there never reaches the host.
  std::vector<std::string> private_tmpfs;
  std::vector<std::string> notes;       // limitations worth telling the user
};

MountPlan plan_mounts(const SandboxPolicy& policy);

// True when this process may create a user + mount namespace (probed once
// by forking a child).
bool user_namespaces_work();

// Runs in the child: new user + mount (+ network when `new_net`) namespace,
// then applies the plan. Returns "" or an error.
std::string apply_mount_plan(const MountPlan& plan, bool new_net);

}  // namespace bastion::policy
