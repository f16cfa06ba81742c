#include "ui/checkpoints.h"

#include <functional>

#include "util/fs.h"
#include "util/subprocess.h"

namespace bastion::ui {

Checkpoints::Checkpoints(std::string workspace, std::string store_root) : workspace_(std::move(workspace)) {
  char hex[32];
  std::snprintf(hex, sizeof(hex), "%016zx", std::hash<std::string>{}(workspace_));
  git_dir_ = store_root + "/" + hex;
}

Result<std::string> Checkpoints::git(const std::vector<std::string>& args) {
  ProcessSpec spec;
  spec.argv = {"git", "--git-dir=" + git_dir_, "--work-tree=" + workspace_, "-c", "core.hooksPath=/dev/null",
               "-c", "user.name=bastion", "-c", "user.email=bastion@localhost", "-c", "commit.gpgsign=false",
               "-c", "core.autocrlf=false"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.cwd = workspace_;
  spec.timeout_ms = 60000;
  spec.max_output_bytes = 8 << 20;
  auto r = run_process(spec);
  if (!r.ok()) return r.error();
  if (r->exit_code != 0)
    return Error{ErrorKind::kIo, "git " + (args.empty() ? "" : args[0]) + " failed: " + r->output.substr(0, 400)};
  return r->output;
}

Result<Checkpoint> Checkpoints::snapshot(const std::string& label, size_t history_size) {
  if (!fs::exists(git_dir_ + "/HEAD")) {
    if (auto st = fs::make_dirs(git_dir_); !st.ok()) return st.error();
    ProcessSpec init;
    init.argv = {"git", "init", "--bare", "-q", git_dir_};
    auto r = run_process(init);
    if (!r.ok()) return r.error();
    if (r->exit_code != 0) return Error{ErrorKind::kIo, "git init failed: " + r->output};
  }
  if (auto r = git({"add", "-A", "--", "."}); !r.ok()) return r.error();
  if (auto r = git({"commit", "-q", "--allow-empty", "--no-verify", "-m", label.substr(0, 200)}); !r.ok())
    return r.error();
  auto head = git({"rev-parse", "HEAD"});
  if (!head.ok()) return head.error();
  Checkpoint cp;
  cp.commit = head->substr(0, head->find_first_of("\r\n"));
  cp.label = label;
  cp.history_size = history_size;
  list_.push_back(cp);
  return cp;
}

Status Checkpoints::restore_code(const Checkpoint& cp) {
  // Record the current state first so files created since are known to the
  // shadow index, then make the tree match the snapshot.
  if (auto r = git({"add", "-A", "--", "."}); !r.ok()) return r.error();
  if (auto r = git({"read-tree", "-u", "--reset", cp.commit}); !r.ok()) return r.error();
  return ok_status();
}

Result<std::string> Checkpoints::diff_since(const Checkpoint& cp) {
  if (auto r = git({"add", "-A", "--", "."}); !r.ok()) return r.error();
  return git({"diff", "--cached", "--no-color", cp.commit});
}

}  // namespace bastion::ui
