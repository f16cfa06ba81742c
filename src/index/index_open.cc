#include "index/index_open.h"

#include <filesystem>

#include "index/walker.h"
#include "util/fs.h"

namespace bastion::index {

std::string repo_root_for(const std::string& dir) {
  std::string real = fs::resolve_real(dir, std::filesystem::current_path().string());
  std::string git = fs::find_git_root(real);
  return git.empty() ? real : git;
}

Result<std::unique_ptr<CodeIndex>> open_repo_index(const std::string& dir,
                                                   const std::string& db_path, bool watch,
                                                   bool defer_symbols) {
  if (!fs::is_directory(dir)) return make_error(ErrorKind::kNotFound, "not a directory: " + dir);
  IndexOptions opt;
  opt.db_path = db_path;
  opt.watch = watch;
  if (watch || defer_symbols) opt.defer_symbols_over = kDeferSymbolsOver;
  opt.background_symbols = watch;
  opt.lister = [](const std::string& root, std::vector<std::string>* dirs) {
    WalkOptions walk;
    walk.dirs = dirs;
    return list_files(root, walk);
  };
  return CodeIndex::open(repo_root_for(dir), std::move(opt));
}

}  // namespace bastion::index
