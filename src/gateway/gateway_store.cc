#include "gateway/gateway_store.h"

#include <ctime>

#include "gateway/crypto.h"
#include "gateway/quota_rows.h"
#include "gateway/schema_sqlite.h"
#include "gateway/json_line.h"
#include "util/strings.h"

namespace bastion::gateway {

namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS gw_users (
  name TEXT PRIMARY KEY, team TEXT NOT NULL DEFAULT '', key_hash TEXT NOT NULL UNIQUE,
  daily_tokens BIGINT NOT NULL DEFAULT 0, monthly_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
  rpm BIGINT NOT NULL DEFAULT 0, tpm BIGINT NOT NULL DEFAULT 0, models TEXT NOT NULL DEFAULT '',
  disabled INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL DEFAULT 0);
-- Quota counters: one row per user and per team, holding its current
-- windows (UTC day number, month number = year*12 + month, minute number)
-- and what they have used. A write for a newer window starts it afresh.
CREATE TABLE IF NOT EXISTS gw_quota (
  scope TEXT NOT NULL, name TEXT NOT NULL,
  day BIGINT NOT NULL DEFAULT 0, day_tokens BIGINT NOT NULL DEFAULT 0,
  month BIGINT NOT NULL DEFAULT 0, month_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
  minute BIGINT NOT NULL DEFAULT 0, minute_tokens BIGINT NOT NULL DEFAULT 0,
  minute_requests BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (scope, name));
-- The counters before gw_quota (a row per scope, name and window): read
-- once, when gw_quota is still empty, to carry the current windows over.
CREATE TABLE IF NOT EXISTS gw_counters (
  scope TEXT NOT NULL, name TEXT NOT NULL, win TEXT NOT NULL,
  tokens BIGINT NOT NULL DEFAULT 0, usd DOUBLE PRECISION NOT NULL DEFAULT 0,
  requests BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (scope, name, win));
CREATE TABLE IF NOT EXISTS gw_requests (
  id TEXT PRIMARY KEY, ts BIGINT NOT NULL, day TEXT NOT NULL, user_name TEXT NOT NULL,
  team TEXT NOT NULL, model TEXT NOT NULL, endpoint TEXT NOT NULL, upstream TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL, http_status INTEGER NOT NULL DEFAULT 0,
  input_tokens BIGINT NOT NULL DEFAULT 0, cached_tokens BIGINT NOT NULL DEFAULT 0,
  output_tokens BIGINT NOT NULL DEFAULT 0, reasoning_tokens BIGINT NOT NULL DEFAULT 0,
  cost DOUBLE PRECISION NOT NULL DEFAULT 0, est_tokens BIGINT NOT NULL DEFAULT 0,
  est_usd DOUBLE PRECISION NOT NULL DEFAULT 0, latency_ms BIGINT NOT NULL DEFAULT 0,
  stream INTEGER NOT NULL DEFAULT 0, usage_reported INTEGER NOT NULL DEFAULT 0);
-- Only pending rows are indexed (for sweep_stale): settling a request then
-- removes one small index entry instead of moving it in a (status, ts) index.
CREATE INDEX IF NOT EXISTS gw_requests_pending ON gw_requests (ts) WHERE status = 'pending';
DROP INDEX IF EXISTS gw_requests_status;
CREATE TABLE IF NOT EXISTS gw_audit (
  seq BIGINT PRIMARY KEY, ts BIGINT NOT NULL, entry TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
)sql";

struct Tx {
  SqlConn& c;
  bool done = false;
  ~Tx() {
    if (!done) c.rollback();
  }
  Status commit() {
    done = true;
    return c.commit();
  }
};

}  // namespace

Result<std::unique_ptr<GatewayStore>> GatewayStore::open(const std::string& url, int pool_size) {
  std::unique_ptr<GatewayStore> s(new GatewayStore(url, pool_size < 1 ? 1 : pool_size));
  auto c = s->acquire();
  if (!c) return c.error();
  SqlConn& conn = **c;
  Status st = conn.begin();
  if (st) {
    Tx tx{conn};
    st = conn.lock("gw:schema");
    // On SQLite the two per-request tables come first, in their own form;
    // kSchema's CREATE TABLE IF NOT EXISTS then leaves them alone.
    if (st && conn.dialect() == Dialect::kSqlite) st = sqlite_single_btree_tables(conn);
    if (st) st = conn.exec_script(kSchema);
    if (st) st = carry_counters_over(conn, static_cast<int64_t>(std::time(nullptr)));
    if (st) st = tx.commit();
  }
  s->release(std::move(*c));
  if (!st) return st.error();
  if (url.rfind("sqlite://", 0) == 0) {
    GatewayStore* raw = s.get();
    // The committer has its own connection, outside the pool (it keeps it
    // for good: taking it from the pool would starve a pool of one).
    s->group_ = std::make_unique<GroupCommit>(
        [raw]() -> Result<std::unique_ptr<SqlConn>> {
          auto c = open_sql(raw->url_);
          if (!c) return c.error();
          bool manual;
          {
            std::lock_guard<std::mutex> lock(raw->mu_);
            manual = raw->manual_checkpoints_;
          }
          if (manual)
            if (auto st = (*c)->disable_auto_checkpoint(); !st) return st.error();
          return c;
        },
        [](std::unique_ptr<SqlConn>) {}, [raw] { raw->forget_audit_head(); });
  }
  return s;
}

GatewayStore::~GatewayStore() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

Status GatewayStore::checkpoint_in_background(int interval_ms, int restart_frames) {
  if (url_.rfind("sqlite://", 0) != 0) return ok_status();
  auto own = open_sql(url_);  // the checkpointer's own connection, outside the pool
  if (!own) return own.error();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (manual_checkpoints_) return ok_status();
    for (auto& c : idle_)
      if (auto s = c->disable_auto_checkpoint(); !s) return s;
    manual_checkpoints_ = true;
  }
  // The committer's connection, if it is open already, stops too.
  if (group_)
    if (auto s = group_->run([](SqlConn& c) { return c.disable_auto_checkpoint(); }); !s) return s;
  checkpointer_ = std::thread([this, interval_ms, restart_frames, conn = std::shared_ptr<SqlConn>(std::move(*own))] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(interval_ms), [&] { return stopping_; })) {
      lock.unlock();
      if (conn->checkpoint(restart_frames)) ++checkpoints_;  // a failure is retried at the next tick
      lock.lock();
    }
  });
  return ok_status();
}

int64_t GatewayStore::background_checkpoints() const { return checkpoints_.load(); }

Result<std::unique_ptr<SqlConn>> GatewayStore::acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < pool_size_; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      if (c->healthy()) return c;
      --open_;  // dropped; reopen below
    }
    ++open_;
  }
  auto c = open_sql(url_);
  bool manual;
  {
    std::lock_guard<std::mutex> lock(mu_);
    manual = manual_checkpoints_;
  }
  if (c && manual)
    if (auto s = (*c)->disable_auto_checkpoint(); !s) c = s.error();
  if (!c) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    cv_.notify_one();
  }
  return c;
}

void GatewayStore::release(std::unique_ptr<SqlConn> c) {
  std::lock_guard<std::mutex> lock(mu_);
  if (c && c->healthy()) idle_.push_back(std::move(c));
  else --open_;
  cv_.notify_one();
}

Result<std::optional<QuotaDenial>> GatewayStore::reserve(const ReserveRequest& q) {
  if (group_) {
    std::optional<QuotaDenial> denial;
    Status s = group_->run([&](SqlConn& c) -> Status {
      auto r = reserve_in_tx(c, q);
      if (!r) return r.error();
      denial = *r;
      return ok_status();
    });
    if (!s) return s.error();
    return denial;
  }
  return with_conn([&](SqlConn& c) -> Result<std::optional<QuotaDenial>> {
    if (auto s = c.begin(); !s) return s.error();
    Tx tx{c};
    auto r = reserve_in_tx(c, q);
    if (!r) return r.error();
    if (auto s = tx.commit(); !s) return s.error();
    return r;
  });
}

Result<std::optional<QuotaDenial>> GatewayStore::reserve_in_tx(SqlConn& c, const ReserveRequest& q) {
  const std::string& team = q.user.team;
  if (auto s = c.lock("gw:u:" + q.user.name); !s) return s.error();
  if (!team.empty())
    if (auto s = c.lock("gw:t:" + team); !s) return s.error();
  Windows w = windows_at(q.now);
  auto check = [&](const std::string& scope, const std::string& name,
                   const Limits& lim) -> Result<std::optional<QuotaDenial>> {
    auto rows = c.query("SELECT day, day_tokens, month, month_usd, minute, minute_tokens, minute_requests "
                        "FROM gw_quota WHERE scope=$1 AND name=$2",
                        {scope, name});
    if (!rows) return rows.error();
    int64_t day_tokens = 0, min_tokens = 0, min_requests = 0;
    double month_usd = 0;
    if (!rows->empty()) {
      // A window the row has not reached yet is empty; one it is already
      // past (another process's clock is ahead) is the one charged below.
      const SqlRow& r = rows->front();
      if (row_int(r, 0) >= w.day) day_tokens = row_int(r, 1);
      if (row_int(r, 2) >= w.month) month_usd = row_real(r, 3);
      if (row_int(r, 4) >= w.minute) {
        min_tokens = row_int(r, 5);
        min_requests = row_int(r, 6);
      }
    }
    int64_t next_minute = (q.now / 60 + 1) * 60;
    auto deny = [&](const char* limit, double value, double used, int64_t reset) {
      return std::optional<QuotaDenial>(QuotaDenial{scope, limit, value, used, reset});
    };
    if (lim.daily_tokens > 0 && day_tokens >= lim.daily_tokens)
      return deny("daily_tokens", double(lim.daily_tokens), double(day_tokens), next_day(q.now));
    if (lim.monthly_usd > 0 && month_usd >= lim.monthly_usd)
      return deny("monthly_usd", lim.monthly_usd, month_usd, next_month(q.now));
    if (lim.rpm > 0 && min_requests >= lim.rpm)
      return deny("rpm", double(lim.rpm), double(min_requests), next_minute);
    if (lim.tpm > 0 && min_tokens >= lim.tpm)
      return deny("tpm", double(lim.tpm), double(min_tokens), next_minute);
    return std::optional<QuotaDenial>();
  };
  auto ud = check("user", q.user.name, q.user.limits);
  if (!ud) return ud.error();
  if (*ud) return *ud;
  if (!team.empty()) {
    auto td = check("team", team, q.team_limits);
    if (!td) return td.error();
    if (*td) return *td;
  }
  if (auto s = charge_quota(c, q.user.name, team, w, q.est_tokens, q.est_usd); !s) return s.error();
  auto ins = c.query(
      "INSERT INTO gw_requests (id, ts, day, user_name, team, model, endpoint, status, est_tokens, "
      "est_usd, stream) VALUES ($1,$2,$3,$4,$5,$6,$7,'pending',$8,$9,$10)",
      {q.request_id, sql_int(q.now), day_window(q.now).substr(2), q.user.name, team, q.model, q.endpoint,
       sql_int(q.est_tokens), sql_real(q.est_usd), sql_int(q.stream ? 1 : 0)});
  if (!ins) return ins.error();
  return std::optional<QuotaDenial>();
}

Status GatewayStore::settle(const Settlement& s, bool audit_bodies) {
  if (group_) return group_->run([&](SqlConn& c) { return settle_in_tx(c, s, audit_bodies); });
  return with_conn([&](SqlConn& c) -> Status {
    if (auto st = c.begin(); !st) return st;
    Tx tx{c};
    if (auto st = settle_in_tx(c, s, audit_bodies); !st) return st;
    return tx.commit();
  });
}

void GatewayStore::settle_async(std::shared_ptr<const Settlement> s, bool audit_bodies,
                                std::function<void(const Status&)> done) {
  if (!group_) {
    done(settle(*s, audit_bodies));
    return;
  }
  // Nobody waits for it: it rides along with the next reservation's commit.
  group_->submit_deferred(
      [this, s = std::move(s), audit_bodies](SqlConn& c) { return settle_in_tx(c, *s, audit_bodies); },
      std::move(done));
}

void GatewayStore::reserve_async(const ReserveRequest& q,
                                 std::function<void(const Result<std::optional<QuotaDenial>>&)> done) {
  if (!group_) {
    done(reserve(q));
    return;
  }
  auto denial = std::make_shared<std::optional<QuotaDenial>>();
  submit_write(
      [this, q, denial](SqlConn& c) -> Status {
        auto r = reserve_in_tx(c, q);
        if (!r) return r.error();
        *denial = *r;
        return ok_status();
      },
      [denial, done = std::move(done)](const Status& s) {
        if (!s) return done(s.error());
        done(*denial);
      });
}

void GatewayStore::audit_event_async(const Json& entry, std::function<void(const Status&)> done) {
  if (!group_) {
    done(audit_event(entry));
    return;
  }
  submit_write([this, text = dump_json(entry)](SqlConn& c) { return append_audit(c, text); }, std::move(done));
}

void GatewayStore::commit_on(Post post) {
  if (!group_) return;
  post_ = std::move(post);
  commit_posted_ = false;
  if (!post_) group_->commit_here();  // writes whose task will not run now
}

void GatewayStore::submit_write(GroupCommit::Write write, GroupCommit::Done done) {
  if (!post_) return group_->submit(std::move(write), std::move(done));
  group_->submit_held(std::move(write), std::move(done));
  // One task per round: the writes queued before it runs share its commit.
  if (!commit_posted_.exchange(true))
    post_([this] {
      commit_posted_ = false;
      group_->commit_here(kMaxHeldHere);
    });
}

void GatewayStore::flush() {
  if (group_) group_->flush();
}

void GatewayStore::after_batch(std::function<void()> hook) {
  if (group_) group_->after_batch(std::move(hook));
}

Status GatewayStore::settle_in_tx(SqlConn& c, const Settlement& s, bool audit_bodies) {
  // Only a pending row is settled, so a second settle of the same id finds
  // nothing to update: never counted twice. PostgreSQL: one round trip
  // (UPDATE ... RETURNING). SQLite: the UPDATE alone when the settlement
  // carries the reservation's values (its changed-row count says whether
  // it was still pending), else a SELECT then the UPDATE, both by primary
  // key; its RETURNING goes through a temporary table and took twice as
  // long.
  std::vector<SqlParam> set{s.request_id, s.upstream, s.outcome, sql_int(s.http_status),
                            sql_int(s.usage.input_tokens), sql_int(s.usage.cached_tokens),
                            sql_int(s.usage.output_tokens), sql_int(s.usage.reasoning_tokens), sql_real(s.cost),
                            sql_int(s.latency_ms), sql_int(s.usage.reported ? 1 : 0)};
  static const std::string kSet =
      "UPDATE gw_requests SET upstream=$2, status=$3, http_status=$4, input_tokens=$5, "
      "cached_tokens=$6, output_tokens=$7, reasoning_tokens=$8, cost=$9, latency_ms=$10, "
      "usage_reported=$11 WHERE id=$1 AND status='pending'";
  static const std::string kCols = "ts, user_name, team, est_tokens, est_usd, model, endpoint, stream";
  static const std::string kReturning = kSet + " RETURNING " + kCols;
  static const std::string kSelect = "SELECT " + kCols + " FROM gw_requests WHERE id=$1 AND status='pending'";
  // The reservation's row: carried by the settlement, or read back.
  int64_t ts = 0, est_tokens = 0;
  double est_usd = 0;
  std::string user, team, model, endpoint;
  bool stream = false;
  if (c.dialect() == Dialect::kSqlite && s.reserved_at > 0) {
    if (auto up = c.query(kSet, set); !up) return up.error();
    if (c.changes() == 0) return ok_status();  // unknown or already settled
    ts = s.reserved_at;
    user = s.user;
    team = s.team;
    est_tokens = s.est_tokens;
    est_usd = s.est_usd;
    model = s.model;
    endpoint = s.endpoint;
    stream = s.stream;
  } else {
    Result<std::vector<SqlRow>> rows = std::vector<SqlRow>{};
    if (c.dialect() == Dialect::kPostgres) {
      rows = c.query(kReturning, set);
    } else {
      rows = c.query(kSelect, {s.request_id});
      if (rows && !rows->empty())
        if (auto up = c.query(kSet, set); !up) return up.error();
    }
    if (!rows) return rows.error();
    if (rows->empty()) return ok_status();  // unknown or already settled
    const SqlRow& r = rows->front();
    ts = row_int(r, 0);
    user = row_text(r, 1);
    team = row_text(r, 2);
    est_tokens = row_int(r, 3);
    est_usd = row_real(r, 4);
    model = row_text(r, 5);
    endpoint = row_text(r, 6);
    stream = row_int(r, 7) != 0;
  }
  int64_t dtok = s.usage.total() - est_tokens;
  double dusd = s.cost - est_usd;
  if (auto st = correct_quota(c, user, team, windows_at(ts), dtok, dusd); !st) return st;
  JsonLine entry;
  entry.str("event", "request");
  entry.str("request_id", s.request_id);
  entry.str("user", user);
  entry.str("team", team);
  entry.str("model", model);
  entry.str("endpoint", endpoint);
  entry.str("upstream", s.upstream);
  entry.str("outcome", s.outcome);
  entry.num("http_status", s.http_status);
  entry.boolean("stream", stream);
  entry.num("input_tokens", s.usage.input_tokens);
  entry.num("cached_tokens", s.usage.cached_tokens);
  entry.num("output_tokens", s.usage.output_tokens);
  entry.num("reasoning_tokens", s.usage.reasoning_tokens);
  entry.real("cost", s.cost);
  entry.num("latency_ms", s.latency_ms);
  if (audit_bodies) {
    entry.str("request_body", s.request_body);
    entry.str("response_body", s.response_body);
  }
  return append_audit(c, entry.close());
}

Result<int64_t> GatewayStore::sweep_stale(int64_t now, int64_t age_seconds) {
  Lease lease(*this);
  if (!lease.ok()) return lease.error();
  auto r = (*lease).query("UPDATE gw_requests SET status='abandoned' WHERE status='pending' AND ts < $1 "
                          "RETURNING id",
                          {sql_int(now - age_seconds)});
  if (!r) return r.error();
  return static_cast<int64_t>(r->size());
}

Result<std::vector<UsageRow>> GatewayStore::usage(const std::string& by) {
  std::string col;
  if (by == "user") col = "user_name";
  else if (by == "team") col = "team";
  else if (by == "model") col = "model";
  else if (by == "day") col = "day";
  else if (by == "upstream") col = "upstream";
  else return Error(ErrorKind::kBadInput, "--by must be user, team, model, day or upstream");
  Lease lease(*this);
  if (!lease.ok()) return lease.error();
  auto rows = (*lease).query("SELECT " + col + ", SUM(input_tokens), SUM(cached_tokens), SUM(output_tokens), "
                             "SUM(reasoning_tokens), SUM(cost), COUNT(*) FROM gw_requests WHERE "
                             "status <> 'pending' GROUP BY " + col + " ORDER BY " + col);
  if (!rows) return rows.error();
  std::vector<UsageRow> out;
  for (auto& r : *rows)
    out.push_back(UsageRow{row_text(r, 0), row_int(r, 1), row_int(r, 2), row_int(r, 3), row_int(r, 4),
                           row_real(r, 5), row_int(r, 6)});
  return out;
}

}  // namespace bastion::gateway
