// `bastion trust [DIR] | --status [DIR] | --revoke [DIR]`: lets a repository's
// own config (.bastion/settings.json, hooks, .claude/settings.json, .mcp.json,
// .env) take effect, shows the trust state, or withdraws it. DIR defaults to
// the git root of the current directory (else the current directory).
#include <unistd.h>

#include <cstdio>

#include "cli/subcommands.h"
#include "policy/trust.h"
#include "util/fs.h"

namespace bastion::cli {
namespace {

std::string default_dir() {
  char buf[4096];
  std::string cwd = ::getcwd(buf, sizeof buf) ? buf : ".";
  std::string git = fs::find_git_root(cwd);
  return git.empty() ? cwd : git;
}

void print_files(const policy::TrustState& s) {
  if (s.files.empty()) std::printf("  (no repository config files)\n");
  for (const auto& f : s.files) std::printf("  %s\n", f.c_str());
}

}  // namespace

int run_trust(const std::vector<std::string>& args) {
  std::string mode = "trust", dir;
  for (const auto& a : args) {
    if (a == "--status" || a == "--revoke") mode = a.substr(2);
    else if (a == "-h" || a == "--help") {
      std::printf("usage: bastion trust [DIR] | --status [DIR] | --revoke [DIR]\n");
      return kExitOk;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "bastion trust: unknown option '%s'\n", a.c_str());
      return kExitUsage;
    } else if (dir.empty()) dir = a;
    else {
      std::fprintf(stderr, "usage: bastion trust [DIR] | --status [DIR] | --revoke [DIR]\n");
      return kExitUsage;
    }
  }
  if (dir.empty()) dir = default_dir();
  if (!fs::is_directory(dir)) {
    std::fprintf(stderr, "bastion trust: no such directory: %s\n", dir.c_str());
    return kExitError;
  }
  if (mode == "revoke") {
    auto st = policy::revoke_repo_trust(dir);
    if (!st.ok()) {
      std::fprintf(stderr, "bastion trust: %s\n", st.error().message.c_str());
      return kExitError;
    }
    std::printf("trust revoked for %s\n", policy::check_repo_trust(dir).repo.c_str());
    return kExitOk;
  }
  if (mode == "status") {
    auto s = policy::check_repo_trust(dir);
    const char* state = s.files.empty()      ? "trusted (no repository config to gate)"
                        : s.trusted          ? "trusted"
                        : s.changed_since_trust ? "NOT trusted: config changed since it was trusted"
                                                : "NOT trusted";
    std::printf("%s: %s\n", s.repo.c_str(), state);
    print_files(s);
    if (!s.hash.empty()) std::printf("sha256: %s\n", s.hash.c_str());
    return s.trusted ? kExitOk : kExitError;
  }
  auto s = policy::trust_repo(dir);
  if (!s.ok()) {
    std::fprintf(stderr, "bastion trust: %s\n", s.error().message.c_str());
    return kExitError;
  }
  std::printf("trusted %s\n", s->repo.c_str());
  print_files(*s);
  if (!s->hash.empty()) std::printf("sha256: %s\n", s->hash.c_str());
  std::printf("these files may now take effect (base URLs, API keys and config dirs never do);\n"
              "any change to them asks again.\n");
  return kExitOk;
}

}  // namespace bastion::cli
