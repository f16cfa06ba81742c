// Backend choice and the Sandbox implementations: Landlock + seccomp (with a
// private mount namespace for read-only holes and hidden credential stores),
// bubblewrap, off, and "unavailable" (which refuses to run anything).
#include "policy/sandbox.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>

#include "policy/bwrap.h"
#include "policy/landlock.h"
#include "policy/mount_plan.h"
#include "policy/seccomp_filter.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::policy {

Result<SandboxMode> parse_sandbox_mode(const std::string& text) {
  std::string t = str::to_lower(std::string(str::trim(text)));
  if (t == "auto" || t == "on" || t == "default" || t.empty()) return SandboxMode::kAuto;
  if (t == "landlock") return SandboxMode::kLandlock;
  if (t == "bwrap" || t == "bubblewrap") return SandboxMode::kBubblewrap;
  if (t == "off" || t == "none" || t == "disabled") return SandboxMode::kOff;
  return make_error(ErrorKind::kBadInput, "unknown sandbox mode '" + text + "' (expected auto, landlock, bwrap or off)");
}

namespace {

// Submodules keep their own git dirs under .git/modules/<name> (nested
// submodules under .../modules/<name>/modules/...): their hooks and config
// run code as surely as the top-level ones.
void add_submodule_git_dirs(const std::string& modules, std::vector<std::string>* out, int depth) {
  if (depth > 4 || !fs::is_directory(modules)) return;
  DIR* d = ::opendir(modules.c_str());
  if (!d) return;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d))
    if (std::string n = e->d_name; n != "." && n != "..") names.push_back(n);
  ::closedir(d);
  for (auto& n : names) {
    std::string g = modules + "/" + n;
    if (fs::is_directory(g + "/hooks") || fs::exists(g + "/config")) {
      out->push_back(g + "/hooks");
      out->push_back(g + "/config");
      add_submodule_git_dirs(g + "/modules", out, depth + 1);
    } else {
      add_submodule_git_dirs(g, out, depth + 1);  // names with slashes: modules/a/b
    }
  }
}

}  // namespace

SandboxPolicy SandboxPolicy::for_workspace(const std::string& workspace, const std::vector<std::string>& extra_roots) {
  SandboxPolicy p;
  std::string ws = fs::resolve_real(workspace, "/");
  p.writable_roots.push_back(ws);
  p.writable_roots.push_back(fs::resolve_real("/tmp", "/"));
  for (auto& r : extra_roots) p.writable_roots.push_back(fs::resolve_real(r, ws));
  std::vector<std::string> gits = {ws + "/.git"};
  std::string git_root = fs::find_git_root(ws);
  if (!git_root.empty()) gits.push_back(fs::resolve_real(git_root, "/") + "/.git");
  for (auto& g : gits) {
    if (!fs::is_directory(g)) continue;
    p.read_only_paths.push_back(g + "/hooks");
    p.read_only_paths.push_back(g + "/config");
    add_submodule_git_dirs(g + "/modules", &p.read_only_paths, 0);
  }
  // Bastion's own directories are created if missing, so a command cannot
  // create them first with contents of its choosing (CVE-2026-25725's
  // class), and stay read-only even when a writable root contains them (a
  // workspace that is $HOME): config, the trust store and audit anchors
  // (data), the audit logs and checkpoints (state).
  for (const std::string& dir : {fs::config_dir(), fs::data_dir(), fs::state_dir()}) {
    (void)fs::make_dirs(dir);
    p.read_only_paths.push_back(fs::resolve_real(dir, "/"));
  }
  std::string home = fs::resolve_real(fs::home_dir(), "/");
  for (const char* s : kCredentialStores) p.denied_paths.push_back(home + "/" + s);
  p.denied_paths.push_back(fs::resolve_real(fs::data_dir() + "/keys", "/"));
  p.denied_paths.push_back(fs::resolve_real(fs::data_dir() + "/audit-anchors/key", "/"));
  for (const char* s : {"/run/docker.sock", "/var/run/docker.sock"}) p.denied_paths.push_back(s);
  return p;
}

namespace {

ProcessSpec chain_child(ProcessSpec spec, std::function<std::string()> hook) {
  auto prior = spec.in_child;
  spec.in_child = [hook = std::move(hook), prior = std::move(prior)]() -> std::string {
    std::string e = hook();
    if (!e.empty() || !prior) return e;
    return prior();
  };
  return spec;
}

class OffSandbox : public Sandbox {
 public:
  Result<ProcessResult> run(ProcessSpec spec) override { return run_process(spec); }
  std::string describe() const override { return "off (--sandbox off): commands run unsandboxed"; }
  bool available() const override { return true; }
};

class UnavailableSandbox : public Sandbox {
 public:
  explicit UnavailableSandbox(std::string why) : why_(std::move(why)) {}
  Result<ProcessResult> run(ProcessSpec) override {
    return make_error(ErrorKind::kSandbox,
                      "refusing to run the command: no OS sandbox is available (" + why_ +
                          "). Bastion never runs agent commands unsandboxed silently. To run without a "
                          "sandbox anyway, pass `--sandbox off` or set `sandbox = \"off\"` in "
                          "~/.config/bastion/config.toml.");
  }
  std::string describe() const override { return "unavailable: " + why_; }
  bool available() const override { return false; }

 private:
  std::string why_;
};

class LandlockSandbox : public Sandbox {
 public:
  LandlockSandbox(int abi, SandboxPolicy policy) : policy_(std::move(policy)) {
    plan_ = plan_mounts(policy_);
    use_mount_ns_ = user_namespaces_work();
    rules_.abi = abi;
    rules_.deny_tcp = !policy_.allow_network;
    const uint64_t all = landlock::fs_rights_for_abi(abi);
    if (use_mount_ns_) {
      rules_.rules.push_back({"/", landlock::read_rights()});
    } else {
      add_split("/", landlock::read_rights(), policy_.denied_paths);
    }
    std::vector<std::string> excluded = policy_.denied_paths;
    if (!use_mount_ns_) excluded.insert(excluded.end(), policy_.read_only_paths.begin(), policy_.read_only_paths.end());
    for (auto& r : policy_.writable_roots) {
      if (use_mount_ns_) rules_.rules.push_back({r, all});
      else add_split(r, all, excluded);
    }
    for (const char* dev : {"/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/urandom", "/dev/random",
                            "/dev/ptmx"})
      rules_.rules.push_back({dev, landlock::kReadFile | landlock::kWriteFile | landlock::kIoctlDev |
                                       landlock::kTruncate});
    for (const char* dir : {"/dev/pts", "/dev/shm"}) rules_.rules.push_back({dir, all});
  }

  Result<ProcessResult> run(ProcessSpec spec) override {
    const MountPlan* plan = use_mount_ns_ ? &plan_ : nullptr;
    const landlock::Ruleset* rules = &rules_;
    bool new_net = !policy_.allow_network;
    spec = chain_child(std::move(spec), [plan, rules, new_net]() -> std::string {
      if (plan) {
        std::string e = apply_mount_plan(*plan, new_net);
        if (!e.empty()) return e;
      }
      std::string e = landlock::enforce(*rules);
      if (!e.empty()) return e;
      return seccomp::install();
    });
    return run_process(spec);
  }

  std::string describe() const override {
    std::string d = "landlock+seccomp (ABI " + std::to_string(rules_.abi) + ")";
    d += use_mount_ns_ ? " with a private mount+network namespace"
                       : " without user namespaces (read-only holes by splitting rules: files cannot be "
                         "created directly in directories that contain protected paths)";
    if (rules_.abi < 4) d += "; TCP not filtered by Landlock (kernel ABI < 4), seccomp blocks IP sockets";
    for (auto& n : plan_.notes) d += "; " + n;
    return d;
  }
  bool available() const override { return true; }

 private:
  // Grants `rights` on `dir`, except on the excluded paths inside it: a
  // directory holding an excluded path gets only READ_DIR, and each of its
  // entries is granted separately.
  void add_split(const std::string& dir, uint64_t rights, const std::vector<std::string>& excluded, int depth = 0) {
    bool contains = false;
    for (auto& x : excluded) {
      if (x == dir) return;
      if (fs::is_within(x, dir)) contains = true;
    }
    if (!contains || depth > 32) {
      rules_.rules.push_back({dir, rights});
      return;
    }
    rules_.rules.push_back({dir, rights & landlock::kReadDir});
    for (auto& name : list_dir(dir)) {
      std::string child = (dir == "/" ? "" : dir) + "/" + name;
      if (fs::resolve_real(child, "/") != child) continue;  // symlink: its target has its own rule
      add_split(child, rights, excluded, depth + 1);
    }
  }
  static std::vector<std::string> list_dir(const std::string& dir);

  SandboxPolicy policy_;
  MountPlan plan_;
  bool use_mount_ns_ = false;
  landlock::Ruleset rules_;
};

class BwrapSandbox : public Sandbox {
 public:
  BwrapSandbox(std::string bin, SandboxPolicy policy) : bin_(std::move(bin)), policy_(std::move(policy)) {
    plan_ = plan_mounts(policy_);
  }
  Result<ProcessResult> run(ProcessSpec spec) override {
    char buf[4096];
    std::string cwd = !spec.cwd.empty() ? spec.cwd : ::getcwd(buf, sizeof buf) ? std::string(buf) : "/";
    spec.argv = bwrap::wrap(bin_, policy_, plan_, cwd, spec.argv);
    return run_process(spec);
  }
  std::string describe() const override {
    std::string d = "bubblewrap (" + bin_ + "): read-only root, private network/IPC/PID namespaces";
    for (auto& n : plan_.notes) d += "; " + n;
    return d;
  }
  bool available() const override { return true; }

 private:
  std::string bin_;
  SandboxPolicy policy_;
  MountPlan plan_;
};

std::vector<std::string> LandlockSandbox::list_dir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  return out;
}

}  // namespace

std::unique_ptr<Sandbox> make_sandbox(SandboxMode mode, SandboxPolicy policy) {
  if (const char* force = std::getenv("BASTION_SANDBOX_FORCE"); force && *force) {
    std::string f = force;
    if (f == "none") return std::make_unique<UnavailableSandbox>("BASTION_SANDBOX_FORCE=none (testing)");
    if (auto m = parse_sandbox_mode(f); m.ok() && mode != SandboxMode::kOff) mode = *m;
  }
  if (mode == SandboxMode::kOff) return std::make_unique<OffSandbox>();
  int abi = landlock::abi_version();
  if (mode == SandboxMode::kLandlock || (mode == SandboxMode::kAuto && abi > 0)) {
    if (abi > 0) return std::make_unique<LandlockSandbox>(abi, std::move(policy));
    return std::make_unique<UnavailableSandbox>("Landlock is not supported by this kernel (needs Linux >= 5.13 "
                                                "with landlock in the LSM list)");
  }
  std::string bin = bwrap::find_working();
  if (!bin.empty()) return std::make_unique<BwrapSandbox>(bin, std::move(policy));
  if (mode == SandboxMode::kBubblewrap)
    return std::make_unique<UnavailableSandbox>("bubblewrap is not installed or cannot create namespaces here "
                                                "(install the bubblewrap package, or allow unprivileged user "
                                                "namespaces)");
  return std::make_unique<UnavailableSandbox>(
      "Landlock is not supported by this kernel (Linux >= 5.13 with landlock enabled) and bubblewrap is not "
      "installed or cannot create namespaces (common in unprivileged containers)");
}

}  // namespace bastion::policy
