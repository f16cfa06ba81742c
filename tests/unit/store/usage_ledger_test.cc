#include "store/usage_ledger.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "util/fs.h"
#include "temp_dir.h"

using namespace bastion;
using namespace bastion::store;

namespace {

std::string temp_dir() {
  return bastion::testing::temp_dir_removed_at_exit("bastion-ledger");
}

// 2026-11-24T10:00:00Z
constexpr int64_t kT0 = 1795514400000;
constexpr int64_t kDay = 86400000;

LedgerEntry entry(int64_t t, const std::string& model, int64_t in, int64_t out, double cost) {
  LedgerEntry e;
  e.time_ms = t;
  e.session = "s1";
  e.project = "/repo/a";
  e.provider = "openai";
  e.model = model;
  e.input_tokens = in;
  e.cached_input_tokens = in / 2;
  e.output_tokens = out;
  e.reasoning_tokens = out / 3;
  e.latency_ms = 120;
  e.cost_usd = cost;
  return e;
}

}  // namespace

TEST(UsageLedgerTest, TotalsEqualSumOfRecordedServerUsageExactly) {
  auto ledger = UsageLedger::open(temp_dir() + "/usage.db");
  ASSERT_TRUE(ledger.ok()) << ledger.error().to_string();
  std::mt19937_64 rng(42);
  UsageTotals expect;
  int64_t expect_nanos = 0;
  for (int i = 0; i < 500; ++i) {
    LedgerEntry e = entry(kT0 + i * 60000, i % 3 ? "qwen3-coder" : "glm-4.6",
                          static_cast<int64_t>(rng() % 200000), static_cast<int64_t>(rng() % 9000),
                          0);
    e.cached_input_tokens = static_cast<int64_t>(rng() % (e.input_tokens + 1));
    e.reasoning_tokens = static_cast<int64_t>(rng() % (e.output_tokens + 1));
    int64_t nanos = static_cast<int64_t>(rng() % 5000000);
    e.cost_usd = static_cast<double>(nanos) / 1e9;
    ASSERT_TRUE(ledger->record(e).ok());
    expect.input_tokens += e.input_tokens;
    expect.cached_input_tokens += e.cached_input_tokens;
    expect.output_tokens += e.output_tokens;
    expect.reasoning_tokens += e.reasoning_tokens;
    expect_nanos += nanos;
  }
  auto report = ledger->query({}, GroupBy::kModel);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->total.requests, 500);
  EXPECT_EQ(report->total.input_tokens, expect.input_tokens);
  EXPECT_EQ(report->total.cached_input_tokens, expect.cached_input_tokens);
  EXPECT_EQ(report->total.output_tokens, expect.output_tokens);
  EXPECT_EQ(report->total.reasoning_tokens, expect.reasoning_tokens);
  EXPECT_EQ(report->total.cost_nano_usd, expect_nanos);
  // Group rows partition the total exactly.
  ASSERT_EQ(report->rows.size(), 2u);
  int64_t in = 0, req = 0;
  for (auto& r : report->rows) {
    in += r.totals.input_tokens;
    req += r.totals.requests;
  }
  EXPECT_EQ(in, expect.input_tokens);
  EXPECT_EQ(req, 500);
}

TEST(UsageLedgerTest, GroupsByDayModelProjectSessionFeature) {
  auto ledger = UsageLedger::open(temp_dir() + "/usage.db");
  ASSERT_TRUE(ledger.ok());
  LedgerEntry a = entry(kT0, "m1", 100, 10, 0.5);
  LedgerEntry b = entry(kT0 + kDay, "m2", 200, 20, 1.5);
  b.project = "/repo/b";
  b.session = "s2";
  b.feature = "compaction";
  LedgerEntry c = entry(kT0 + kDay + 1000, "m2", 300, 30, 0.25);
  c.estimated = true;
  for (auto* e : {&a, &b, &c}) ASSERT_TRUE(ledger->record(*e).ok());

  auto by_day = ledger->query({}, GroupBy::kDay);
  ASSERT_TRUE(by_day.ok());
  ASSERT_EQ(by_day->rows.size(), 2u);
  EXPECT_EQ(by_day->rows[0].key, "2026-11-24");
  EXPECT_EQ(by_day->rows[0].totals.input_tokens, 100);
  EXPECT_EQ(by_day->rows[1].key, "2026-11-25");
  EXPECT_EQ(by_day->rows[1].totals.input_tokens, 500);
  EXPECT_EQ(by_day->rows[1].totals.estimated_requests, 1);

  auto by_model = ledger->query({}, GroupBy::kModel);
  ASSERT_TRUE(by_model.ok());
  ASSERT_EQ(by_model->rows.size(), 2u);
  EXPECT_EQ(by_model->rows[0].key, "m2");  // most expensive first
  EXPECT_DOUBLE_EQ(by_model->rows[0].totals.cost_usd(), 1.75);

  auto by_project = ledger->query({}, GroupBy::kProject);
  ASSERT_TRUE(by_project.ok());
  ASSERT_EQ(by_project->rows.size(), 2u);
  EXPECT_EQ(by_project->rows[0].key, "/repo/b");

  auto by_feature = ledger->query({}, GroupBy::kFeature);
  ASSERT_TRUE(by_feature.ok());
  ASSERT_EQ(by_feature->rows.size(), 2u);
  EXPECT_EQ(by_feature->rows[0].key, "compaction");
  EXPECT_EQ(by_feature->rows[1].key, "agent");

  auto by_session = ledger->query({}, GroupBy::kSession);
  ASSERT_TRUE(by_session.ok());
  EXPECT_EQ(by_session->rows.size(), 2u);
}

TEST(UsageLedgerTest, FiltersBySinceProjectAndSession) {
  auto ledger = UsageLedger::open(temp_dir() + "/usage.db");
  ASSERT_TRUE(ledger.ok());
  LedgerEntry a = entry(kT0, "m1", 100, 10, 0);
  LedgerEntry b = entry(kT0 + kDay, "m1", 200, 20, 0);
  b.project = "/repo/b";
  b.session = "s2";
  ASSERT_TRUE(ledger->record(a).ok());
  ASSERT_TRUE(ledger->record(b).ok());
  UsageFilter since;
  since.since_ms = kT0 + 1;
  EXPECT_EQ(ledger->totals(since)->input_tokens, 200);
  UsageFilter until;
  until.until_ms = kT0 + 1;
  EXPECT_EQ(ledger->totals(until)->input_tokens, 100);
  UsageFilter project;
  project.project = "/repo/a";
  EXPECT_EQ(ledger->totals(project)->input_tokens, 100);
  UsageFilter session;
  session.session = "s2";
  EXPECT_EQ(ledger->totals(session)->input_tokens, 200);
  EXPECT_EQ(ledger->totals({})->total_tokens(), 330);
}

TEST(UsageLedgerTest, RefusesNegativeCounts) {
  auto ledger = UsageLedger::open(temp_dir() + "/usage.db");
  ASSERT_TRUE(ledger.ok());
  LedgerEntry e = entry(kT0, "m", -1, 0, 0);
  auto st = ledger->record(e);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kBadInput);
  EXPECT_EQ(ledger->totals({})->requests, 0);
}

TEST(UsageLedgerTest, ZeroTimeMeansNowAndRowKeepsIsoTime) {
  auto ledger = UsageLedger::open(temp_dir() + "/usage.db");
  ASSERT_TRUE(ledger.ok());
  LedgerEntry e = entry(0, "m", 1, 1, 0);
  int64_t before = now_epoch_ms();
  ASSERT_TRUE(ledger->record(e).ok());
  UsageFilter f;
  f.since_ms = before - 1000;
  EXPECT_EQ(ledger->totals(f)->requests, 1);
  auto by_day = ledger->query({}, GroupBy::kDay);
  ASSERT_EQ(by_day->rows.size(), 1u);
  EXPECT_EQ(by_day->rows[0].key, format_utc_iso(before).substr(0, 10));
}

TEST(UsageLedgerTest, SeveralProcessesWritingAtOnceLoseNothing) {
  std::string path = temp_dir() + "/usage.db";
  constexpr int kProcs = 4, kRows = 60;
  std::vector<pid_t> kids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto ledger = UsageLedger::open(path);
      if (!ledger.ok()) {
        std::fprintf(stderr, "child %d: %s\n", p, ledger.error().message.c_str());
        ::_exit(2);
      }
      for (int i = 0; i < kRows; ++i) {
        if (!ledger->record(entry(kT0 + i, "m" + std::to_string(p), 7, 3, 0.001)).ok()) ::_exit(3);
      }
      ::_exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  auto ledger = UsageLedger::open(path);
  ASSERT_TRUE(ledger.ok());
  auto t = ledger->totals({});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->requests, kProcs * kRows);
  EXPECT_EQ(t->input_tokens, 7 * kProcs * kRows);
  EXPECT_EQ(t->cost_nano_usd, 1000000LL * kProcs * kRows);
}

TEST(UsageLedgerTest, DefaultPathHonoursXdgDataHome) {
  std::string dir = temp_dir();
  ::setenv("XDG_DATA_HOME", dir.c_str(), 1);
  EXPECT_EQ(UsageLedger::default_path(), dir + "/bastion/usage.db");
  auto ledger = UsageLedger::open(UsageLedger::default_path());
  ASSERT_TRUE(ledger.ok());
  EXPECT_TRUE(fs::exists(dir + "/bastion/usage.db"));
}

TEST(UsageLedgerTest, ParsesGroupByNames) {
  EXPECT_EQ(*parse_group_by("day"), GroupBy::kDay);
  EXPECT_EQ(*parse_group_by("feature"), GroupBy::kFeature);
  auto bad = parse_group_by("week");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("day, model"), std::string::npos);
}

TEST(UsageLedgerTest, ParsesSinceForms) {
  int64_t now = kT0 + 12345;
  EXPECT_EQ(*parse_since("2026-11-24", now), kT0 - 10 * 3600000LL);
  EXPECT_EQ(*parse_since("2026-11-24T10:00", now), kT0);
  EXPECT_EQ(*parse_since("2026-11-24T10:00:05Z", now), kT0 + 5000);
  EXPECT_EQ(*parse_since("today", now), kT0 - 10 * 3600000LL);
  EXPECT_EQ(*parse_since("yesterday", now), kT0 - 10 * 3600000LL - kDay);
  EXPECT_EQ(*parse_since("7d", now), now - 7 * kDay);
  EXPECT_EQ(*parse_since("2h", now), now - 2 * 3600000LL);
  for (const char* bad : {"", "tomorrow", "2026-13-01", "2026-11-24T25:00", "7w", "24-11-2026",
                          "2026-11-24Tx", "99999999999d"}) {
    auto r = parse_since(bad, now);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind, ErrorKind::kBadInput);
    }
  }
}

TEST(UsageLedgerTest, FormatsUtcIso) {
  EXPECT_EQ(format_utc_iso(kT0 + 42), "2026-11-24T10:00:00.042Z");
  EXPECT_EQ(utc_day_start(kT0), kT0 - 10 * 3600000LL);
}
