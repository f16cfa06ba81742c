// Workspace checkpoints for /rewind: before each user turn the whole work
// tree is committed into a shadow git repository under
// <state_dir>/checkpoints/<hash of workspace> (git --git-dir=... --work-tree=...),
// so changes made by shell commands are captured too, and the user's own
// repository, index and hooks are never touched. Each checkpoint also
// remembers how long the conversation was, so the chat can be rewound too.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "util/result.h"

namespace bastion::ui {

struct Checkpoint {
  std::string commit;  // shadow repository commit id
  std::string label;   // the prompt that followed it
  size_t history_size = 0;
};

class Checkpoints {
 public:
  // `store_root` is normally fs::state_dir() + "/checkpoints".
  Checkpoints(std::string workspace, std::string store_root);
  // Snapshots the work tree now (creating the shadow repository on first use).
  Result<Checkpoint> snapshot(const std::string& label, size_t history_size);
  const std::vector<Checkpoint>& list() const { return list_; }
  // Makes the work tree equal to the snapshot: changed files restored,
  // files created since then removed (ignored files are left alone).
  Status restore_code(const Checkpoint& cp);
  // `git diff` of the work tree against a snapshot (for /diff).
  Result<std::string> diff_since(const Checkpoint& cp);
  const std::string& git_dir() const { return git_dir_; }

 private:
  Result<std::string> git(const std::vector<std::string>& args);
  std::string workspace_;
  std::string git_dir_;
  std::vector<Checkpoint> list_;
};

}  // namespace bastion::ui
