// Runs a child process with a timeout, a capped combined stdout+stderr
// capture (head and tail kept), and an optional hook that runs in the child
// between fork and exec (the sandbox applies Landlock/seccomp there).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "util/result.h"

namespace bastion {

struct ProcessSpec {
  std::vector<std::string> argv;
  std::string cwd;                      // empty = inherit
  std::vector<std::string> env;         // empty = inherit; else "K=V" list
  std::string stdin_data;               // written then closed; empty = /dev/null
  int timeout_ms = 0;                   // 0 = none; on expiry the process group is killed
  size_t max_output_bytes = 1 << 20;    // keep head and tail halves beyond this
  // Runs in the child after fork, before exec. Returns an errno-style error
  // message on failure (the child then exits 126 printing it), "" on success.
  std::function<std::string()> in_child;
};

struct ProcessResult {
  int exit_code = -1;         // exit status, or 128+signal
  bool timed_out = false;
  std::string output;         // combined stdout+stderr (elided when over cap)
  size_t total_output_bytes = 0;
  int64_t elapsed_ms = 0;
};

// Fails only when the process could not be started at all.
Result<ProcessResult> run_process(const ProcessSpec& spec);

}  // namespace bastion
