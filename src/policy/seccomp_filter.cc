#include "policy/seccomp_filter.h"

#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <sched.h>

namespace bastion::policy::seccomp {

std::string install() {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return "seccomp: init failed";
  auto deny = [&](int nr, unsigned count = 0, const scmp_arg_cmp* args = nullptr) {
    return seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), nr, count, args);
  };
  int rc = 0;
  // Network: every socket family except AF_UNIX (1) and AF_NETLINK (16).
  for (int fam = 2; fam < 16 && rc == 0; ++fam) {
    scmp_arg_cmp a = SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(fam));
    rc = deny(SCMP_SYS(socket), 1, &a);
  }
  if (rc == 0) {
    scmp_arg_cmp a = SCMP_A0(SCMP_CMP_GE, 17);
    rc = deny(SCMP_SYS(socket), 1, &a);
  }
  // New user/mount/net namespaces through clone(2); clone3 hides its flags
  // in memory, so it reports ENOSYS and glibc falls back to clone.
  if (rc == 0) {
    scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
    rc = deny(SCMP_SYS(clone), 1, &a);
  }
  if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (rc == 0) {
    scmp_arg_cmp a = SCMP_A1(SCMP_CMP_EQ, TIOCSTI);
    rc = deny(SCMP_SYS(ioctl), 1, &a);
  }
  const int kDenied[] = {
      SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev), SCMP_SYS(mount),
      SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(bpf),
      SCMP_SYS(perf_event_open), SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
      SCMP_SYS(init_module), SCMP_SYS(finit_module), SCMP_SYS(delete_module), SCMP_SYS(kexec_load),
      SCMP_SYS(kexec_file_load), SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at),
      SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register),
      SCMP_SYS(fsopen), SCMP_SYS(fsmount), SCMP_SYS(fsconfig), SCMP_SYS(fspick), SCMP_SYS(move_mount),
      SCMP_SYS(open_tree), SCMP_SYS(mount_setattr), SCMP_SYS(swapon), SCMP_SYS(swapoff),
      SCMP_SYS(reboot), SCMP_SYS(acct), SCMP_SYS(userfaultfd), SCMP_SYS(chroot)};
  for (int nr : kDenied) {
    if (rc != 0) break;
    if (nr < 0) continue;  // not on this architecture
    rc = deny(nr);
  }
  if (rc == 0) rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc != 0) return std::string("seccomp: cannot load filter: ") + std::strerror(-rc);
  return "";
}

}  // namespace bastion::policy::seccomp
