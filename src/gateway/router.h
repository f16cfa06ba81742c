// Router: picks the upstream for a request by model name, with weighted
// random balancing, passive and active health, and per-upstream
// concurrency limits. Thread-safe; all state is atomics per upstream.
//
// Unhealthy upstreams (a connect error or 5xx marks one down for a
// cooldown; the active checker marks them up again) are skipped while a
// healthy one serves the model, and tried last otherwise, so a transient
// blip never turns into a total outage.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/config.h"

namespace bastion::gateway {

struct UpstreamState {
  explicit UpstreamState(UpstreamConfig c) : config(std::move(c)) {}
  UpstreamConfig config;
  std::atomic<int> in_flight{0};
  std::atomic<int64_t> down_until_ms{0};  // steady-clock ms; 0 = healthy
  std::atomic<int64_t> errors{0};
  std::atomic<int64_t> requests{0};
  bool serves(const std::string& model) const;
};

enum class PickFailure { kNoUpstream, kAllBusy };

class Router {
 public:
  explicit Router(const std::vector<UpstreamConfig>& upstreams, int cooldown_ms = 5000);

  // Chooses an upstream for `model` speaking `protocol`, skipping the
  // indices in `tried`, and takes a concurrency slot on it (release()
  // gives it back). Fails with kNoUpstream when none serves the model,
  // kAllBusy when every candidate is at max_concurrency.
  struct Pick {
    int index = -1;
    std::optional<PickFailure> failure;
  };
  Pick acquire(const std::string& model, Protocol protocol, const std::vector<int>& tried);
  void release(int index);

  void mark_down(int index);
  void mark_up(int index);
  bool healthy(int index) const;

  // Every model some upstream serves explicitly (for /v1/models).
  std::vector<std::pair<std::string, std::string>> models() const;  // (model, upstream)
  bool any_serves(const std::string& model) const;

  size_t size() const { return ups_.size(); }
  UpstreamState& at(int i) { return *ups_[i]; }

 private:
  std::vector<std::unique_ptr<UpstreamState>> ups_;
  int cooldown_ms_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

int64_t steady_ms();

}  // namespace bastion::gateway
