// The derived cache (derived_cache.h) keeps query-independent results
// across queries: a long-lived index must rank exactly as a freshly opened
// one, before and after edits that change the reference graph, and the
// language counts must follow files added and removed.
#include <gtest/gtest.h>

#include "index/search.h"
#include "index/search_signals.h"
#include "index_fixture.h"

namespace bastion::index {
namespace {

using testing::TempRepo;

std::vector<std::string> explained(CodeIndex& idx, const std::string& q) {
  SearchOptions opt;
  opt.lines_per_file = 0;
  opt.explain = true;
  auto hits = search(idx, q, opt);
  std::vector<std::string> out;
  if (hits.ok())
    for (auto& h : hits.value()) out.push_back(h.path + " " + std::to_string(h.score) + " " + h.why);
  return out;
}

void write_repo(TempRepo& repo) {
  repo.write("app/cart.py",
             "from app.pricing import apply_discount\n"
             "class Cart:\n"
             "    def total(self, items):\n"
             "        return apply_discount(sum(items))\n");
  repo.write("app/pricing.py",
             "def apply_discount(amount):\n    return amount * 0.9\n");
  repo.write("app/tax.py", "def add_vat(amount):\n    return amount * 1.2\n");
  repo.write("app/checkout.py",
             "from app.cart import Cart\n"
             "def checkout(items):\n"
             "    # cart total with discount at checkout\n"
             "    return Cart().total(items)\n");
  repo.write("tests/test_cart.py",
             "from app.cart import Cart\n"
             "def test_total():\n    assert Cart().total([10]) == 9\n");
}

// Plain queries, and ones about tests (their path priors differ).
const char* kQueries[] = {"cart total discount wrong at checkout", "Cart.total",
                          "apply_discount rounding", "vat amount",
                          "test_cart fails: add a test for cart total"};

TEST(DerivedCache, ALongLivedIndexRanksAsAFreshOneAcrossEdits) {
  TempRepo repo;
  write_repo(repo);
  auto live = repo.open();
  ASSERT_TRUE(live);
  for (const char* q : kQueries) (void)explained(*live, q);  // fills the cache

  // The cart now prices through the tax module: its edges move.
  repo.write("app/cart.py",
             "from app.tax import add_vat\n"
             "class Cart:\n"
             "    def total(self, items):\n"
             "        return add_vat(sum(items))\n");
  repo.remove("app/pricing.py");
  repo.remove("tests/test_cart.py");
  repo.write("app/test_cart.py", "def test_total():\n    assert True\n");
  repo.write("app/tax.py",
             "def add_vat(amount):\n    return amount * 1.2\n\n"
             "def apply_discount(a):\n    return a\n");
  live->notify_file_changed("app/cart.py");
  for (const char* q : kQueries) {
    auto fresh = repo.open();
    ASSERT_TRUE(fresh);
    auto expected = explained(*fresh, q);
    EXPECT_EQ(explained(*live, q), expected) << q;
    ASSERT_FALSE(expected.empty());
  }
}

TEST(DerivedCache, ASlotReusedByAnotherFileGetsItsOwnPrior) {
  TempRepo repo;
  write_repo(repo);
  auto live = repo.open();
  ASSERT_FALSE(explained(*live, "cart total").empty());  // cold build: a snapshot
  // Added since the snapshot: held in memory, at a slot a removal frees.
  repo.write("app/zebra_helper.py", "def zebra_stripes():\n    return 'zebra'\n");
  ASSERT_FALSE(explained(*live, "zebra stripes").empty());
  repo.remove("app/zebra_helper.py");
  repo.write("tests/test_zebra.py", "def test_zebra_stripes():\n    assert 'zebra'\n");
  auto got = explained(*live, "zebra stripes");
  auto fresh = repo.open();
  EXPECT_EQ(got, explained(*fresh, "zebra stripes"));
  ASSERT_FALSE(got.empty());
  EXPECT_NE(got[0].find("prior x 0.125"), std::string::npos) << got[0];
}

TEST(DerivedCache, DefinerCountsAreOnlyTrustedWhenDeadSlotsCannotMatter) {
  TempRepo repo;
  for (int i = 0; i < 30; ++i)
    repo.write("m" + std::to_string(i) + ".py", "def common():\n    return " + std::to_string(i) + "\n");
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());  // all 30 in the snapshot
  auto check = [&](size_t live, bool sure_over_25, bool sure_over_20) {
    idx->read([&](const CodeIndex::View& v) {
      bool more = false;
      EXPECT_EQ(v.definers("common").size(), live);
      auto d = v.definers_up_to("common", 25, more);
      EXPECT_EQ(more, sure_over_25);
      EXPECT_EQ(d.size(), sure_over_25 ? 0 : live);
      v.definers_up_to("common", 20, more);
      EXPECT_EQ(more, sure_over_20);
      EXPECT_EQ(v.definers_up_to("common", live, more).size(), live);
      EXPECT_FALSE(more);
      EXPECT_TRUE(v.definers_up_to("absent_name", 0, more).empty());
      EXPECT_FALSE(more);
    });
  };
  check(30, true, true);
  for (int i = 0; i < 6; ++i) repo.remove("m" + std::to_string(i) + ".py");
  ASSERT_TRUE(idx->refresh().ok());  // 6 dead snapshot slots: 24 live
  check(24, false, true);
}

TEST(DerivedCache, LanguageCountsFollowAddedAndRemovedFiles) {
  TempRepo repo;
  write_repo(repo);
  auto idx = repo.open();
  ASSERT_TRUE(idx->refresh().ok());
  size_t before = 0, after = 0, python = 0;
  idx->read([&](const CodeIndex::View& v) { before = language_shares(v).total; });
  repo.write("web/app.js", "function render() { return 1; }\n");
  repo.write("web/view.ts", "export function view(): number { return 2; }\n");
  ASSERT_TRUE(idx->refresh().ok());
  idx->read([&](const CodeIndex::View& v) {
    after = language_shares(v).total;
    python = language_shares(v).files.size();
  });
  EXPECT_EQ(before, 5u);
  EXPECT_EQ(after, 7u);
  EXPECT_EQ(python, 2u);  // Python, JavaScript/TypeScript
  repo.remove("web/app.js");
  ASSERT_TRUE(idx->refresh().ok());
  idx->read([&](const CodeIndex::View& v) { after = language_shares(v).total; });
  EXPECT_EQ(after, 6u);
}

}  // namespace
}  // namespace bastion::index
