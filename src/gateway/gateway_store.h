// GatewayStore: users and keys, quota reservations, metering and the audit
// chain, in one SQL database shared by every gateway process.
//
// Quotas are enforced with counters per (user|team, window): the UTC day and
// month, and the current minute for RPM/TPM. reserve() runs in one
// serialised transaction: it checks the counters and, if the request is
// admitted, adds an upper-bound estimate (prompt size + max_tokens) to them
// and writes a 'pending' request row. settle() later replaces the estimate
// with the upstream's real usage, exactly once per request id. A request is
// admitted while a counter is below its limit, so concurrent requests, in
// this process or another, overspend a quota by at most one request's
// estimate. See docs/GATEWAY.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <condition_variable>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "gateway/config.h"
#include "gateway/group_commit.h"
#include "gateway/sql_conn.h"
#include "gateway/usage.h"

namespace bastion::gateway {

struct UserRecord {
  std::string name;
  std::string team;
  Limits limits;                     // 0 = unlimited
  std::vector<std::string> models;   // empty = every allowed model
  bool disabled = false;
  int64_t created_at = 0;
};

struct ReserveRequest {
  std::string request_id;
  UserRecord user;
  Limits team_limits;
  std::string model;
  std::string endpoint;
  int64_t est_tokens = 0;
  double est_usd = 0;
  bool stream = false;
  int64_t now = 0;  // epoch seconds
};

// Why a request was refused: which limit, whose, and when it resets.
struct QuotaDenial {
  std::string scope;   // "user" or "team"
  std::string limit;   // "daily_tokens" | "monthly_usd" | "rpm" | "tpm"
  double limit_value = 0;
  double used = 0;
  int64_t resets_at = 0;  // epoch seconds
};

struct Settlement {
  std::string request_id;
  std::string upstream;
  std::string outcome;  // "ok" | "error" | "upstream_error" | "client_abort"
  int http_status = 0;
  Usage usage;
  double cost = 0;
  int64_t latency_ms = 0;
  std::string request_body;   // audited only when audit_bodies is on
  std::string response_body;
  // What the reservation wrote, when the caller still has it (the gateway
  // does): SQLite's settle() then updates the row without reading it back
  // first. reserved_at 0: read it from the row.
  int64_t reserved_at = 0;  // ReserveRequest::now
  std::string user, team, model, endpoint;
  int64_t est_tokens = 0;
  double est_usd = 0;
  bool stream = false;
};

struct UsageRow {
  std::string key;  // user, team, model or day
  int64_t input_tokens = 0, cached_tokens = 0, output_tokens = 0, reasoning_tokens = 0;
  double cost = 0;
  int64_t requests = 0;
};

struct AuditCheck {
  int64_t entries = 0;
  bool ok = true;
  int64_t first_bad_seq = 0;
  std::string problem;
};

// Window keys for counters.
std::string day_window(int64_t epoch);
std::string month_window(int64_t epoch);
std::string minute_window(int64_t epoch);
int64_t next_day(int64_t epoch);
int64_t next_month(int64_t epoch);

class GatewayStore {
 public:
  // Opens `url` (sqlite:// or postgresql://) with up to `pool_size`
  // connections and creates the schema if missing.
  static Result<std::unique_ptr<GatewayStore>> open(const std::string& url, int pool_size);
  ~GatewayStore();

  // Users and keys. add_user/rotate_key return the new plaintext key, which
  // is never stored.
  Result<std::string> add_user(const UserRecord& user);
  Result<std::vector<UserRecord>> list_users();
  Status set_disabled(const std::string& name, bool disabled);
  Result<std::string> rotate_key(const std::string& name);
  Result<std::optional<UserRecord>> find_by_key(const std::string& plaintext_key);

  // Quotas and metering. reserve() returns a denial or nullopt (admitted).
  Result<std::optional<QuotaDenial>> reserve(const ReserveRequest& req);
  // reserve() and audit_event() without waiting: SQLite queues them for the
  // committer and calls `done` on its thread after the commit (keep it
  // cheap; it may queue further writes); PostgreSQL runs them now.
  void reserve_async(const ReserveRequest& req,
                     std::function<void(const Result<std::optional<QuotaDenial>>&)> done);
  void audit_event_async(const Json& entry, std::function<void(const Status&)> done);
  // Idempotent: a second settle of the same id changes nothing.
  Status settle(const Settlement& s, bool audit_bodies);
  // settle() without waiting. SQLite: queued for the group commit as a
  // deferred write (committed with the next reservation, or within 5 ms),
  // and `done(result)` runs on the committer thread once it is committed
  // (keep it cheap). PostgreSQL: settles now, then calls `done`.
  void settle_async(std::shared_ptr<const Settlement> s, bool audit_bodies,
                    std::function<void(const Status&)> done);
  // True when settle_async() returns before the database work (SQLite).
  bool settles_async() const { return group_ != nullptr; }
  // SQLite: reserve_async() and audit_event_async() stop handing their
  // writes to the committer thread: they queue them and `post` a task
  // (once per round of writes) that commits them on the thread that runs
  // it (GroupCommit::commit_here), normally an event loop that posted the
  // writes, so their `done` runs there too. PostgreSQL: no-op.
  using Post = std::function<void(std::function<void()>)>;
  void commit_on(Post post);
  // Waits until every queued settlement has been written (or has failed
  // and been reported to its `done`).
  void flush();
  // SQLite: `hook` runs after the `done` callbacks of each group commit,
  // on their thread (GroupCommit::after_batch). PostgreSQL: never runs.
  void after_batch(std::function<void()> hook);
  // Marks pending reservations older than `age_seconds` abandoned (their
  // estimates stay charged). Returns how many.
  Result<int64_t> sweep_stale(int64_t now, int64_t age_seconds);

  // Appends an audit entry that is not tied to a metered request (refusals).
  Status audit_event(const Json& entry);
  Result<AuditCheck> verify_audit();

  // by: "user" | "team" | "model" | "day" | "upstream".
  Result<std::vector<UsageRow>> usage(const std::string& by);

  // SQLite: request transactions stop checkpointing the WAL themselves (a
  // checkpoint fsyncs for milliseconds on the committing thread, which was
  // the gateway's p99) and a thread of the store checkpoints every
  // `interval_ms` instead, until the store is destroyed. Durability is
  // unchanged: a commit is in the WAL either way. PostgreSQL: no-op.
  // Once the WAL holds `restart_frames` frames (4 KiB each) a checkpoint
  // also makes it start over (see SqlConn::checkpoint), so under steady
  // load it stays near that size instead of growing without end.
  Status checkpoint_in_background(int interval_ms, int restart_frames = kWalRestartFrames);
  // Rare: each time, this process's writers wait for two fsyncs (4-160 ms
  // on the loaded bench box), and with 64 MiB the bench's p99 doubled.
  static constexpr int kWalRestartFrames = 262144;  // 1 GiB
  // Background checkpoints that succeeded (for tests).
  int64_t background_checkpoints() const;

 private:
  // Borrows a pooled connection for the lifetime of the object.
  class Lease {
   public:
    explicit Lease(GatewayStore& s) : s_(s), r_(s.acquire()) {}
    ~Lease() {
      if (r_.ok()) s_.release(std::move(r_.value()));
    }
    bool ok() const { return r_.ok(); }
    const Error& error() const { return r_.error(); }
    SqlConn& operator*() { return *r_.value(); }

   private:
    GatewayStore& s_;
    Result<std::unique_ptr<SqlConn>> r_;
  };
  explicit GatewayStore(std::string url, int pool_size) : url_(std::move(url)), pool_size_(pool_size) {}
  Result<std::unique_ptr<SqlConn>> acquire();
  void release(std::unique_ptr<SqlConn> c);
  // Runs f(conn) on a pooled connection; if it fails because that
  // connection broke (the database restarted since it was opened), runs it
  // once more on a fresh one. Safe for the transactions below: a failed
  // transaction committed nothing, and settle() is idempotent.
  template <class F>
  auto with_conn(F f) -> decltype(f(std::declval<SqlConn&>())) {
    for (int attempt = 0;; ++attempt) {
      Lease lease(*this);
      if (!lease.ok()) return lease.error();
      auto r = f(*lease);
      if (r.ok() || attempt > 0 || (*lease).healthy()) return r;
    }
  }
  Result<std::optional<UserRecord>> find_by_key_on(SqlConn& c, const std::string& key_hash);
  // The writes of reserve() and settle(), inside a transaction the caller
  // opened (its own, or a GroupCommit batch).
  Result<std::optional<QuotaDenial>> reserve_in_tx(SqlConn& c, const ReserveRequest& req);
  Status settle_in_tx(SqlConn& c, const Settlement& s, bool audit_bodies);
  Status append_audit(SqlConn& c, const std::string& entry_json);
  void forget_audit_head();

  std::string url_;
  int pool_size_;
  int open_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<SqlConn>> idle_;
  bool manual_checkpoints_ = false;  // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  std::condition_variable stop_cv_;
  std::atomic<int64_t> checkpoints_{0};
  std::thread checkpointer_;
  // SQLite: reservations and settlements of concurrent requests share
  // commits (see group_commit.h). PostgreSQL: null, one transaction each,
  // so several gateway processes interleave at row and advisory locks.
  std::unique_ptr<GroupCommit> group_;
  Post post_;                                // commit_on(); set before serving
  // A round with more reservations than this goes to the committer thread
  // (larger batches, beside the event loop): the io thread commits only
  // at low load, where the hand-offs were most of the commit's latency.
  static constexpr size_t kMaxHeldHere = 1;
  std::atomic<bool> commit_posted_{false};  // a commit_here task is queued
  // Queues `write` for the committer, or for a commit_here task (commit_on).
  void submit_write(GroupCommit::Write write, GroupCommit::Done done);
  // SQLite: the audit chain's last (seq, hash) as this process wrote it,
  // so an append need not read it back. Valid while the connection that
  // wrote it sees the same PRAGMA data_version (no other connection, in
  // this process or another, has committed since) and every write of the
  // batches since then committed (GroupCommit's after-batch hook).
  struct AuditHead {
    const SqlConn* conn = nullptr;
    int64_t data_version = -1;
    int64_t seq = 0;
    std::string hash;
    int64_t transaction = 0;  // SqlConn::transaction_id() when written
  };
  std::mutex audit_mu_;
  std::optional<AuditHead> audit_head_;
};

}  // namespace bastion::gateway
