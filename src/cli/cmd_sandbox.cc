// `bastion sandbox [--add-dir D]... [--sandbox MODE] -- CMD ARGS...` runs one
// command under the same OS sandbox policy the agent's commands get, with the
// current directory as the workspace. `bastion sandbox --status` prints which
// backends work here and what the policy protects.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/subcommands.h"
#include "policy/landlock.h"
#include "policy/mount_plan.h"
#include "policy/sandbox.h"
#include "util/fs.h"

namespace bastion::cli {
namespace {

constexpr int kExitSandboxRefused = 125;

void print_status(const policy::SandboxPolicy& pol, policy::Sandbox& chosen) {
  int abi = policy::landlock::abi_version();
  std::cout << "landlock: " << (abi > 0 ? "available, ABI " + std::to_string(abi) : std::string("not available"))
            << "\n";
  std::cout << "user namespaces: " << (policy::user_namespaces_work() ? "available" : "not available") << "\n";
  auto bw = policy::make_sandbox(policy::SandboxMode::kBubblewrap, pol);
  std::cout << "bubblewrap: " << bw->describe() << "\n";
  std::cout << "selected: " << chosen.describe() << "\n";
  std::cout << "writable:";
  for (auto& r : pol.writable_roots) std::cout << " " << r;
  std::cout << "\nread-only inside writable roots:";
  for (auto& r : pol.read_only_paths) std::cout << " " << r;
  std::cout << "\nhidden (no read or write):";
  for (auto& r : pol.denied_paths) std::cout << " " << r;
  std::cout << "\nnetwork: " << (pol.allow_network ? "allowed" : "blocked") << "\n";
}

}  // namespace

int run_sandbox(const std::vector<std::string>& args) {
  std::vector<std::string> add_dirs, argv;
  std::string mode_text = "auto";
  bool status = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      argv.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (a == "--status") {
      status = true;
    } else if ((a == "--add-dir" || a == "--sandbox") && i + 1 < args.size()) {
      (a == "--add-dir" ? add_dirs.push_back(args[i + 1]) : (void)(mode_text = args[i + 1]));
      ++i;
    } else if (a.rfind("--add-dir=", 0) == 0) {
      add_dirs.push_back(a.substr(10));
    } else if (a.rfind("--sandbox=", 0) == 0) {
      mode_text = a.substr(10);
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: bastion sandbox [--add-dir DIR]... [--sandbox auto|landlock|bwrap|off] -- CMD ARGS...\n"
                   "       bastion sandbox --status\n";
      return kExitOk;
    } else {
      argv.assign(args.begin() + static_cast<long>(i), args.end());
      break;
    }
  }
  auto mode = policy::parse_sandbox_mode(mode_text);
  if (!mode.ok()) {
    std::cerr << "bastion sandbox: " << mode.error().message << "\n";
    return kExitUsage;
  }
  char buf[4096];
  if (!::getcwd(buf, sizeof buf)) {
    std::cerr << "bastion sandbox: cannot determine the current directory\n";
    return kExitError;
  }
  std::string cwd = fs::resolve_real(buf, "/");
  auto pol = policy::SandboxPolicy::for_workspace(cwd, add_dirs);
  auto sb = policy::make_sandbox(*mode, pol);
  if (status) {
    print_status(pol, *sb);
    return sb->available() ? kExitOk : kExitError;
  }
  if (argv.empty()) {
    std::cerr << "bastion sandbox: no command given (usage: bastion sandbox -- CMD ARGS...)\n";
    return kExitUsage;
  }
  ProcessSpec spec;
  spec.argv = argv;
  spec.cwd = cwd;
  spec.max_output_bytes = 64u << 20;
  auto r = sb->run(spec);
  if (!r.ok()) {
    std::cerr << "bastion sandbox: " << r.error().message << "\n";
    return kExitSandboxRefused;
  }
  std::fwrite(r->output.data(), 1, r->output.size(), stdout);
  std::fflush(stdout);
  return r->exit_code;
}

}  // namespace bastion::cli
