// `bastion usage`: reports what the usage ledger recorded, as a table, JSON
// or a self-contained HTML report with charts.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/subcommands.h"
#include "cli/usage_html.h"
#include "store/usage_ledger.h"
#include "util/fs.h"

namespace bastion::cli {
namespace {

constexpr const char* kUsageHelp =
    "usage: bastion usage [--since DATE] [--by day|model|project|session|feature|provider]\n"
    "                     [--format table|json|html] [--output FILE]\n"
    "  --since   YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, yesterday, or an age like 7d, 12h\n"
    "  --by      grouping of the rows (default: day, in UTC)\n"
    "  --format  table (default), json, or html (a self-contained report with charts)\n"
    "  --output  write to FILE instead of stdout (html defaults to bastion-usage.html\n"
    "            when stdout is a terminal)\n"
    "The ledger is $XDG_DATA_HOME/bastion/usage.db (~/.local/share/bastion/usage.db).\n";

struct Options {
  std::string since_text;
  int64_t since_ms = 0;
  store::GroupBy by = store::GroupBy::kDay;
  std::string format = "table";
  std::string output;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "bastion usage: %s\n%s", message.c_str(), kUsageHelp);
  return kExitUsage;
}

std::string commas(int64_t n) {
  std::string d = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

std::string fit(const std::string& s, size_t width) {
  if (s.size() <= width) return s;
  return "..." + s.substr(s.size() - (width - 3));  // keep the tail: paths differ at the end
}

std::string table_text(const store::UsageReport& report, store::GroupBy by) {
  size_t width = 8;
  for (auto& r : report.rows) width = std::max(width, std::min<size_t>(r.key.size(), 48));
  std::string out;
  char line[512];
  auto add = [&](const std::string& key, const store::UsageTotals& t) {
    char cost[32];
    std::snprintf(cost, sizeof cost, "$%.4f", t.cost_usd());
    std::snprintf(line, sizeof line, "%-*s %9s %13s %13s %12s %11s %11s\n", static_cast<int>(width),
                  fit(key, width).c_str(), commas(t.requests).c_str(), commas(t.input_tokens).c_str(),
                  commas(t.cached_input_tokens).c_str(), commas(t.output_tokens).c_str(),
                  commas(t.reasoning_tokens).c_str(), cost);
    out += line;
  };
  std::snprintf(line, sizeof line, "%-*s %9s %13s %13s %12s %11s %11s\n", static_cast<int>(width),
                store::group_by_name(by), "requests", "input", "cached", "output", "reasoning",
                "cost");
  out += line;
  for (auto& r : report.rows) add(r.key.empty() ? "(none)" : r.key, r.totals);
  add("total", report.total);
  if (report.total.estimated_requests > 0) {
    int64_t n = report.total.estimated_requests;
    out += "(" + commas(n) + (n == 1 ? " request" : " requests") +
           " had no usage from the server; those counts are estimates)\n";
  }
  return out;
}

Status write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return ok_status();
  }
  return fs::write_file_atomic(path, text);
}

}  // namespace

int run_usage(const std::vector<std::string>& args) {
  Options opt;
  int64_t now = store::now_epoch_ms();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* name) -> const std::string* {
      if (i + 1 >= args.size()) return nullptr;
      (void)name;
      return &args[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsageHelp, stdout);
      return kExitOk;
    }
    std::string flag = a, inline_value;
    bool has_inline = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      flag = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
      has_inline = true;
    }
    const std::string* v = nullptr;
    if (flag == "--since" || flag == "--by" || flag == "--format" || flag == "--output" ||
        flag == "-o") {
      v = has_inline ? &inline_value : value(flag.c_str());
      if (!v) return usage_error(flag + " needs a value");
    } else {
      return usage_error("unknown argument '" + a + "'");
    }
    if (flag == "--since") {
      auto since = store::parse_since(*v, now);
      if (!since.ok()) return usage_error(since.error().message);
      opt.since_text = *v;
      opt.since_ms = *since;
    } else if (flag == "--by") {
      auto by = store::parse_group_by(*v);
      if (!by.ok()) return usage_error(by.error().message);
      opt.by = *by;
    } else if (flag == "--format") {
      if (*v != "table" && *v != "json" && *v != "html")
        return usage_error("unknown format '" + *v + "': use table, json or html");
      opt.format = *v;
    } else {
      opt.output = *v;
    }
  }

  store::UsageFilter filter;
  filter.since_ms = opt.since_ms;
  std::string path = store::UsageLedger::default_path();
  auto ledger = store::UsageLedger::open(path);
  if (!ledger.ok()) {
    std::fprintf(stderr, "bastion usage: %s\n", ledger.error().message.c_str());
    return kExitError;
  }
  auto report = ledger->query(filter, opt.by);
  if (!report.ok()) {
    std::fprintf(stderr, "bastion usage: %s\n", report.error().message.c_str());
    return kExitError;
  }

  std::string text;
  if (opt.format == "json") {
    text = usage_report_json(*report) + "\n";
  } else if (opt.format == "table") {
    text = table_text(*report, opt.by);
  } else {
    UsageHtmlInput in;
    in.period = opt.since_text.empty() ? "all time"
                                       : "since " + store::format_utc_iso(opt.since_ms).substr(0, 16) + " UTC";
    in.generated_at = store::format_utc_iso(now).substr(0, 19) + "Z";
    auto by_day = ledger->query(filter, store::GroupBy::kDay);
    auto by_model = ledger->query(filter, store::GroupBy::kModel);
    auto by_project = ledger->query(filter, store::GroupBy::kProject);
    for (auto* r : {&by_day, &by_model, &by_project}) {
      if (!r->ok()) {
        std::fprintf(stderr, "bastion usage: %s\n", r->error().message.c_str());
        return kExitError;
      }
    }
    in.by_day = *by_day;
    in.by_model = *by_model;
    in.by_project = *by_project;
    in.table_by = store::group_by_name(opt.by);
    in.table = *report;
    text = render_usage_html(in);
    if (opt.output.empty() && ::isatty(STDOUT_FILENO)) opt.output = "bastion-usage.html";
  }
  Status st = write_output(opt.output, text);
  if (!st.ok()) {
    std::fprintf(stderr, "bastion usage: cannot write %s: %s\n", opt.output.c_str(),
                 st.error().message.c_str());
    return kExitError;
  }
  if (!opt.output.empty() && opt.output != "-") {
    std::fprintf(stderr, "wrote %s\n", opt.output.c_str());
  }
  return kExitOk;
}

}  // namespace bastion::cli
