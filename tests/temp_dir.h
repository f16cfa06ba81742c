// Temporary directories for tests that are removed when the test binary
// exits, so helpers that hand out a path (not an owning object) leave
// nothing behind in /tmp run after run.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

namespace bastion::testing {

// Creates /tmp/<prefix>-XXXXXX and returns its path; it is deleted, with
// everything in it, when the creating process exits.
inline std::string temp_dir_removed_at_exit(const std::string& prefix) {
  struct Registry {
    std::mutex mu;
    std::vector<std::string> dirs;
    pid_t owner = ::getpid();
    ~Registry() {
      // A forked child that exits normally must not delete the parent's dirs.
      if (::getpid() != owner) return;
      std::error_code ec;
      for (const std::string& d : dirs) std::filesystem::remove_all(d, ec);
    }
  };
  static Registry registry;
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return "/tmp";
  std::lock_guard<std::mutex> lock(registry.mu);
  registry.dirs.push_back(tmpl);
  return tmpl;
}

}  // namespace bastion::testing
