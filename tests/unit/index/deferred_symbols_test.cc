// A big cold build in two passes (IndexOptions::defer_symbols_over): text
// and paths first, symbols later. The pending state is persisted, so any
// process can complete it; the finished index equals a one-pass build;
// files edited in between are read afresh; a background pass completes on
// its own and a closing index stops it.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "index/repo_map.h"
#include "index_fixture.h"

namespace bastion::index {
namespace {

using testing::TempRepo;
using testing::ranked_paths;

size_t defs_named(CodeIndex& idx, const std::string& name) {
  size_t n = 0;
  idx.read([&](const CodeIndex::View& v) { n = v.definers(name).size(); });
  return n;
}

void write_repo(TempRepo& repo) {
  testing::write_session_repo(repo);
  repo.write("docs/notes.txt", "paint grid notes: the authorization header\n");
}

auto defer_over(size_t n) {
  return [n](IndexOptions& o) { o.defer_symbols_over = n; };
}

TEST(DeferredSymbols, TextFirstThenSymbolsEqualsAOnePassBuild) {
  TempRepo two_pass, one_pass;
  write_repo(two_pass);
  write_repo(one_pass);
  auto idx = two_pass.open(defer_over(2));
  ASSERT_TRUE(idx);
  auto first = idx->refresh();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->analyzed, 5u);
  EXPECT_EQ(first->symbols_pending, 4u);  // not notes.txt: no grammar
  EXPECT_EQ(idx->symbols_pending(), 4u);
  EXPECT_EQ(defs_named(*idx, "rebuild_auth"), 0u);
  // Searchable by text and paths already.
  auto early = ranked_paths(*idx, "strip authorization header redirects");
  ASSERT_FALSE(early.empty());
  EXPECT_EQ(early[0], "pkg/sessions.py");

  auto done = idx->complete_symbols();
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->analyzed, 4u);
  EXPECT_EQ(done->symbols_pending, 0u);
  EXPECT_EQ(idx->symbols_pending(), 0u);
  EXPECT_EQ(defs_named(*idx, "rebuild_auth"), 1u);
  EXPECT_EQ(defs_named(*idx, "paint_grid"), 1u);

  auto reference = one_pass.open();
  ASSERT_TRUE(reference);
  auto once = reference->refresh();
  ASSERT_TRUE(once.ok());
  EXPECT_EQ(once->symbols_pending, 0u);
  for (const char* q : {"Session.rebuild_auth", "paint grid width", "prepare request",
                        "authorization header"})
    EXPECT_EQ(ranked_paths(*idx, q), ranked_paths(*reference, q)) << q;
  RepoMapOptions map;
  map.max_tokens = 400;
  auto a = repo_map(*idx, map), b = repo_map(*reference, map);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a.value().find("rebuild_auth"), std::string::npos);
  // Same map but for the root path each names.
  auto strip_root = [](std::string s, const std::string& root) {
    for (size_t at; (at = s.find(root)) != std::string::npos;) s.erase(at, root.size());
    return s;
  };
  EXPECT_EQ(strip_root(a.value(), two_pass.root()), strip_root(b.value(), one_pass.root()));
}

TEST(DeferredSymbols, UnderTheThresholdNothingIsDeferred) {
  TempRepo repo;
  write_repo(repo);
  auto idx = repo.open(defer_over(10));
  auto first = idx->refresh();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->symbols_pending, 0u);
  EXPECT_EQ(defs_named(*idx, "rebuild_auth"), 1u);
}

TEST(DeferredSymbols, PendingSurvivesReopeningAndAnotherOwnerCompletesIt) {
  TempRepo repo;
  write_repo(repo);
  {
    auto idx = repo.open(defer_over(1));
    ASSERT_TRUE(idx->refresh().ok());
    EXPECT_EQ(idx->symbols_pending(), 4u);
  }
  {
    auto idx = repo.open();  // a later process, not deferring
    EXPECT_EQ(idx->symbols_pending(), 4u);
    auto r = idx->refresh();  // nothing changed on disk: nothing to do
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->analyzed, 0u);
    ASSERT_TRUE(idx->complete_symbols().ok());
    EXPECT_EQ(idx->symbols_pending(), 0u);
  }
  auto idx = repo.open();
  EXPECT_EQ(idx->symbols_pending(), 0u);
  EXPECT_EQ(defs_named(*idx, "rebuild_auth"), 1u);
  auto again = idx->complete_symbols();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->analyzed, 0u);
}

TEST(DeferredSymbols, FilesEditedOrRemovedBeforeCompletionAreReadAfresh) {
  TempRepo repo;
  write_repo(repo);
  auto idx = repo.open(defer_over(1));
  ASSERT_TRUE(idx->refresh().ok());
  repo.write("src/grid.cc", "int paint_canvas(int w) { return w * 3; }\n");
  repo.remove("pkg/models.py");
  auto done = idx->complete_symbols();
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->removed, 1u);
  EXPECT_EQ(idx->symbols_pending(), 0u);
  EXPECT_EQ(defs_named(*idx, "paint_canvas"), 1u);
  EXPECT_EQ(defs_named(*idx, "paint_grid"), 0u);
  EXPECT_EQ(defs_named(*idx, "Request"), 0u);
  auto hits = ranked_paths(*idx, "paint_canvas");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0], "src/grid.cc");
}

TEST(DeferredSymbols, ABackgroundPassCompletesThemAndClosingStopsIt) {
  TempRepo repo;
  write_repo(repo);
  for (int i = 0; i < 300; ++i)
    repo.write("gen/m" + std::to_string(i) + ".py",
               "def helper_" + std::to_string(i) + "(x):\n    return x + " + std::to_string(i) + "\n");
  auto background = [](IndexOptions& o) {
    o.defer_symbols_over = 1;
    o.background_symbols = true;
  };
  {
    auto idx = repo.open(background);
    ASSERT_TRUE(idx->refresh().ok());
    // Closing at once: the destructor stops the pass and waits for it.
  }
  auto idx = repo.open(background);
  auto r = idx->refresh();
  ASSERT_TRUE(r.ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (idx->symbols_pending() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(idx->symbols_pending(), 0u);
  EXPECT_EQ(defs_named(*idx, "helper_299"), 1u);
  EXPECT_EQ(defs_named(*idx, "rebuild_auth"), 1u);
}

}  // namespace
}  // namespace bastion::index
