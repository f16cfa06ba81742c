// Differential test: list_files must equal `git ls-files -co --exclude-standard`
// on randomly generated nasty trees (odd names, nested .gitignore files with
// negations, `**`, classes, escapes, anchoring, dir-only patterns, nested
// repositories, global and info excludes, tracked-but-ignored files, index v4).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "index/walker.h"
#include "util/fs.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace bastion::index {
namespace {

const std::vector<std::string> kNames = {
    "a", "b", "c", "foo", "bar", "x.c", "y.h", "main.cc", "a b", "#hash", "!bang", "[br]",
    "ünï", "trail ", "*star", "q?", "back\\slash", "-dash", ".hidden", "日本", "A", "foo.txt",
    "build", "node_modules", "doc", "x.o", "ab", "aXb", " lead"};

const std::vector<std::string> kGlobs = {
    "*", "*.c", "*.h", "?", "a*", "[ab]*", "[!a]*", "[^f]*", "*[[:digit:]]*", "[[:alpha:]]*",
    "*.o", "**", "f*o", "[a-c]", "*b*", "[]]", "\\#hash", "\\!bang", "\\[br]", "trail\\ ",
    "*\\?", "[[:upper:]]", "x.[ch]", "*.[!c]"};

struct Gen {
  std::mt19937 rng;
  std::string root;
  std::vector<std::string> dirs{""};  // repo-relative dirs created
  std::vector<std::string> files;
  std::vector<std::string> nested;  // nested repo dirs

  explicit Gen(unsigned seed, std::string r) : rng(seed), root(std::move(r)) {}
  size_t pick(size_t n) { return rng() % n; }
  bool chance(int pct) { return static_cast<int>(rng() % 100) < pct; }
  const std::string& name() { return kNames[pick(kNames.size())]; }

  // Plain writes (no fsync): the test creates thousands of files.
  void touch(const std::string& rel, const std::string& content = "x\n") {
    std::string path = root + "/" + rel;
    ASSERT_TRUE(fs::make_dirs(path.substr(0, path.rfind('/'))).ok());
    std::ofstream(path, std::ios::binary) << content;
  }

  void tree(const std::string& rel, int depth) {
    int nfiles = static_cast<int>(pick(5));
    for (int i = 0; i < nfiles; ++i) {
      std::string p = rel.empty() ? name() : rel + "/" + name();
      if (std::find(dirs.begin(), dirs.end(), p) != dirs.end()) continue;
      if (std::find(files.begin(), files.end(), p) != files.end()) continue;
      if (chance(8)) {
        // Symlinks (to a dir, a file, or nowhere) are listed as files.
        static const char* kTargets[] = {"..", "../x.c", "/nonexistent"};
        ASSERT_EQ(::symlink(kTargets[pick(3)], (root + "/" + p).c_str()), 0) << p;
      } else {
        touch(p);
      }
      files.push_back(p);
    }
    if (depth >= 4) return;
    int ndirs = static_cast<int>(pick(depth == 0 ? 4 : 3));
    for (int i = 0; i < ndirs; ++i) {
      std::string p = rel.empty() ? name() : rel + "/" + name();
      if (std::find(files.begin(), files.end(), p) != files.end()) continue;
      if (std::find(dirs.begin(), dirs.end(), p) != dirs.end()) continue;
      ASSERT_TRUE(fs::make_dirs(root + "/" + p).ok());
      dirs.push_back(p);
      if (chance(7)) {
        // A nested repository (HEAD, objects, refs), possibly empty.
        ASSERT_TRUE(fs::make_dirs(root + "/" + p + "/.git/objects").ok());
        ASSERT_TRUE(fs::make_dirs(root + "/" + p + "/.git/refs").ok());
        touch(p + "/.git/HEAD", "ref: refs/heads/main\n");
        nested.push_back(p);
        if (chance(50)) touch(p + "/inner.c");
        continue;
      }
      if (chance(4)) touch(p + "/.git/HEAD", "not a repo\n");  // .git without objects: not a repo
      tree(p, depth + 1);
    }
  }

  std::string component() {
    if (chance(45)) return kGlobs[pick(kGlobs.size())];
    std::string n = name();
    // Escape what would otherwise be glob syntax or trailing space.
    std::string out;
    for (char c : n) {
      if (c == '*' || c == '?' || c == '[' || c == '\\') out += '\\';
      out += c;
    }
    if (!out.empty() && out.back() == ' ') out.insert(out.size() - 1, "\\");
    if (out[0] == '#' || out[0] == '!') out.insert(0, "\\");
    return out;
  }

  std::string pattern(const std::string& base) {
    std::string p;
    int kind = static_cast<int>(pick(10));
    if (kind < 4) {
      p = component();
    } else if (kind < 6 && dirs.size() > 1) {
      // A path below the ignore file's dir, taken from the real tree.
      std::string d = dirs[pick(dirs.size())];
      if (!base.empty() && d.rfind(base + "/", 0) == 0) d = d.substr(base.size() + 1);
      else if (!base.empty()) d = name();
      p = d.empty() ? component() : d + "/" + component();
    } else if (kind < 8) {
      static const char* kShapes[] = {"**/", "/", "*/", "**/*/", ""};
      p = std::string(kShapes[pick(5)]) + component();
      if (chance(30)) p += "/**";
      if (chance(20)) p = component() + "/**/" + component();
    } else {
      p = component() + "/" + component();
    }
    if (p.size() > 1 && p.back() == '/' && p[p.size() - 2] == '\\') p.pop_back();
    if (chance(20)) p += "/";
    if (chance(25)) p = "!" + p;
    if (chance(5)) p += "   ";
    if (chance(3)) p = "# " + p;
    if (chance(3)) p = "";
    return p;
  }

  std::string ignore_file(const std::string& base) {
    std::string text;
    int n = 1 + static_cast<int>(pick(6));
    bool crlf = chance(10);
    for (int i = 0; i < n; ++i) text += pattern(base) + (crlf ? "\r\n" : "\n");
    if (chance(10)) text.pop_back();  // no final newline
    return text;
  }
};

class WalkerDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion-walkdiff-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    home_ = base_ + "/home";
    ASSERT_TRUE(fs::make_dirs(home_ + "/.config").ok());
    old_home_ = std::getenv("HOME") ? std::getenv("HOME") : "";
    setenv("HOME", home_.c_str(), 1);
    setenv("XDG_CONFIG_HOME", (home_ + "/.config").c_str(), 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
  }
  void TearDown() override {
    setenv("HOME", old_home_.c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");
    std::system(("rm -rf '" + base_ + "'").c_str());
  }

  std::string git(const std::string& dir, std::vector<std::string> args) {
    ProcessSpec spec;
    spec.argv = {"git", "-C", dir};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.timeout_ms = 30000;
    spec.max_output_bytes = 64 << 20;
    auto r = run_process(spec);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->output : "";
  }

  std::string base_, home_, old_home_;
};

std::vector<std::string> split_nul(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t z = s.find('\0', pos);
    if (z == std::string::npos) z = s.size();
    out.push_back(s.substr(pos, z - pos));
    pos = z + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(WalkerDiffTest, MatchesGitLsFilesOnGeneratedTrees) {
  int seeds = std::getenv("WALKER_DIFF_SEEDS") ? std::atoi(std::getenv("WALKER_DIFF_SEEDS")) : 200;
  int failures = 0;
  size_t listed = 0, on_disk = 0, nested_listed = 0;
  for (int seed = 1; seed <= seeds && failures < 3; ++seed) {
    std::string repo = base_ + "/r" + std::to_string(seed);
    ASSERT_TRUE(fs::make_dirs(repo).ok());
    git(repo, {"init", "-q"});
    Gen g(static_cast<unsigned>(seed), repo);
    g.tree("", 0);
    std::string ignores_dump;
    for (const std::string& d : g.dirs) {
      if (std::find(g.nested.begin(), g.nested.end(), d) != g.nested.end()) continue;
      if (!g.chance(d.empty() ? 80 : 35)) continue;
      std::string text = g.ignore_file(d);
      g.touch(d.empty() ? ".gitignore" : d + "/.gitignore", text);
      ignores_dump += "== " + d + "/.gitignore\n" + text + "\n";
    }
    if (g.chance(30)) {
      std::string text = g.ignore_file("");
      g.touch(".git/info/exclude", text);
      ignores_dump += "== info/exclude\n" + text + "\n";
    }
    int global = static_cast<int>(g.pick(4));
    if (global == 1) {
      std::string text = g.ignore_file("");
      ASSERT_TRUE(fs::write_file_atomic(home_ + "/.config/git/ignore", text).ok());
      ignores_dump += "== xdg ignore\n" + text + "\n";
    } else if (global == 2) {
      std::string text = g.ignore_file("");
      ASSERT_TRUE(fs::write_file_atomic(home_ + "/my ignores", text).ok());
      ASSERT_TRUE(fs::write_file_atomic(home_ + "/.gitconfig",
                                        "[user]\n\tname = t\n[Core]\n\texcludesFile = \"~/my ignores\"\n")
                      .ok());
      ignores_dump += "== ~/my ignores\n" + text + "\n";
    }
    // Track a few files, some of them ignored (forced), outside nested repos.
    std::vector<std::string> add = {"add", "-f", "--"};
    for (const std::string& f : g.files) {
      bool in_nested = false;
      for (const std::string& n : g.nested) in_nested |= f.rfind(n + "/", 0) == 0;
      if (!in_nested && g.chance(15)) add.push_back(f);
    }
    if (add.size() > 3) git(repo, add);
    if (g.chance(20)) git(repo, {"update-index", "--index-version", "4"});

    auto expected = split_nul(git(repo, {"ls-files", "-z", "-co", "--exclude-standard"}));
    WalkOptions opts;
    opts.threads = 1 + seed % 3;
    std::mutex batches_mu;
    std::vector<std::string> streamed;
    size_t unreachable = 0;
    opts.on_files = [&](const FileBatch& b) {
      std::lock_guard<std::mutex> lock(batches_mu);
      for (const std::string& p : *b.paths) {
        streamed.push_back(p);
        // Each path opens where the batch says it is.
        int dir = b.dir_fd >= 0 ? b.dir_fd : AT_FDCWD;
        std::string name = b.dir_fd >= 0 ? p.substr(b.name_offset) : repo + "/" + p;
        if (!name.empty() && name.back() == '/') name.pop_back();
        struct stat st;
        if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) ++unreachable;
      }
    };
    auto actual = list_files(repo, opts);
    std::sort(streamed.begin(), streamed.end());
    EXPECT_EQ(streamed, actual) << "seed " << seed << ": on_files must pass every listed file once";
    EXPECT_EQ(unreachable, 0u) << "seed " << seed;
    // Without the listing (grep's way), the batches still carry every file once.
    streamed.clear();
    opts.keep_listing = false;
    EXPECT_TRUE(list_files(repo, opts).empty()) << "seed " << seed;
    std::sort(streamed.begin(), streamed.end());
    EXPECT_EQ(streamed, actual) << "seed " << seed << ": keep_listing = false";
    std::set<std::string> shown(expected.begin(), expected.end());
    on_disk += g.files.size();
    for (auto& f : g.files) listed += shown.count(f);
    for (auto& e : expected) nested_listed += !e.empty() && e.back() == '/';
    if (actual != expected) {
      ++failures;
      std::set<std::string> e(expected.begin(), expected.end()), a(actual.begin(), actual.end());
      std::string diff;
      for (auto& x : e)
        if (!a.count(x)) diff += "  missing: " + x + "\n";
      for (auto& x : a)
        if (!e.count(x)) diff += "  extra:   " + x + "\n";
      ADD_FAILURE() << "seed " << seed << " differs from git:\n" << diff << ignores_dump;
    } else {
      std::system(("rm -rf '" + repo + "'").c_str());
    }
    ::unlink((home_ + "/.gitconfig").c_str());
    ::unlink((home_ + "/.config/git/ignore").c_str());
  }
  // The generator must actually exercise ignoring and nested repositories.
  EXPECT_LT(listed * 10, on_disk * 9) << listed << " of " << on_disk << " files listed";
  EXPECT_GT(nested_listed, 3u);
}

TEST_F(WalkerDiffTest, SubdirectoryWalkMatchesGitRunInThatDirectory) {
  std::string repo = base_ + "/sub";
  ASSERT_TRUE(fs::make_dirs(repo).ok());
  git(repo, {"init", "-q"});
  ASSERT_TRUE(fs::write_file_atomic(repo + "/.gitignore", "*.log\n/src/gen/\n!keep.log\n").ok());
  ASSERT_TRUE(fs::write_file_atomic(repo + "/src/.gitignore", "tmp*\n").ok());
  for (const char* f : {"src/a.cc", "src/a.log", "src/keep.log", "src/tmp1", "src/gen/x.cc",
                        "src/lib/b.cc", "src/lib/tmp2", "top.cc"})
    ASSERT_TRUE(fs::write_file_atomic(repo + "/" + f, "x").ok());
  auto expected = split_nul(git(repo + "/src", {"ls-files", "-z", "-co", "--exclude-standard"}));
  EXPECT_EQ(list_files(repo + "/src"), expected);
  // Streamed batches are relative to the walk root too, and open from their directory.
  WalkOptions opts;
  std::mutex mu;
  std::vector<std::string> streamed;
  opts.on_files = [&](const FileBatch& b) {
    std::lock_guard<std::mutex> lock(mu);
    for (const std::string& p : *b.paths) {
      streamed.push_back(p);
      ASSERT_GE(b.dir_fd, 0) << p;
      EXPECT_EQ(::faccessat(b.dir_fd, p.c_str() + b.name_offset, F_OK, 0), 0) << p;
    }
  };
  list_files(repo + "/src", opts);
  std::sort(streamed.begin(), streamed.end());
  EXPECT_EQ(streamed, expected);
  streamed.clear();
  opts.keep_listing = false;
  EXPECT_TRUE(list_files(repo + "/src", opts).empty());
  std::sort(streamed.begin(), streamed.end());
  EXPECT_EQ(streamed, expected);
  EXPECT_EQ(expected, (std::vector<std::string>{".gitignore", "a.cc", "keep.log", "lib/b.cc"}));
}

}  // namespace
}  // namespace bastion::index
