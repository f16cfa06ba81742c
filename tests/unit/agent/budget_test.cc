#include "agent/budget.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

using namespace bastion;
using namespace bastion::agent;

namespace {

llm::Usage usage(int64_t in, int64_t out) {
  llm::Usage u;
  u.input_tokens = in;
  u.output_tokens = out;
  return u;
}

std::string temp_db() {
  return bastion::testing::temp_dir_removed_at_exit("bastion-budget") + "/usage.db";
}

constexpr int64_t kNoon = 1795521600000;  // 2026-11-24T12:00:00Z

}  // namespace

TEST(BudgetTest, RunTokenBudgetStopsAtTheTurnThatCrossesIt) {
  BudgetLimits limits;
  limits.run_max_tokens = 1000;
  Budget b(limits);
  EXPECT_FALSE(b.exceeded());
  b.record(usage(400, 100), 0);
  EXPECT_FALSE(b.exceeded());
  b.record(usage(400, 200), 0);
  auto stop = b.exceeded();
  ASSERT_TRUE(stop.has_value());
  EXPECT_EQ(stop->limit, "--max-budget-tokens");
  EXPECT_NE(stop->message.find("1,100 of 1,000 tokens"), std::string::npos) << stop->message;
  EXPECT_EQ(b.run_tokens(), 1100);
}

TEST(BudgetTest, RunCostBudget) {
  BudgetLimits limits;
  limits.run_max_usd = 0.05;
  Budget b(limits);
  b.record(usage(10, 10), 0.03);
  EXPECT_FALSE(b.exceeded());
  b.record(usage(10, 10), 0.03);
  auto stop = b.exceeded();
  ASSERT_TRUE(stop.has_value());
  EXPECT_EQ(stop->limit, "--max-budget-usd");
  EXPECT_NE(stop->message.find("$0.0600 of $0.0500"), std::string::npos) << stop->message;
}

TEST(BudgetTest, NoLimitsNeverStops) {
  Budget b(BudgetLimits{});
  b.record(usage(1'000'000'000, 1'000'000), 1000);
  EXPECT_FALSE(b.exceeded());
  EXPECT_FALSE(BudgetLimits{}.any());
}

TEST(BudgetTest, DailyCapCountsOtherRunsInTheLedger) {
  auto ledger = store::UsageLedger::open(temp_db());
  ASSERT_TRUE(ledger.ok());
  store::LedgerEntry earlier;
  earlier.time_ms = kNoon - 3600000;  // today, another run
  earlier.project = "/repo/a";
  earlier.input_tokens = 900;
  earlier.output_tokens = 50;
  ASSERT_TRUE(ledger->record(earlier).ok());
  store::LedgerEntry yesterday = earlier;
  yesterday.time_ms = kNoon - 86400000;
  ASSERT_TRUE(ledger->record(yesterday).ok());

  BudgetLimits limits;
  limits.daily_max_tokens = 1000;
  Budget b(limits, "/repo/a");
  ASSERT_TRUE(b.refresh_from_ledger(*ledger, kNoon).ok());
  EXPECT_FALSE(b.exceeded());  // 950 of 1000: yesterday does not count
  b.record(usage(40, 20), 0);
  auto stop = b.exceeded();
  ASSERT_TRUE(stop.has_value());
  EXPECT_EQ(stop->limit, "budget.daily_tokens in config");
  EXPECT_NE(stop->message.find("1,010 of 1,000"), std::string::npos) << stop->message;
}

TEST(BudgetTest, RefreshAfterRecordingDoesNotCountTwice) {
  auto ledger = store::UsageLedger::open(temp_db());
  ASSERT_TRUE(ledger.ok());
  BudgetLimits limits;
  limits.daily_max_tokens = 1000;
  Budget b(limits, "/repo/a");
  ASSERT_TRUE(b.refresh_from_ledger(*ledger, kNoon).ok());
  // The loop records each request in the ledger and in the budget.
  store::LedgerEntry e;
  e.time_ms = kNoon;
  e.project = "/repo/a";
  e.input_tokens = 600;
  ASSERT_TRUE(ledger->record(e).ok());
  b.record(usage(600, 0), 0);
  ASSERT_TRUE(b.refresh_from_ledger(*ledger, kNoon + 1).ok());
  EXPECT_FALSE(b.exceeded());  // 600, not 1200
  EXPECT_EQ(b.status_line(0, 0), "budget: 400 of 1k tokens left");
}

TEST(BudgetTest, ProjectCapIgnoresOtherProjects) {
  auto ledger = store::UsageLedger::open(temp_db());
  ASSERT_TRUE(ledger.ok());
  store::LedgerEntry other;
  other.time_ms = kNoon;
  other.project = "/repo/other";
  other.input_tokens = 5000;
  ASSERT_TRUE(ledger->record(other).ok());
  store::LedgerEntry mine = other;
  mine.project = "/repo/a";
  mine.input_tokens = 450;
  ASSERT_TRUE(ledger->record(mine).ok());

  BudgetLimits limits;
  limits.project_daily_max_tokens = 500;
  Budget b(limits, "/repo/a");
  ASSERT_TRUE(b.refresh_from_ledger(*ledger, kNoon).ok());
  EXPECT_FALSE(b.exceeded());
  b.record(usage(50, 0), 0);
  auto stop = b.exceeded();
  ASSERT_TRUE(stop.has_value());
  EXPECT_NE(stop->message.find("/repo/a"), std::string::npos);
  EXPECT_EQ(stop->limit, "budget.project_daily_tokens in config");
}

TEST(BudgetTest, StatusLineShowsTightestLimitAndContext) {
  BudgetLimits limits;
  limits.run_max_tokens = 50000;
  limits.run_max_usd = 10;
  Budget b(limits);
  b.record(usage(37000, 700), 1.0);
  // tokens: 12.3k of 50k left (25%) is tighter than $9 of $10 (90%).
  EXPECT_EQ(b.status_line(41000, 100000), "budget: 12.3k of 50k tokens left; context 41% full");
  Budget none(BudgetLimits{});
  EXPECT_EQ(none.status_line(500, 1000), "context 50% full");
  EXPECT_EQ(none.status_line(500, 0), "");
  BudgetLimits usd;
  usd.run_max_usd = 2;
  Budget c(usd);
  c.record(usage(1, 1), 1.5);
  EXPECT_EQ(c.status_line(0, 0), "budget: $0.50 of $2.00 left");
}

TEST(BudgetTest, CompactCount) {
  EXPECT_EQ(compact_count(950), "950");
  EXPECT_EQ(compact_count(12345), "12.3k");
  EXPECT_EQ(compact_count(250000), "250k");
  EXPECT_EQ(compact_count(1234), "1.2k");
  EXPECT_EQ(compact_count(50000), "50k");
  EXPECT_EQ(compact_count(2500000), "2.5M");
}
