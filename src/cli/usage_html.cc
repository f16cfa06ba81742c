#include "cli/usage_html.h"

#include <cstdio>

#include "util/json.h"
#include "util/strings.h"

namespace bastion::cli {
namespace {

Json totals_json(const store::UsageTotals& t) {
  return {{"input_tokens", t.input_tokens},   {"cached_input_tokens", t.cached_input_tokens},
          {"output_tokens", t.output_tokens}, {"reasoning_tokens", t.reasoning_tokens},
          {"cost", t.cost_usd()},             {"requests", t.requests}};
}

Json rows_json(const std::vector<store::UsageRow>& rows) {
  Json out = Json::array();
  for (auto& r : rows) {
    Json j = totals_json(r.totals);
    j["key"] = r.key;
    out.push_back(j);
  }
  return out;
}

std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
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

std::string money(double usd) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "$%.4f", usd);
  return buf;
}

std::string table_row(const std::string& key, const store::UsageTotals& t, bool bold) {
  std::string td = bold ? "th" : "td";
  std::string row = "<tr><" + td + " class=\"key\">" + escape_html(key) + "</" + td + ">";
  for (int64_t v : {t.requests, t.input_tokens, t.cached_input_tokens, t.output_tokens,
                    t.reasoning_tokens}) {
    row += "<" + td + ">" + commas(v) + "</" + td + ">";
  }
  row += "<" + td + ">" + money(t.cost_usd()) + "</" + td + "></tr>\n";
  return row;
}

constexpr const char* kStyle = R"css(
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2433;background:#fafbfc}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:24px 0 8px}
.meta{color:#5b6475;margin-bottom:16px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:18px}
.chart{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:8px;max-width:800px}
svg text{font-size:11px;fill:#5b6475}.bar{fill:#3b6fd8}.bar:hover{fill:#1d4fb0}
.axis{stroke:#9aa3b2}
table{border-collapse:collapse;background:#fff;margin-top:8px}
td,th{border:1px solid #dde1e8;padding:4px 8px;text-align:right}
td.key,th.key{text-align:left;max-width:420px;overflow-wrap:anywhere}
)css";

// Draws the charts from #usage-data; no external code.
constexpr const char* kScript = R"js(
(function () {
  var data = JSON.parse(document.getElementById('usage-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var useCost = data.total.cost > 0;
  function metric(r) { return useCost ? r.cost : r.input_tokens + r.output_tokens; }
  function fmt(v) {
    if (useCost) return '$' + (v < 10 ? v.toFixed(4) : v.toFixed(2));
    if (v >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (v >= 1e3) return (v / 1e3).toFixed(1) + 'k';
    return String(v);
  }
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function label(parent, x, y, s, anchor) {
    var t = el('text', {x: x, y: y, 'text-anchor': anchor || 'start'}, parent);
    t.textContent = s;
    return t;
  }
  function tip(node, r) {
    el('title', {}, node).textContent = r.key + ': ' + fmt(metric(r)) + ', ' + r.requests +
        ' requests, ' + (r.input_tokens + r.output_tokens) + ' tokens';
  }
  function empty(svg, W, H) {
    label(svg, W / 2, H / 2, 'no usage in this period', 'middle');
    svg.setAttribute('data-bars', '0');
  }
  function columns(box, rows) {
    var W = 780, H = 240, L = 70, B = 36, T = 12;
    var svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img'}, box);
    if (!rows.length) return empty(svg, W, H);
    var max = 0;
    rows.forEach(function (r) { max = Math.max(max, metric(r)); });
    var n = rows.length, bw = (W - L - 10) / n, every = Math.ceil(n / 14);
    el('line', {x1: L, y1: H - B, x2: W - 10, y2: H - B, 'class': 'axis'}, svg);
    label(svg, L - 6, T + 8, fmt(max), 'end');
    label(svg, L - 6, H - B, fmt(0), 'end');
    rows.forEach(function (r, i) {
      var h = max > 0 ? (H - B - T) * metric(r) / max : 0;
      tip(el('rect', {x: L + i * bw + bw * 0.1, y: H - B - h, width: Math.max(1, bw * 0.8),
                      height: h, 'class': 'bar'}, svg), r);
      if (i % every === 0) label(svg, L + i * bw + bw / 2, H - B + 16, r.key.slice(5), 'middle');
    });
    svg.setAttribute('data-bars', String(n));
  }
  function hbars(box, all) {
    var rows = all.slice(0, 12);
    if (all.length > 12) {
      var other = {key: '(' + (all.length - 12) + ' others)', cost: 0, input_tokens: 0,
                   output_tokens: 0, requests: 0};
      all.slice(12).forEach(function (r) {
        other.cost += r.cost; other.input_tokens += r.input_tokens;
        other.output_tokens += r.output_tokens; other.requests += r.requests;
      });
      rows.push(other);
    }
    var W = 780, L = 260, R = 90, row = 24;
    var H = Math.max(60, rows.length * row + 10);
    var svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img'}, box);
    if (!rows.length) return empty(svg, W, H);
    var max = 0;
    rows.forEach(function (r) { max = Math.max(max, metric(r)); });
    rows.forEach(function (r, i) {
      var y = 5 + i * row, w = max > 0 ? (W - L - R) * metric(r) / max : 0;
      var name = r.key === '' ? '(none)' : r.key;
      if (name.length > 40) name = '\u2026' + name.slice(name.length - 39);
      label(svg, L - 8, y + 15, name, 'end');
      tip(el('rect', {x: L, y: y + 3, width: Math.max(1, w), height: row - 8, 'class': 'bar'}, svg), r);
      label(svg, L + w + 6, y + 15, fmt(metric(r)));
    });
    svg.setAttribute('data-bars', String(rows.length));
  }
  var charts = [['chart-day', columns, data.by_day], ['chart-model', hbars, data.by_model],
                ['chart-project', hbars, data.by_project]];
  var drawn = 0;
  charts.forEach(function (c) {
    var box = document.getElementById(c[0]);
    if (!box) return;
    c[1](box, c[2]);
    drawn++;
  });
  document.querySelectorAll('.metric').forEach(function (n) {
    n.textContent = useCost ? 'cost (USD)' : 'tokens (input + output)';
  });
  document.body.setAttribute('data-charts-rendered', String(drawn));
})();
)js";

}  // namespace

std::vector<store::UsageRow> fill_missing_days(const std::vector<store::UsageRow>& rows) {
  if (rows.size() < 2) return rows;
  auto first = store::parse_since(rows.front().key, 0);
  auto last = store::parse_since(rows.back().key, 0);
  if (!first.ok() || !last.ok() || *last < *first) return rows;
  constexpr int64_t kDay = 86400000;
  if ((*last - *first) / kDay > 3660) return rows;  // not worth it past ten years
  std::vector<store::UsageRow> out;
  size_t next = 0;
  for (int64_t t = *first; t <= *last; t += kDay) {
    std::string key = store::format_utc_iso(t).substr(0, 10);
    if (next < rows.size() && rows[next].key == key) {
      out.push_back(rows[next++]);
    } else {
      out.push_back({key, {}});
    }
  }
  return out;
}

std::string usage_report_json(const store::UsageReport& report, int indent) {
  Json j = {{"total", totals_json(report.total)}, {"rows", rows_json(report.rows)}};
  return dump_json(j, indent);
}

std::string render_usage_html(const UsageHtmlInput& in) {
  Json data = {{"total", totals_json(in.by_day.total)},
               {"by_day", rows_json(fill_missing_days(in.by_day.rows))},
               {"by_model", rows_json(in.by_model.rows)},
               {"by_project", rows_json(in.by_project.rows)}};
  // "<" only occurs inside JSON strings; escaping it keeps "</script>" inert.
  std::string embedded = str::replace_all(dump_json(data), "<", "\\u003c");

  const auto& t = in.by_day.total;
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
                     escape_html(in.title) + "</title>\n<style>" + kStyle + "</style></head>\n<body>\n";
  html += "<h1>" + escape_html(in.title) + "</h1>\n<div class=\"meta\">" + escape_html(in.period) +
          " &middot; generated " + escape_html(in.generated_at) + "</div>\n";
  html += "<div class=\"cards\">";
  auto card = [&](const std::string& name, const std::string& value) {
    html += "<div class=\"card\">" + name + "<b>" + value + "</b></div>";
  };
  card("Cost", money(t.cost_usd()));
  card("Requests", commas(t.requests));
  card("Input tokens", commas(t.input_tokens));
  card("Cached input", commas(t.cached_input_tokens));
  card("Output tokens", commas(t.output_tokens));
  card("Reasoning", commas(t.reasoning_tokens));
  html += "</div>\n";
  html += "<h2>Spend over time: <span class=\"metric\"></span> per day (UTC)</h2>"
          "<div class=\"chart\" id=\"chart-day\"></div>\n";
  html += "<h2>By model: <span class=\"metric\"></span></h2><div class=\"chart\" id=\"chart-model\"></div>\n";
  html += "<h2>By project: <span class=\"metric\"></span></h2><div class=\"chart\" id=\"chart-project\"></div>\n";
  html += "<h2>By " + escape_html(in.table_by) + "</h2>\n<table id=\"detail\"><tr><th class=\"key\">" +
          escape_html(in.table_by) +
          "</th><th>requests</th><th>input</th><th>cached input</th><th>output</th>"
          "<th>reasoning</th><th>cost</th></tr>\n";
  for (auto& r : in.table.rows) html += table_row(r.key.empty() ? "(none)" : r.key, r.totals, false);
  html += table_row("total", in.table.total, true);
  html += "</table>\n<script type=\"application/json\" id=\"usage-data\">" + embedded +
          "</script>\n<script>" + kScript + "</script>\n</body></html>\n";
  return html;
}

}  // namespace bastion::cli
