// RetryingClient: a ModelClient wrapper that survives endpoint faults.
//
// 429 and 503 wait for Retry-After (bounded) or an exponential backoff with
// jitter; other 5xx, resets, timeouts and streams that drop mid-reply are
// retried a bounded number of times. Retrying a whole chat() is safe because
// tools run only after a complete reply, so nothing has executed yet. When the
// primary model keeps failing (or is not found), the fallback models are
// tried in order. Errors that retrying cannot fix (bad key, context too long,
// tools rejected, a refused connection) return at once, unchanged in kind, so
// callers can still test them (is_context_overflow). The final error names
// the endpoint, the status, the attempts made and what to do.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "llm/model_client.h"

namespace bastion::llm {

struct RetryPolicy {
  int max_attempts = 4;            // per model, the first try included
  double base_delay_seconds = 1.0; // backoff: base * 2^(attempt-1), jittered
  double max_delay_seconds = 30.0;
  double max_retry_after_seconds = 120.0;  // a longer Retry-After ends retries
  // Injectable for tests; defaults sleep for real and use a random jitter in [0,1).
  std::function<void(double seconds)> sleep;
  std::function<double()> jitter;
};

class RetryingClient : public ModelClient {
 public:
  RetryingClient(std::unique_ptr<ModelClient> inner, std::vector<std::string> fallback_models,
                 RetryPolicy policy = {});

  Result<ChatResponse> chat(const ChatRequest& request, const StreamSink& sink) override;
  Result<std::vector<std::string>> list_models() override { return inner_->list_models(); }
  std::string endpoint() const override { return inner_->endpoint(); }

  // The delay before retry number `attempt` (1-based) after `error`; < 0
  // when the error must not be retried. Exposed for tests.
  double delay_for(const Error& error, int attempt) const;

 private:
  // Sleeps `seconds` (through policy.sleep); false as soon as the sink says
  // the user interrupted.
  bool wait_unless_interrupted(double seconds, const StreamSink& sink) const;

  std::unique_ptr<ModelClient> inner_;
  std::vector<std::string> fallbacks_;
  RetryPolicy policy_;
};

}  // namespace bastion::llm
