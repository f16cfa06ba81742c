// The seccomp filter every sandboxed command runs under (libseccomp):
// no IPv4/IPv6/packet/other network sockets (AF_UNIX and AF_NETLINK stay),
// no ptrace or process_vm_*, no mount/namespace/keyring/module/bpf/
// io_uring syscalls, no TIOCSTI terminal injection. Denied calls fail with
// EPERM instead of killing the process, so tools report a clear error.
#pragma once

#include <string>

namespace bastion::policy::seccomp {

// Loads the filter into the calling process (the child after fork).
// Requires no_new_privs (set by the Landlock step). Returns "" or an error.
std::string install();

}  // namespace bastion::policy::seccomp
