#include "tools/first_turn_map.h"

#include "index/index_store.h"
#include "index/query_parse.h"
#include "index/repo_map.h"
#include "util/fs.h"

namespace bastion::tools {

Result<std::string> first_turn_map(LazyIndex& lazy, const std::string& prompt,
                                   const FirstTurnMapOptions& options) {
  if (options.max_tokens == 0) return std::string();
  std::string db = options.db_path.empty() ? index::default_db_path(lazy.root()) : options.db_path;
  if (!lazy.is_open() && !fs::exists(db)) return std::string();

  index::ParsedQuery q = index::parse_query(prompt);
  index::RepoMapOptions opt;
  opt.max_tokens = options.max_tokens;
  for (const auto& id : q.identifiers)
    if (id.weight >= 1.0) opt.focus_identifiers.push_back(id.name);
  for (const auto& p : q.paths) opt.focus_files.push_back(p.path);
  if (opt.focus_identifiers.empty() && opt.focus_files.empty()) return std::string();

  auto opened = lazy.get();
  if (!opened.ok()) return opened.error();
  index::CodeIndex& idx = **opened;
  auto refreshed = idx.refresh();
  if (!refreshed.ok()) return refreshed.error();

  bool known = false;
  idx.read([&](const index::CodeIndex::View& v) {
    for (const std::string& id : opt.focus_identifiers)
      if (!v.definers(id).empty()) known = true;
    for (const std::string& f : opt.focus_files)
      if (v.find(fs::relative_to(fs::absolute(f, lazy.root()), lazy.root()))) known = true;
  });
  if (!known) return std::string();
  std::string map;
  idx.read([&](const index::CodeIndex::View& v) { map = index::render_repo_map(v, lazy.root(), opt); });
  return map;
}

}  // namespace bastion::tools
