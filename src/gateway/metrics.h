// Prometheus metrics for the gateway: request counts, tokens, latency
// histograms, upstream errors, quota rejections and open streams, rendered
// in the text exposition format at /metrics. Thread-safe; one mutex guards
// the maps (updates are a few per request, far off the byte path).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace bastion::gateway {

class Metrics {
 public:
  // A request refused before it went upstream (no latency or tokens).
  void request(const std::string& endpoint, int status);
  void upstream_error(const std::string& upstream, const std::string& kind);
  void quota_rejection(const std::string& limit);
  void auth_failure();
  // A finished request, under one lock: its count by endpoint and status,
  // its total latency and upstream time-to-first-byte (when ttfb_seconds
  // >= 0) in seconds, and its input (uncached), cached_input, output and
  // reasoning tokens (counts of 0 are not recorded).
  void finished(const std::string& endpoint, int status, double seconds, double ttfb_seconds,
                const std::string& model, const int64_t (&tokens)[4]);

  std::atomic<int64_t> open_streams{0};
  std::atomic<int64_t> in_flight{0};

  std::string render(const std::vector<std::pair<std::string, bool>>& upstream_health) const;

 private:
  struct Histogram {
    std::vector<int64_t> buckets;
    int64_t count = 0;
    double sum = 0;
  };
  void observe(Histogram& h, double v);

  mutable std::mutex mu_;
  std::string key_;  // guarded by mu_: finished() builds its keys here
  std::map<std::string, int64_t> requests_;       // labels -> count
  std::map<std::string, int64_t> tokens_;
  std::map<std::string, Histogram> latency_;
  Histogram ttfb_;
  std::map<std::string, int64_t> upstream_errors_;
  std::map<std::string, int64_t> quota_;
  int64_t auth_failures_ = 0;
};

}  // namespace bastion::gateway
