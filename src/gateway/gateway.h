// Gateway: the protocol-independent brain of `bastion gateway serve`.
//
// The network layer (server.cc, Boost.Beast) hands it a client request and
// gets back either a ready refusal (401/403/404/429/400 with a JSON error in
// the client's protocol) or an admitted request: the body to send upstream
// (with stream_options.include_usage added and prompts redacted when
// configured), the quota reservation already made, and how to meter the
// reply. After the reply, finish() settles the real usage, writes the audit
// entry, updates metrics and logs one JSON line. admit() and finish() block
// on the database; the server runs them on its worker pool.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>

#include "gateway/config.h"
#include "gateway/gateway_store.h"
#include "gateway/metrics.h"
#include "gateway/router.h"
#include "gateway/usage.h"

namespace bastion::gateway {

struct Refusal {
  int status = 400;
  std::string body;         // JSON
  int retry_after = -1;     // seconds, for 429
};

struct Admitted {
  std::string request_id;
  UserRecord user;
  std::string path;         // "/v1/chat/completions"
  std::string model;
  Protocol protocol = Protocol::kOpenAi;
  bool stream = false;
  bool strip_usage = false; // we added include_usage: hide its chunk
  std::string upstream_body;
  int64_t est_input_tokens = 0;
  int64_t started_ms = 0;   // steady clock
  // The reservation as written (the settlement carries it back).
  int64_t reserved_at = 0;  // epoch seconds
  int64_t est_tokens = 0;
  double est_usd = 0;
};

// How the upstream exchange ended, as seen by the server.
struct Outcome {
  std::string upstream;     // name, "" if none was reached
  std::string kind = "ok";  // ok | error | upstream_error | client_abort | no_upstream
  int http_status = 0;
  Usage usage;
  int64_t streamed_bytes = 0;
  int64_t text_bytes = -1;    // generated text seen in a stream (-1: not a stream)
  int64_t ttfb_ms = -1;
  std::string response_body;  // for the audit when audit_bodies (capped)
};

class Gateway {
 public:
  Gateway(GatewayConfig config, std::unique_ptr<GatewayStore> store);
  ~Gateway();  // writes queued settlements first

  // Authenticates, validates and reserves quota. `api_key` comes from
  // "Authorization: Bearer" or "x-api-key".
  std::variant<Admitted, Refusal> admit(const std::string& path, const std::string& api_key,
                                        const std::string& body);
  // admit() without blocking, for the io thread, when the key's user is in
  // the auth cache and the store writes through a committer (SQLite):
  // cached_user() gives the user (nullopt: use admit() on a worker), then
  // admit_async() parses the body, queues the reservation and returns;
  // `done` runs on the committer thread after the reservation (or the
  // refusal's audit entry) is committed, or at once for refusals that
  // are not audited.
  std::optional<UserRecord> cached_user(const std::string& api_key);
  void admit_async(const std::string& path, UserRecord user, const std::string& body,
                   std::function<void(std::variant<Admitted, Refusal>)> done);
  // Settles the request and logs its line. When the database is
  // unreachable the settlement is kept in memory and retried
  // (retry_unsettled), so an outage loses no metering and settle's
  // idempotence means nothing is counted twice. With SQLite it does not
  // block: the settlement is queued for the store's group commit (written
  // within about one commit's time; store().flush() waits for it) and the
  // line is logged after that commit. With PostgreSQL it blocks on the
  // database (run it off the io threads).
  void finish(const Admitted& a, const Outcome& o);
  // Retries queued settlements; returns how many are still queued.
  size_t retry_unsettled();
  size_t unsettled() const;

  // GET /v1/models for this key (401 as a Refusal).
  std::variant<std::string, Refusal> models(const std::string& api_key);

  // A JSON error body in the style of the protocol.
  static std::string error_body(Protocol p, const std::string& type, const std::string& message,
                                const Json& extra = Json::object());
  static Protocol protocol_for_path(const std::string& path);

  void log(Json line);
  const GatewayConfig& config() const { return config_; }
  Router& router() { return router_; }
  Metrics& metrics() { return metrics_; }
  GatewayStore& store() { return *store_; }

 private:
  void write_log(const std::string& text);
  // SQLite: a settlement's line waits for the end of its group commit's
  // callbacks (flush_log, the store's after-batch hook), so the lines of
  // one commit leave in one write instead of a write(2) each.
  void queue_log(const std::string& text);
  void flush_log();
  struct Prepared {
    Admitted a;
    ReserveRequest rq;
  };
  // admit() after authentication and before the reservation; sets *audit
  // for a refusal that must be audited.
  std::variant<Prepared, Refusal> prepare(const std::string& path, UserRecord user, const std::string& body,
                                          Json* audit);
  // admit() after the reservation.
  std::variant<Admitted, Refusal> reserved(Prepared& pr, const Result<std::optional<QuotaDenial>>& res, Json* audit);
  static Json refusal_entry(const char* why, int status, const UserRecord& user, const std::string& model,
                            const std::string& path);
  std::variant<UserRecord, Refusal> authenticate(const std::string& key, Protocol p);
  bool model_allowed(const UserRecord& u, const std::string& model) const;
  Limits team_limits(const std::string& team) const;

  GatewayConfig config_;
  std::unique_ptr<GatewayStore> store_;
  Router router_;
  Metrics metrics_;
  std::mutex log_mu_;
  std::string log_pending_;  // guarded by log_mu_
  mutable std::mutex unsettled_mu_;
  std::deque<Settlement> unsettled_;
  std::mutex cache_mu_;
  struct CacheEntry {
    std::optional<UserRecord> user;
    int64_t expires_ms;
  };
  std::unordered_map<std::string, CacheEntry> auth_cache_;
};

}  // namespace bastion::gateway
