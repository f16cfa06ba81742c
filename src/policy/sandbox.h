// The OS sandbox every agent-run command goes through.
//
// Policy: writes only inside the workspace, /tmp and --add-dir roots, with
// .git/hooks, .git/config and Bastion's config kept read-only; no network;
// no reads of credential stores. Backends: Landlock + seccomp (in-process,
// preferred), bubblewrap (fallback). When neither works, create() still
// succeeds but run() refuses with a kSandbox error explaining why and how to
// opt out (`--sandbox off`); commands never silently run unsandboxed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/subprocess.h"

namespace bastion::policy {

enum class SandboxMode { kAuto, kLandlock, kBubblewrap, kOff };

// Credential stores under $HOME that commands may neither read nor write and
// file tools never touch: ~/.ssh, ~/.aws, ~/.config/gcloud, ~/.kube,
// ~/.docker/config.json, ~/.netrc, ~/.gnupg, ~/.git-credentials, ~/.config/gh,
// ~/.azure, Cargo and PyPI tokens, ~/.config/hub.
constexpr int kCredentialStoreCount = 14;
extern const char* const kCredentialStores[kCredentialStoreCount];

Result<SandboxMode> parse_sandbox_mode(const std::string& text);

struct SandboxPolicy {
  std::vector<std::string> writable_roots;   // workspace, /tmp, --add-dir roots
  std::vector<std::string> read_only_paths;  // carved out of writable roots
  std::vector<std::string> denied_paths;     // no read or write (credentials)
  bool allow_network = false;

  // The default policy for a workspace: the rules above, with $HOME's
  // credential stores denied.
  static SandboxPolicy for_workspace(const std::string& workspace,
                                     const std::vector<std::string>& extra_roots);
};

class Sandbox {
 public:
  virtual ~Sandbox() = default;
  // Runs argv under the policy. kSandbox error when no backend is usable.
  virtual Result<ProcessResult> run(ProcessSpec spec) = 0;
  // "landlock+seccomp (ABI 7)", "bubblewrap", "off (--sandbox off)", or why unavailable.
  virtual std::string describe() const = 0;
  virtual bool available() const = 0;
};

std::unique_ptr<Sandbox> make_sandbox(SandboxMode mode, SandboxPolicy policy);

}  // namespace bastion::policy
