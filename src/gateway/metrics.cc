#include "gateway/metrics.h"

#include <cstdio>
#include <sstream>
#include <string_view>

namespace bastion::gateway {
namespace {

const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                      0.25,  0.5,    1,     2.5,  5,     10,   30, 60};

// Appends k="v" (escaped) to `out`.
void append_label(std::string& out, std::string_view k, std::string_view v) {
  out += k;
  out += "=\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  out += '"';
}

std::string label(const std::string& k, const std::string& v) {
  std::string out;
  append_label(out, k, v);
  return out;
}

// Adds n to the counter whose labels are k1="v1",k2="v2", building the
// key in `key` (reused: a lookup allocates nothing once the key exists).
void add(std::map<std::string, int64_t>& m, std::string& key, std::string_view k1, std::string_view v1,
         std::string_view k2, std::string_view v2, int64_t n) {
  key.clear();
  append_label(key, k1, v1);
  key += ',';
  append_label(key, k2, v2);
  auto it = m.find(key);
  if (it == m.end()) it = m.emplace(key, 0).first;
  it->second += n;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void Metrics::observe(Histogram& h, double v) {
  if (h.buckets.empty()) h.buckets.assign(kBuckets.size(), 0);
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (v <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += v;
}

void Metrics::finished(const std::string& endpoint, int status, double seconds, double ttfb_seconds,
                       const std::string& model, const int64_t (&tokens)[4]) {
  static constexpr std::string_view kKinds[4] = {"input", "cached_input", "output", "reasoning"};
  char code[16];
  int code_len = std::snprintf(code, sizeof code, "%d", status);
  std::lock_guard<std::mutex> l(mu_);
  add(requests_, key_, "endpoint", endpoint, "code", std::string_view(code, static_cast<size_t>(code_len)), 1);
  key_.clear();
  append_label(key_, "endpoint", endpoint);
  auto it = latency_.find(key_);
  if (it == latency_.end()) it = latency_.emplace(key_, Histogram{}).first;
  observe(it->second, seconds);
  if (ttfb_seconds >= 0) observe(ttfb_, ttfb_seconds);
  for (int i = 0; i < 4; ++i)
    if (tokens[i] > 0) add(tokens_, key_, "model", model, "kind", kKinds[i], tokens[i]);
}

void Metrics::request(const std::string& endpoint, int status) {
  std::lock_guard<std::mutex> l(mu_);
  ++requests_[label("endpoint", endpoint) + "," + label("code", std::to_string(status))];
}
void Metrics::upstream_error(const std::string& upstream, const std::string& kind) {
  std::lock_guard<std::mutex> l(mu_);
  ++upstream_errors_[label("upstream", upstream) + "," + label("kind", kind)];
}
void Metrics::quota_rejection(const std::string& limit) {
  std::lock_guard<std::mutex> l(mu_);
  ++quota_[label("limit", limit)];
}
void Metrics::auth_failure() {
  std::lock_guard<std::mutex> l(mu_);
  ++auth_failures_;
}

std::string Metrics::render(const std::vector<std::pair<std::string, bool>>& health) const {
  std::lock_guard<std::mutex> l(mu_);
  std::ostringstream o;
  auto counter = [&](const char* name, const char* help, const std::map<std::string, int64_t>& m) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
    for (auto& [k, v] : m) o << name << "{" << k << "} " << v << "\n";
  };
  auto hist = [&](const std::string& name, const std::string& labels, const Histogram& h) {
    std::string sep = labels.empty() ? "" : ",";
    for (size_t i = 0; i < kBuckets.size(); ++i)
      o << name << "_bucket{" << labels << sep << "le=\"" << num(kBuckets[i]) << "\"} "
        << (h.buckets.empty() ? 0 : h.buckets[i]) << "\n";
    o << name << "_bucket{" << labels << sep << "le=\"+Inf\"} " << h.count << "\n";
    o << name << "_sum" << (labels.empty() ? "" : "{" + labels + "}") << " " << num(h.sum) << "\n";
    o << name << "_count" << (labels.empty() ? "" : "{" + labels + "}") << " " << h.count << "\n";
  };
  counter("gateway_requests_total", "Requests by endpoint and HTTP status.", requests_);
  counter("gateway_tokens_total", "Tokens metered, by model and kind.", tokens_);
  counter("gateway_upstream_errors_total", "Upstream failures by upstream and kind.", upstream_errors_);
  counter("gateway_quota_rejections_total", "Requests refused with 429 by limit.", quota_);
  o << "# HELP gateway_auth_failures_total Requests refused with 401.\n"
    << "# TYPE gateway_auth_failures_total counter\ngateway_auth_failures_total " << auth_failures_ << "\n";
  o << "# HELP gateway_request_duration_seconds Request latency.\n"
    << "# TYPE gateway_request_duration_seconds histogram\n";
  for (auto& [k, h] : latency_) hist("gateway_request_duration_seconds", k, h);
  o << "# HELP gateway_upstream_ttfb_seconds Upstream time to first byte.\n"
    << "# TYPE gateway_upstream_ttfb_seconds histogram\n";
  hist("gateway_upstream_ttfb_seconds", "", ttfb_);
  o << "# HELP gateway_open_streams Streaming responses in progress.\n# TYPE gateway_open_streams gauge\n"
    << "gateway_open_streams " << open_streams.load() << "\n";
  o << "# HELP gateway_in_flight Requests in progress.\n# TYPE gateway_in_flight gauge\n"
    << "gateway_in_flight " << in_flight.load() << "\n";
  o << "# HELP gateway_upstream_up 1 when the upstream is considered healthy.\n"
    << "# TYPE gateway_upstream_up gauge\n";
  for (auto& [name, up] : health) o << "gateway_upstream_up{" << label("upstream", name) << "} " << (up ? 1 : 0) << "\n";
  return o.str();
}

}  // namespace bastion::gateway
