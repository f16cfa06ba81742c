// Test helper: a temporary repository whose files the test writes, listed
// by a fixed lister (independent of the walker), and a CodeIndex over it
// with its own database.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "index/code_index.h"
#include "index/search.h"
#include "util/fs.h"

namespace bastion::index::testing {

class TempRepo {
 public:
  TempRepo() {
    char tmpl[] = "/tmp/bastion_index_test_XXXXXX";
    root_ = fs::resolve_real(mkdtemp(tmpl), "/");
  }
  ~TempRepo() { std::filesystem::remove_all(root_); }
  void write(const std::string& rel, const std::string& content) {
    (void)fs::write_file_atomic(root_ + "/" + rel, content);
    files_.insert(rel);
  }
  void remove(const std::string& rel) {
    std::filesystem::remove(root_ + "/" + rel);
    files_.erase(rel);
  }
  const std::string& root() const { return root_; }
  std::string db() const { return root_ + ".db"; }
  std::unique_ptr<CodeIndex> open(const std::function<void(IndexOptions&)>& tweak = nullptr) {
    IndexOptions opt;
    opt.db_path = db();
    opt.threads = 2;
    opt.lister = [this](const std::string&, std::vector<std::string>*) {
      return std::vector<std::string>(files_.begin(), files_.end());
    };
    if (tweak) tweak(opt);
    auto r = CodeIndex::open(root_, opt);
    return r.ok() ? std::move(r.value()) : nullptr;
  }

 private:
  std::string root_;
  std::set<std::string> files_;
};

// A small Python/C++ repository: sessions.py defines Session.rebuild_auth,
// models.py uses it, utils.py and grid.cc stand alone.
inline void write_session_repo(TempRepo& repo) {
  repo.write("pkg/sessions.py",
             "class Session:\n"
             "    def rebuild_auth(self, prepared_request, response):\n"
             "        # strip the authorization header on redirects\n"
             "        return prepared_request.headers\n");
  repo.write("pkg/models.py",
             "from pkg.sessions import Session\n"
             "class Request:\n"
             "    def prepare(self):\n"
             "        return Session().rebuild_auth(self, None)\n");
  repo.write("pkg/utils.py", "def to_native_string(s):\n    return str(s)\n");
  repo.write("src/grid.cc", "int paint_grid(int w) { return w * 2; }\n");
}

// The `k` paths search() ranks first for `query`, best first (no lines).
inline std::vector<std::string> ranked_paths(CodeIndex& index, const std::string& query,
                                             size_t k = 20) {
  SearchOptions opt;
  opt.k = k;
  opt.lines_per_file = 0;
  auto hits = search(index, query, opt);
  std::vector<std::string> out;
  if (hits.ok())
    for (auto& h : hits.value()) out.push_back(h.path);
  return out;
}

}  // namespace bastion::index::testing
