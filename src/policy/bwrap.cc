#include "policy/bwrap.h"

#include <unistd.h>

#include "util/fs.h"
#include "util/subprocess.h"

namespace bastion::policy::bwrap {

std::string find_working() {
  static std::string cached = [] {
    for (const char* p : {"/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"}) {
      if (::access(p, X_OK) != 0) continue;
      ProcessSpec spec;
      spec.argv = {p, "--ro-bind", "/", "/", "--dev", "/dev", "--unshare-net", "--die-with-parent", "true"};
      spec.timeout_ms = 10000;
      auto r = run_process(spec);
      if (r.ok() && r->exit_code == 0) return std::string(p);
    }
    return std::string();
  }();
  return cached;
}

std::vector<std::string> wrap(const std::string& bwrap, const SandboxPolicy& policy, const MountPlan& plan,
                              const std::string& cwd, const std::vector<std::string>& argv) {
  std::vector<std::string> a = {bwrap, "--die-with-parent", "--new-session", "--unshare-net", "--unshare-ipc",
                                "--unshare-pid", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"};
  for (auto& r : policy.writable_roots)
    if (fs::exists(r)) a.insert(a.end(), {"--bind", r, r});
  for (auto& d : plan.pin_dirs) a.insert(a.end(), {"--bind", d, d});
  for (auto& p : plan.ro_paths) a.insert(a.end(), {"--ro-bind", p, p});
  for (auto& d : plan.private_tmpfs) a.insert(a.end(), {"--tmpfs", d});
  for (auto& d : plan.mask_dirs) a.insert(a.end(), {"--tmpfs", d, "--remount-ro", d});
  for (auto& f : plan.mask_files) a.insert(a.end(), {"--ro-bind", "/dev/null", f});
  if (!cwd.empty()) a.insert(a.end(), {"--chdir", cwd});
  a.push_back("--");
  a.insert(a.end(), argv.begin(), argv.end());
  return a;
}

}  // namespace bastion::policy::bwrap
