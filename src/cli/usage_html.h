// The self-contained HTML usage report of `bastion usage --format html`:
// one file with inline CSS and a small inline script that draws SVG bar
// charts (spend over time, by model, by project) from data embedded as JSON.
// No CDN, no external script, so it opens offline and can be mailed around.
// After drawing, the script sets data-charts-rendered on <body> to the number
// of charts drawn, which the headless-browser test checks.
#pragma once

#include <string>
#include <vector>

#include "store/usage_ledger.h"

namespace bastion::cli {

struct UsageHtmlInput {
  std::string title = "Bastion usage";
  std::string period;  // "since 2026-11-01" or "all time"
  std::string generated_at;
  store::UsageReport by_day;
  store::UsageReport by_model;
  store::UsageReport by_project;
  std::string table_by;            // grouping of the detail table
  store::UsageReport table;        // rows for the detail table
};

std::string render_usage_html(const UsageHtmlInput& input);

// Days with no usage between the first and last row get a zero row, so the
// time chart shows gaps as gaps. Rows must be keyed "YYYY-MM-DD", ascending.
std::vector<store::UsageRow> fill_missing_days(const std::vector<store::UsageRow>& rows);

// Report rows/total as the JSON of `bastion usage --format json`:
// {"total": {...}, "rows": [{"key": ..., ...}]}.
std::string usage_report_json(const store::UsageReport& report, int indent = 2);

}  // namespace bastion::cli
