#include "llm/retrying_client.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>

#include "llm/model_errors.h"

namespace bastion::llm {
namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

std::string status_text(const Error& e) {
  if (e.http_status > 0 && e.http_status != 200) return "HTTP " + std::to_string(e.http_status);
  return error_kind_name(e.kind);
}

bool worth_another_model(const Error& e) {
  return is_transient(e) || e.kind == ErrorKind::kNotFound;
}

}  // namespace

RetryingClient::RetryingClient(std::unique_ptr<ModelClient> inner,
                               std::vector<std::string> fallback_models, RetryPolicy policy)
    : inner_(std::move(inner)), fallbacks_(std::move(fallback_models)), policy_(std::move(policy)) {
  if (!policy_.sleep) {
    policy_.sleep = [](double s) {
      std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long long>(s * 1000)));
    };
  }
  if (!policy_.jitter) {
    policy_.jitter = [] {
      static thread_local std::mt19937 rng{std::random_device{}()};
      return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    };
  }
}

bool RetryingClient::wait_unless_interrupted(double seconds, const StreamSink& sink) const {
  if (!sink.keep_going) {
    policy_.sleep(seconds);
    return true;
  }
  // A Retry-After can be long: wake every 100 ms to see whether the user
  // pressed Esc, so the interrupt doesn't wait out the server's backoff.
  constexpr double kSlice = 0.1;
  for (double left = seconds; left > 0; left -= kSlice) {
    if (!sink.keep_going()) return false;
    policy_.sleep(std::min(kSlice, left));
  }
  return sink.keep_going();
}

double RetryingClient::delay_for(const Error& e, int attempt) const {
  if (!is_transient(e)) return -1;
  if (e.retry_after_seconds >= 0) {
    if (e.retry_after_seconds > policy_.max_retry_after_seconds) return -1;
    // Honour the server, plus a little jitter so clients do not stampede.
    return e.retry_after_seconds + 0.25 * policy_.jitter();
  }
  double d = policy_.base_delay_seconds * std::pow(2.0, std::max(0, attempt - 1));
  d = std::min(d, policy_.max_delay_seconds);
  return d * (0.5 + 0.5 * policy_.jitter());  // "equal jitter": within [d/2, d)
}

Result<ChatResponse> RetryingClient::chat(const ChatRequest& request, const StreamSink& sink) {
  std::vector<std::string> models = {request.model};
  for (auto& m : fallbacks_) {
    if (std::find(models.begin(), models.end(), m) == models.end()) models.push_back(m);
  }
  Error last;
  int total_attempts = 0;
  std::vector<std::string> tried;
  for (size_t mi = 0; mi < models.size(); ++mi) {
    ChatRequest req = request;
    req.model = models[mi];
    tried.push_back(models[mi].empty() ? "(default model)" : models[mi]);
    for (int attempt = 1; attempt <= std::max(1, policy_.max_attempts); ++attempt) {
      ++total_attempts;
      auto r = inner_->chat(req, sink);
      if (r.ok()) return r;
      last = r.error();
      if (sink.keep_going && !sink.keep_going()) return last;  // the user gave up
      double delay = attempt < policy_.max_attempts ? delay_for(last, attempt) : -1;
      if (delay < 0) break;
      if (sink.on_retry) {
        sink.on_retry(status_text(last) + " from " + endpoint() + "; retrying in " +
                      seconds_text(delay) + " (attempt " + std::to_string(attempt + 1) + " of " +
                      std::to_string(policy_.max_attempts) + ")");
      }
      if (!wait_unless_interrupted(delay, sink)) return last;  // Esc during the backoff
    }
    if (!worth_another_model(last)) break;
    if (mi + 1 < models.size() && sink.on_retry) {
      sink.on_retry("model '" + tried.back() + "' keeps failing (" + status_text(last) +
                    "); falling back to '" + models[mi + 1] + "'");
    }
  }
  if (total_attempts <= 1 && tried.size() <= 1) return last;  // nothing retried: as-is
  Error out = last;
  std::string models_tried;
  for (auto& m : tried) models_tried += (models_tried.empty() ? "" : ", ") + m;
  out.message += " [gave up after " + std::to_string(total_attempts) + " attempt" +
                 (total_attempts == 1 ? "" : "s") + " at " + endpoint() + ", last status " +
                 status_text(last) + ", models tried: " + models_tried +
                 "; check the server's health/logs, or set a fallback with --fallback-model]";
  return out;
}

}  // namespace bastion::llm
