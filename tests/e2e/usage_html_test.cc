// `bastion usage` end to end: the ledger in an isolated XDG_DATA_HOME, the
// table/json outputs, and the HTML report rendered by a real headless
// Chromium (the report's own script must draw every chart).
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "e2e/harness.h"

using bastion::e2e::Env;
using bastion::e2e::Json;
using bastion::e2e::RunResult;
using bastion::e2e::TempWorkspace;
using bastion::e2e::run_bastion;
using bastion::e2e::run_command;

namespace {

struct Row {
  const char* day;  // YYYY-MM-DD
  const char* model;
  const char* project;
  int64_t in, cached, out, reasoning;
  int64_t cost_nano;
  const char* feature;
};

// Three days (with a gap day), two models, two projects.
const Row kRows[] = {
    {"2026-11-20", "qwen3-coder-480b", "/srv/repos/alpha", 12000, 8000, 900, 0, 3600000, "agent"},
    {"2026-11-20", "glm-4.6", "/srv/repos/alpha", 5000, 0, 400, 120, 1100000, "compaction"},
    {"2026-11-22", "qwen3-coder-480b", "/srv/repos/beta<script>", 30000, 25000, 2000, 0, 9000000,
     "agent"},
    {"2026-11-23", "qwen3-coder-480b", "/srv/repos/alpha", 7000, 6000, 300, 50, 2100000, "subagent"},
};

// Creates the ledger with bastion itself, then adds rows through sqlite3 so
// the test controls dates exactly.
void seed_ledger(const TempWorkspace& ws) {
  RunResult init = run_bastion({"usage", "--format", "json"}, ws.env(), ws.dir());
  ASSERT_EQ(init.exit_code, 0) << init.describe();
  std::string sql = "BEGIN;";
  for (const Row& r : kRows) {
    std::string iso = std::string(r.day) + "T12:00:00.000Z";
    sql += "INSERT INTO usage (time_ms, time_utc, session, project, provider, model, input_tokens, "
           "cached_input_tokens, output_tokens, reasoning_tokens, estimated, latency_ms, "
           "cost_nano_usd, feature) VALUES (CAST(strftime('%s','" + iso.substr(0, 19) +
           "') AS INTEGER)*1000, '" + iso + "', 's1', '" + r.project + "', 'openai', '" + r.model +
           "', " + std::to_string(r.in) + ", " + std::to_string(r.cached) + ", " +
           std::to_string(r.out) + ", " + std::to_string(r.reasoning) + ", 0, 100, " +
           std::to_string(r.cost_nano) + ", '" + r.feature + "');";
  }
  sql += "COMMIT;";
  RunResult ins = run_command({"sqlite3", ws.data_dir() + "/usage.db", sql}, ws.env(), ws.dir());
  ASSERT_EQ(ins.exit_code, 0) << ins.describe();
}

int count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

// The substring of `dom` for the element with this id (to its closing </div>).
std::string chart(const std::string& dom, const std::string& id) {
  size_t start = dom.find("id=\"" + id + "\"");
  if (start == std::string::npos) return "";
  size_t end = dom.find("</div>", start);
  return dom.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

TEST(UsageCommandTest, JsonTotalsAndRowsAreExact) {
  TempWorkspace ws;
  seed_ledger(ws);
  RunResult r = run_bastion({"usage", "--format", "json", "--by", "model"}, ws.env(), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  Json j = r.json();
  ASSERT_TRUE(j.is_object()) << r.describe();
  EXPECT_EQ(j.size(), 2u);
  const Json& t = j["total"];
  EXPECT_EQ(t["input_tokens"], 54000);
  EXPECT_EQ(t["cached_input_tokens"], 39000);
  EXPECT_EQ(t["output_tokens"], 3600);
  EXPECT_EQ(t["reasoning_tokens"], 170);
  EXPECT_EQ(t["requests"], 4);
  EXPECT_NEAR(t["cost"].get<double>(), 0.0158, 1e-12);
  EXPECT_EQ(t.size(), 6u);
  ASSERT_EQ(j["rows"].size(), 2u);
  EXPECT_EQ(j["rows"][0]["key"], "qwen3-coder-480b");
  EXPECT_EQ(j["rows"][0]["input_tokens"], 49000);
  EXPECT_EQ(j["rows"][0]["requests"], 3);
  EXPECT_EQ(j["rows"][1]["key"], "glm-4.6");
  EXPECT_EQ(j["rows"][1].size(), 7u);  // key + the six total fields
}

TEST(UsageCommandTest, SinceAndGroupingsFilterRows) {
  TempWorkspace ws;
  seed_ledger(ws);
  RunResult r = run_bastion({"usage", "--since", "2026-11-22", "--format", "json", "--by", "day"},
                            ws.env(), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  Json j = r.json();
  EXPECT_EQ(j["total"]["requests"], 2);
  ASSERT_EQ(j["rows"].size(), 2u);
  EXPECT_EQ(j["rows"][0]["key"], "2026-11-22");
  EXPECT_EQ(j["rows"][1]["key"], "2026-11-23");

  RunResult f = run_bastion({"usage", "--by", "feature", "--format", "json"}, ws.env(), ws.dir());
  ASSERT_EQ(f.exit_code, 0) << f.describe();
  EXPECT_EQ(f.json()["rows"].size(), 3u);

  RunResult table = run_bastion({"usage", "--by", "project"}, ws.env(), ws.dir());
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  EXPECT_NE(table.out.find("/srv/repos/alpha"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("total"), std::string::npos);
  EXPECT_NE(table.out.find("54,000"), std::string::npos) << table.out;
}

TEST(UsageCommandTest, BadArgumentsAreUsageErrors) {
  TempWorkspace ws;
  RunResult r = run_bastion({"usage", "--by", "week"}, ws.env(), ws.dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown grouping 'week'"), std::string::npos) << r.describe();
  RunResult s = run_bastion({"usage", "--since", "last tuesday"}, ws.env(), ws.dir());
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.err.find("cannot read date"), std::string::npos) << s.describe();
}

TEST(UsageCommandTest, EmptyLedgerReportsZeros) {
  TempWorkspace ws;
  RunResult r = run_bastion({"usage", "--format", "json"}, ws.env(), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.json()["total"]["requests"], 0);
  EXPECT_TRUE(r.json()["rows"].empty());
}

TEST(UsageHtmlTest, ChartsRenderInHeadlessChromium) {
  TempWorkspace ws;
  seed_ledger(ws);
  std::string report = ws.path("report.html");
  RunResult r = run_bastion({"usage", "--format", "html", "--output", report}, ws.env(), ws.dir());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  std::string html = bastion::e2e::read_text(report);
  ASSERT_FALSE(html.empty());
  // Self-contained: no external resources of any kind.
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  // A project name cannot close the data script.
  EXPECT_EQ(html.find("beta<script>"), std::string::npos);

  RunResult which = run_command({"sh", "-c", "command -v chromium"}, ws.env(), ws.dir());
  ASSERT_EQ(which.exit_code, 0) << "chromium is not installed: run scripts/install_deps.sh";
  std::string profile = ws.root() + "/chromium-profile";
  RunResult dom = run_command(
      {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--no-first-run", "--no-default-browser-check", "--user-data-dir=" + profile,
       "--dump-dom", "file://" + report},
      ws.env(), ws.dir(), "", 120000);
  ASSERT_EQ(dom.exit_code, 0) << dom.describe();
  const std::string& d = dom.out;
  EXPECT_NE(d.find("data-charts-rendered=\"3\""), std::string::npos) << d.substr(0, 2000);

  // Time chart: 2026-11-20..23 is four days, the gap day included.
  std::string day = chart(d, "chart-day");
  EXPECT_NE(day.find("data-bars=\"4\""), std::string::npos) << day;
  EXPECT_EQ(count(day, "<rect"), 4);
  EXPECT_NE(day.find(">11-21<"), std::string::npos) << day;
  // By model: two bars, labelled; by project: two bars, names as text (escaped).
  std::string model = chart(d, "chart-model");
  EXPECT_EQ(count(model, "<rect"), 2) << model;
  EXPECT_NE(model.find(">qwen3-coder-480b<"), std::string::npos) << model;
  EXPECT_NE(model.find(">glm-4.6<"), std::string::npos) << model;
  EXPECT_NE(model.find("$0.0147"), std::string::npos) << model;  // 3.6 + 9 + 2.1 millidollars
  std::string project = chart(d, "chart-project");
  EXPECT_EQ(count(project, "<rect"), 2) << project;
  EXPECT_NE(project.find("/srv/repos/beta&lt;script&gt;"), std::string::npos) << project;
  // The metric label was filled in by the script.
  EXPECT_NE(d.find("cost (USD)"), std::string::npos);
}

// Ledger totals after several real runs equal what the server reported.
TEST(UsageCommandTest, LedgerTotalsEqualServerUsageAfterSeveralRuns) {
  TempWorkspace ws;
  ASSERT_TRUE(ws.write("hello.py", "print('hello')\n"));
  int64_t in = 0, cached = 0, out = 0, reasoning = 0;
  for (int run = 0; run < 3; ++run) {
    Json turns = Json::array();
    for (int t = 0; t < 2; ++t) {
      int64_t p = 1000 + 137 * run + 11 * t, c = 400 + run, o = 20 + t, r = t;
      in += p, cached += c, out += o, reasoning += r;
      Json usage = {{"prompt_tokens", p}, {"cached_tokens", c}, {"completion_tokens", o},
                    {"reasoning_tokens", r}};
      Json reply = t == 0 ? Json{{"tool_calls", Json::array({{{"name", "read"},
                                                              {"arguments", {{"path", "hello.py"}}}}})},
                                 {"usage", usage}}
                          : Json{{"text", "Done."}, {"usage", usage}};
      turns.push_back({{"reply", reply}});
    }
    bastion::e2e::FakeServer srv(Json{{"turns", turns}});
    ASSERT_TRUE(srv.ok()) << srv.error();
    Env env = ws.env({{"BASTION_BASE_URL", srv.base_url()}, {"BASTION_MODEL", "test-model"},
                      {"BASTION_API_KEY", "k-test"}});
    RunResult r = run_bastion({"-p", "read hello.py"}, env, ws.dir());
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }
  RunResult u = run_bastion({"usage", "--format", "json", "--by", "session"}, ws.env(), ws.dir());
  ASSERT_EQ(u.exit_code, 0) << u.describe();
  Json t = u.json()["total"];
  EXPECT_EQ(t["requests"], 6);
  EXPECT_EQ(t["input_tokens"], in);
  EXPECT_EQ(t["cached_input_tokens"], cached);
  EXPECT_EQ(t["output_tokens"], out);
  EXPECT_EQ(t["reasoning_tokens"], reasoning);
  EXPECT_EQ(u.json()["rows"].size(), 3u);  // one row per run's session
}
