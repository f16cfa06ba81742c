// GatewayStore: users, keys and the audit hash chain.
#include <ctime>

#include "gateway/crypto.h"
#include "gateway/gateway_store.h"
#include "util/strings.h"

namespace bastion::gateway {
namespace {

const char* kUserCols = "name, team, daily_tokens, monthly_usd, rpm, tpm, models, disabled, created_at";

UserRecord user_from_row(const SqlRow& r) {
  UserRecord u;
  u.name = row_text(r, 0);
  u.team = row_text(r, 1);
  u.limits.daily_tokens = row_int(r, 2);
  u.limits.monthly_usd = row_real(r, 3);
  u.limits.rpm = row_int(r, 4);
  u.limits.tpm = row_int(r, 5);
  for (auto& m : str::split(row_text(r, 6), ','))
    if (!m.empty()) u.models.push_back(m);
  u.disabled = row_int(r, 7) != 0;
  u.created_at = row_int(r, 8);
  return u;
}

// Hash of one chain link: the previous hash, the position and the entry.
std::string link_hash(const std::string& prev, int64_t seq, int64_t ts, const std::string& entry) {
  return sha256_hex(prev + "\n" + std::to_string(seq) + "\n" + std::to_string(ts) + "\n" + entry);
}

}  // namespace

Result<std::string> GatewayStore::add_user(const UserRecord& u) {
  if (u.name.empty() || u.name.size() > 128) return Error(ErrorKind::kBadInput, "user name must be 1-128 characters");
  Lease lease(*this);
  if (!lease.ok()) return lease.error();
  auto exists = (*lease).query("SELECT 1 FROM gw_users WHERE name=$1", {u.name});
  if (!exists) return exists.error();
  if (!exists->empty()) return Error(ErrorKind::kBadInput, "user '" + u.name + "' already exists");
  std::string key = generate_api_key();
  auto r = (*lease).query(
      "INSERT INTO gw_users (name, team, key_hash, daily_tokens, monthly_usd, rpm, tpm, models, "
      "disabled, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,0,$9)",
      {u.name, u.team, sha256_hex(key), sql_int(u.limits.daily_tokens), sql_real(u.limits.monthly_usd),
       sql_int(u.limits.rpm), sql_int(u.limits.tpm), str::join(u.models, ","),
       sql_int(static_cast<int64_t>(std::time(nullptr)))});
  if (!r) return r.error();
  return key;
}

Result<std::vector<UserRecord>> GatewayStore::list_users() {
  Lease lease(*this);
  if (!lease.ok()) return lease.error();
  auto rows = (*lease).query(std::string("SELECT ") + kUserCols + " FROM gw_users ORDER BY name");
  if (!rows) return rows.error();
  std::vector<UserRecord> out;
  for (auto& r : *rows) out.push_back(user_from_row(r));
  return out;
}

Status GatewayStore::set_disabled(const std::string& name, bool disabled) {
  Lease lease(*this);
  if (!lease.ok()) return lease.error();
  auto r = (*lease).query("UPDATE gw_users SET disabled=$2 WHERE name=$1 RETURNING name",
                          {name, sql_int(disabled ? 1 : 0)});
  if (!r) return r.error();
  if (r->empty()) return Error(ErrorKind::kNotFound, "no such user: " + name);
  return ok_status();
}

Result<std::string> GatewayStore::rotate_key(const std::string& name) {
  Lease lease(*this);
  if (!lease.ok()) return lease.error();
  std::string key = generate_api_key();
  auto r = (*lease).query("UPDATE gw_users SET key_hash=$2 WHERE name=$1 RETURNING name",
                          {name, sha256_hex(key)});
  if (!r) return r.error();
  if (r->empty()) return Error(ErrorKind::kNotFound, "no such user: " + name);
  return key;
}

Result<std::optional<UserRecord>> GatewayStore::find_by_key(const std::string& key) {
  std::string hash = sha256_hex(key);
  return with_conn([&](SqlConn& c) { return find_by_key_on(c, hash); });
}

Result<std::optional<UserRecord>> GatewayStore::find_by_key_on(SqlConn& c, const std::string& key_hash) {
  auto rows = c.query(std::string("SELECT ") + kUserCols + " FROM gw_users WHERE key_hash=$1", {key_hash});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(user_from_row(rows->front()));
}

Status GatewayStore::append_audit(SqlConn& c, const std::string& text) {
  if (auto s = c.lock("gw:audit"); !s) return s;
  int64_t seq = 0;
  std::string prev;
  int64_t data_version = -1;
  bool cached = false;
  int64_t tx = c.transaction_id();
  if (c.dialect() == Dialect::kSqlite) {
    // Nobody else commits during our transaction: its first append asks
    // for data_version, the others of its batch take that answer.
    std::unique_lock<std::mutex> l(audit_mu_);
    if (tx != 0 && audit_head_ && audit_head_->conn == &c && audit_head_->transaction == tx) {
      data_version = audit_head_->data_version;
    } else {
      l.unlock();
      auto dv = c.query("PRAGMA data_version");
      if (!dv) return dv.error();
      data_version = dv->empty() ? -1 : row_int(dv->front(), 0);
      l.lock();
    }
    if (audit_head_ && audit_head_->conn == &c && audit_head_->data_version == data_version) {
      seq = audit_head_->seq + 1;
      prev = audit_head_->hash;
      cached = true;
    }
  }
  if (!cached) {
    auto last = c.query("SELECT seq, hash FROM gw_audit ORDER BY seq DESC LIMIT 1");
    if (!last) return last.error();
    seq = last->empty() ? 1 : row_int(last->front(), 0) + 1;
    prev = last->empty() ? std::string(64, '0') : row_text(last->front(), 1);
  }
  int64_t ts = static_cast<int64_t>(std::time(nullptr));
  std::string hash = link_hash(prev, seq, ts, text);
  auto r = c.query("INSERT INTO gw_audit (seq, ts, entry, prev_hash, hash) VALUES ($1,$2,$3,$4,$5)",
                   {sql_int(seq), sql_int(ts), text, prev, hash});
  if (!r) {
    forget_audit_head();
    return r.error();
  }
  // Only writes that go through the group commit may cache (on SQLite all
  // of them do once it exists): it drops the head when a write is undone.
  if (c.dialect() == Dialect::kSqlite && group_) {
    std::lock_guard<std::mutex> l(audit_mu_);
    audit_head_ = AuditHead{&c, data_version, seq, std::move(hash), tx};
  }
  return ok_status();
}

void GatewayStore::forget_audit_head() {
  std::lock_guard<std::mutex> l(audit_mu_);
  audit_head_.reset();
}

Status GatewayStore::audit_event(const Json& entry) {
  std::string text = dump_json(entry);
  if (group_) return group_->run([&](SqlConn& c) { return append_audit(c, text); });
  Lease lease(*this);
  if (!lease.ok()) return lease.error();
  SqlConn& c = *lease;
  if (auto s = c.begin(); !s) return s;
  auto s = append_audit(c, text);
  if (!s) {
    c.rollback();
    return s;
  }
  return c.commit();
}

Result<AuditCheck> GatewayStore::verify_audit() {
  Lease lease(*this);
  if (!lease.ok()) return lease.error();
  auto rows = (*lease).query("SELECT seq, ts, entry, prev_hash, hash FROM gw_audit ORDER BY seq");
  if (!rows) return rows.error();
  AuditCheck out;
  std::string prev(64, '0');
  int64_t expect_seq = 1;
  for (auto& r : *rows) {
    ++out.entries;
    int64_t seq = row_int(r, 0);
    auto fail = [&](std::string why) {
      out.ok = false;
      out.first_bad_seq = seq;
      out.problem = std::move(why);
      return out;
    };
    if (seq != expect_seq) return fail("sequence gap: expected " + std::to_string(expect_seq));
    if (row_text(r, 3) != prev) return fail("prev_hash does not match the previous entry");
    if (link_hash(prev, seq, row_int(r, 1), row_text(r, 2)) != row_text(r, 4))
      return fail("entry does not match its hash (modified)");
    prev = row_text(r, 4);
    ++expect_seq;
  }
  return out;
}

}  // namespace bastion::gateway
