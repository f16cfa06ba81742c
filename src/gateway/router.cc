#include "gateway/router.h"

#include <algorithm>
#include <chrono>

namespace bastion::gateway {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool UpstreamState::serves(const std::string& model) const {
  if (config.models.empty()) return true;
  for (auto& m : config.models) {
    if (m == model) return true;
    if (!m.empty() && m.back() == '*' && model.rfind(m.substr(0, m.size() - 1), 0) == 0) return true;
  }
  return false;
}

Router::Router(const std::vector<UpstreamConfig>& upstreams, int cooldown_ms)
    : cooldown_ms_(cooldown_ms), rng_(std::random_device{}()) {
  for (auto& u : upstreams) ups_.push_back(std::make_unique<UpstreamState>(u));
}

Router::Pick Router::acquire(const std::string& model, Protocol protocol, const std::vector<int>& tried) {
  std::vector<int> healthy_c, down_c;
  bool any = false;
  for (int i = 0; i < static_cast<int>(ups_.size()); ++i) {
    UpstreamState& u = *ups_[i];
    if (u.config.protocol != protocol || !u.serves(model)) continue;
    any = true;
    if (std::find(tried.begin(), tried.end(), i) != tried.end()) continue;
    if (u.config.weight == 0) continue;
    (healthy(i) ? healthy_c : down_c).push_back(i);
  }
  Pick pick;
  if (!any) {
    pick.failure = PickFailure::kNoUpstream;
    return pick;
  }
  for (std::vector<int>* group : {&healthy_c, &down_c}) {
    std::vector<int> cands = *group;
    while (!cands.empty()) {
      int64_t total = 0;
      for (int i : cands) total += ups_[i]->config.weight;
      int64_t r;
      {
        std::lock_guard<std::mutex> lock(rng_mu_);
        r = static_cast<int64_t>(rng_() % static_cast<uint64_t>(total));
      }
      size_t k = 0;
      for (; k < cands.size(); ++k) {
        r -= ups_[cands[k]]->config.weight;
        if (r < 0) break;
      }
      int i = cands[k];
      UpstreamState& u = *ups_[i];
      int now = u.in_flight.fetch_add(1) + 1;
      if (u.config.max_concurrency > 0 && now > u.config.max_concurrency) {
        u.in_flight.fetch_sub(1);
        cands.erase(cands.begin() + static_cast<long>(k));
        continue;
      }
      u.requests.fetch_add(1);
      pick.index = i;
      return pick;
    }
  }
  pick.failure = PickFailure::kAllBusy;
  return pick;
}

void Router::release(int index) {
  if (index >= 0 && index < static_cast<int>(ups_.size())) ups_[index]->in_flight.fetch_sub(1);
}

void Router::mark_down(int index) {
  ups_[index]->errors.fetch_add(1);
  ups_[index]->down_until_ms.store(steady_ms() + cooldown_ms_);
}
void Router::mark_up(int index) { ups_[index]->down_until_ms.store(0); }
bool Router::healthy(int index) const {
  int64_t until = ups_[index]->down_until_ms.load();
  return until == 0 || until <= steady_ms();
}

std::vector<std::pair<std::string, std::string>> Router::models() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& u : ups_)
    for (auto& m : u->config.models)
      if (m.empty() || m.back() != '*') out.emplace_back(m, u->config.name);
  return out;
}

bool Router::any_serves(const std::string& model) const {
  for (auto& u : ups_)
    if (u->serves(model)) return true;
  return false;
}

}  // namespace bastion::gateway
