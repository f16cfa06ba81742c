#include "index/search.h"

#include <gtest/gtest.h>

#include "index/repo_map.h"
#include "index_fixture.h"

namespace bastion::index {
namespace {

using testing::TempRepo;

void write_repo(TempRepo& repo) {
  repo.write("pkg/sessions.py",
             "class Session:\n"
             "    def rebuild_auth(self, prepared_request, response):\n"
             "        # strip the authorization header on redirects\n"
             "        headers = prepared_request.headers\n"
             "        return headers\n");
  repo.write("pkg/models.py",
             "from pkg.sessions import Session\n"
             "class Request:\n"
             "    def prepare(self):\n"
             "        return Session().rebuild_auth(self, None)\n");
  repo.write("pkg/utils.py", "def to_native_string(s):\n    return str(s)\n");
  repo.write("tests/test_sessions.py",
             "from pkg.sessions import Session\n"
             "def test_rebuild_auth():\n"
             "    Session().rebuild_auth(None, None)  # authorization redirect\n");
  repo.write("docs/index.rst", "Sessions and authorization headers on redirects.\n");
}

std::vector<std::string> paths(const std::vector<SearchHit>& hits) {
  std::vector<std::string> out;
  for (auto& h : hits) out.push_back(h.path);
  return out;
}

TEST(Search, NaturalLanguageFindsTheImplementationNotTheTest) {
  TempRepo repo;
  write_repo(repo);
  auto idx = repo.open();
  auto hits = search(*idx, "Authorization header is kept when following redirects");
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ(hits->front().path, "pkg/sessions.py");
  ASSERT_FALSE(hits->front().lines.empty());
  EXPECT_EQ(hits->front().lines.front().line, 3u);
}

TEST(Search, ExactSymbolAndStackTraceHits) {
  TempRepo repo;
  write_repo(repo);
  auto idx = repo.open();
  auto hits = search(*idx, "to_native_string() returns bytes");
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(paths(*hits).front(), "pkg/utils.py");
  hits = search(*idx,
                "Traceback (most recent call last):\n"
                "  File \"/venv/site-packages/pkg/models.py\", line 4, in prepare\n"
                "TypeError: boom\n");
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(paths(*hits).front(), "pkg/models.py");
  bool has_frame_line = false;
  for (auto& l : hits->front().lines) has_frame_line = has_frame_line || l.line == 4u;
  EXPECT_TRUE(has_frame_line);
  hits = search(*idx, "see pkg.utils for details", {5, 0, true});
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(paths(*hits).front(), "pkg/utils.py");
}

TEST(Search, NoStaleResultsAfterOutsideEdit) {
  TempRepo repo;
  write_repo(repo);
  auto idx = repo.open();
  ASSERT_TRUE(search(*idx, "session").ok());
  repo.write("pkg/utils.py", "def frobnicate_widgets(s):\n    return s\n");
  auto hits = search(*idx, "frobnicate_widgets");
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ(hits->front().path, "pkg/utils.py");
  EXPECT_FALSE(search(*idx, "   ").ok());
}

TEST(RepoMap, RanksTowardFocusAndFitsBudget) {
  TempRepo repo;
  write_repo(repo);
  auto idx = repo.open();
  RepoMapOptions opt;
  opt.focus_files = {"pkg/models.py"};
  opt.max_tokens = 40;
  auto map = repo_map(*idx, opt);
  ASSERT_TRUE(map.ok());
  // models.py references Session.rebuild_auth: that definition ranks first.
  EXPECT_EQ(map->rfind("pkg/sessions.py:\n", 0), 0u) << *map;
  EXPECT_NE(map->find("│class Session:"), std::string::npos);
  EXPECT_LE(estimate_tokens(*map), 40u + 10u);
  opt.max_tokens = 2000;
  auto big = repo_map(*idx, opt);
  ASSERT_TRUE(big.ok());
  EXPECT_NE(big->find("def to_native_string(s):"), std::string::npos);
  EXPECT_GT(big->size(), map->size());
}

}  // namespace
}  // namespace bastion::index
