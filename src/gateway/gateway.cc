#include "gateway/gateway.h"

#include <cstdio>
#include <ctime>

#include "gateway/crypto.h"
#include "gateway/json_line.h"
#include "policy/redactor.h"
#include "util/strings.h"

namespace bastion::gateway {
namespace {

std::string iso_utc(int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool matches(const std::vector<std::string>& patterns, const std::string& model) {
  for (auto& p : patterns) {
    if (p == model) return true;
    if (!p.empty() && p.back() == '*' && model.rfind(p.substr(0, p.size() - 1), 0) == 0) return true;
  }
  return false;
}

// Redacts the text a user sends: message contents (strings or text parts),
// system prompts, and embedding/completion inputs.
void redact_json(Json& body, policy::Redactor& r) {
  auto fix = [&](Json& v) {
    if (v.is_string()) {
      v = r.redact(v.get<std::string>());
    } else if (v.is_array()) {
      for (auto& part : v) {
        if (part.is_string()) part = r.redact(part.get<std::string>());
        else if (part.is_object() && part.contains("text") && part["text"].is_string())
          part["text"] = r.redact(part["text"].get<std::string>());
        else if (part.is_object() && part.contains("content")) {
          Json& c = part["content"];  // tool_result blocks
          if (c.is_string()) c = r.redact(c.get<std::string>());
        }
      }
    }
  };
  if (body.contains("messages") && body["messages"].is_array())
    for (auto& m : body["messages"])
      if (m.is_object() && m.contains("content")) fix(m["content"]);
  for (const char* k : {"system", "input", "prompt"})
    if (body.contains(k)) fix(body[k]);
}

}  // namespace

Gateway::Gateway(GatewayConfig config, std::unique_ptr<GatewayStore> store)
    : config_(std::move(config)), store_(std::move(store)), router_(config_.upstreams) {
  if (store_ && store_->settles_async()) store_->after_batch([this] { flush_log(); });
}

Gateway::~Gateway() {
  // Queued settlements call back into this object (unsettled_, log):
  // write them while it is whole.
  if (store_) {
    store_->flush();
    store_->after_batch(nullptr);
  }
  flush_log();
}

Protocol Gateway::protocol_for_path(const std::string& path) {
  return path.rfind("/v1/messages", 0) == 0 ? Protocol::kAnthropic : Protocol::kOpenAi;
}

std::string Gateway::error_body(Protocol p, const std::string& type, const std::string& message,
                                const Json& extra) {
  Json err = {{"type", type}, {"message", message}};
  for (auto& [k, v] : extra.items()) err[k] = v;
  if (p == Protocol::kAnthropic) return dump_json(Json{{"type", "error"}, {"error", err}});
  if (!err.contains("code")) err["code"] = type;
  return dump_json(Json{{"error", err}});
}

void Gateway::log(Json line) {
  line["ts"] = iso_utc(static_cast<int64_t>(std::time(nullptr)));
  if (!line.contains("level")) line["level"] = "info";
  write_log(dump_json(line) + "\n");
}

void Gateway::write_log(const std::string& text) {
  std::lock_guard<std::mutex> l(log_mu_);
  if (!log_pending_.empty()) {  // queued lines first, in order
    log_pending_ += text;
    std::fwrite(log_pending_.data(), 1, log_pending_.size(), stderr);
    log_pending_.clear();
  } else {
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  std::fflush(stderr);
}

void Gateway::queue_log(const std::string& text) {
  std::lock_guard<std::mutex> l(log_mu_);
  log_pending_ += text;
}

void Gateway::flush_log() {
  std::lock_guard<std::mutex> l(log_mu_);
  if (log_pending_.empty()) return;
  std::fwrite(log_pending_.data(), 1, log_pending_.size(), stderr);
  std::fflush(stderr);
  log_pending_.clear();
}

std::variant<UserRecord, Refusal> Gateway::authenticate(const std::string& key, Protocol p) {
  auto refuse = [&](const std::string& why) {
    metrics_.auth_failure();
    return Refusal{401, error_body(p, "authentication_error", why)};
  };
  if (key.empty()) return refuse("missing API key: send Authorization: Bearer <key> or x-api-key");
  int64_t now = steady_ms();
  std::optional<UserRecord> user;
  bool cached = false;
  if (config_.auth_cache_seconds > 0) {
    std::lock_guard<std::mutex> l(cache_mu_);
    auto it = auth_cache_.find(key);
    if (it != auth_cache_.end() && it->second.expires_ms > now) {
      user = it->second.user;
      cached = true;
    }
  }
  if (!cached) {
    auto r = store_->find_by_key(key);
    if (!r) {
      log({{"level", "error"}, {"msg", "auth lookup failed"}, {"error", r.error().message}});
      return Refusal{503, error_body(p, "api_error", "gateway database unavailable")};
    }
    user = *r;
    if (config_.auth_cache_seconds > 0) {
      std::lock_guard<std::mutex> l(cache_mu_);
      if (auth_cache_.size() > 100000) auth_cache_.clear();
      auth_cache_[key] = CacheEntry{user, now + config_.auth_cache_seconds * 1000LL};
    }
  }
  if (!user) return refuse("invalid API key");
  if (user->disabled) return refuse("API key disabled for user " + user->name);
  return *user;
}

bool Gateway::model_allowed(const UserRecord& u, const std::string& model) const {
  if (!config_.allowed_models.empty() && !matches(config_.allowed_models, model)) return false;
  if (!u.models.empty() && !matches(u.models, model)) return false;
  return true;
}

Limits Gateway::team_limits(const std::string& team) const {
  auto it = config_.teams.find(team);
  return it == config_.teams.end() ? config_.team_defaults : it->second;
}

std::variant<Gateway::Prepared, Refusal> Gateway::prepare(const std::string& path, UserRecord user,
                                                          const std::string& body_text, Json* audit) {
  Protocol p = protocol_for_path(path);
  Json body = Json::parse(body_text, nullptr, false);
  if (!body.is_object())
    return Refusal{400, error_body(p, "invalid_request_error", "request body must be a JSON object")};
  std::string model = json_string(body, "model");
  if (model.empty())
    return Refusal{400, error_body(p, "invalid_request_error", "request body has no \"model\"")};
  if (!model_allowed(user, model)) {
    *audit = refusal_entry("model_not_allowed", 403, user, model, path);
    return Refusal{403, error_body(p, "permission_error",
                                   "model '" + model + "' is not allowed for user " + user.name)};
  }
  if (!router_.any_serves(model))
    return Refusal{404, error_body(p, "not_found_error", "no upstream serves model '" + model + "'",
                                   {{"code", "model_not_found"}})};

  Prepared out;
  Admitted& a = out.a;
  a.request_id = request_id();
  a.path = path;
  a.model = model;
  a.protocol = p;
  a.stream = json_bool(body, "stream");
  bool modified = false;
  if (a.stream && p == Protocol::kOpenAi && path == "/v1/chat/completions") {
    Json& so = body["stream_options"];
    if (!so.is_object()) so = Json::object();
    if (!json_bool(so, "include_usage")) {
      so["include_usage"] = true;
      a.strip_usage = true;
      modified = true;
    }
  }
  if (config_.redact_prompts) {
    policy::Redactor redactor;
    redact_json(body, redactor);
    if (redactor.redaction_count() > 0) modified = true;
  }
  a.upstream_body = modified ? dump_json(body) : body_text;

  bool embeddings = path == "/v1/embeddings";
  a.est_input_tokens = static_cast<int64_t>(body_text.size() / 3) + 1;
  int64_t max_out = json_int(body, "max_completion_tokens", json_int(body, "max_tokens", config_.default_max_tokens));
  Usage est;
  est.input_tokens = a.est_input_tokens;
  est.output_tokens = embeddings ? 0 : max_out;
  ReserveRequest& rq = out.rq;
  rq.request_id = a.request_id;
  rq.user = user;
  rq.team_limits = team_limits(user.team);
  rq.model = model;
  rq.endpoint = path;
  rq.est_tokens = est.total();
  rq.est_usd = usage_cost(est, price_for(config_, model));
  rq.stream = a.stream;
  rq.now = static_cast<int64_t>(std::time(nullptr));
  a.reserved_at = rq.now;
  a.est_tokens = rq.est_tokens;
  a.est_usd = rq.est_usd;
  a.user = std::move(user);
  return out;
}

Json Gateway::refusal_entry(const char* why, int status, const UserRecord& user, const std::string& model,
                            const std::string& path) {
  return {{"event", "refused"}, {"reason", why},      {"http_status", status}, {"user", user.name},
          {"team", user.team},  {"model", model},     {"endpoint", path}};
}

std::variant<Admitted, Refusal> Gateway::reserved(Prepared& pr, const Result<std::optional<QuotaDenial>>& res,
                                                  Json* audit) {
  Protocol p = pr.a.protocol;
  if (!res) {
    log({{"level", "error"}, {"msg", "quota reservation failed"}, {"error", res.error().message}});
    return Refusal{503, error_body(p, "api_error", "gateway database unavailable")};
  }
  if (auto& denial = *res) {
    const UserRecord& user = pr.a.user;
    metrics_.quota_rejection(denial->limit);
    *audit = refusal_entry("quota", 429, user, pr.a.model, pr.a.path);
    char used[64];
    std::snprintf(used, sizeof used, "%g of %g", denial->used, denial->limit_value);
    std::string msg = denial->scope + " " + denial->limit + " limit reached for " +
                      (denial->scope == "team" ? "team " + user.team : "user " + user.name) + " (" + used +
                      "); resets at " + iso_utc(denial->resets_at);
    Json extra = {{"code", "quota_exceeded"},  {"limit", denial->limit},
                  {"scope", denial->scope},    {"limit_value", denial->limit_value},
                  {"used", denial->used},      {"resets_at", iso_utc(denial->resets_at)},
                  {"resets_at_epoch", denial->resets_at}};
    int retry = static_cast<int>(denial->resets_at - pr.rq.now);
    return Refusal{429, error_body(p, "rate_limit_error", msg, extra), retry < 1 ? 1 : retry};
  }
  pr.a.started_ms = steady_ms();
  return std::move(pr.a);
}

std::variant<Admitted, Refusal> Gateway::admit(const std::string& path, const std::string& key,
                                               const std::string& body_text) {
  Protocol p = protocol_for_path(path);
  auto who = authenticate(key, p);
  if (auto* r = std::get_if<Refusal>(&who)) return *r;
  Json audit;
  auto prep = prepare(path, std::get<UserRecord>(std::move(who)), body_text, &audit);
  std::variant<Admitted, Refusal> out;
  if (auto* r = std::get_if<Refusal>(&prep)) {
    out = std::move(*r);
  } else {
    Prepared& pr = std::get<Prepared>(prep);
    out = reserved(pr, store_->reserve(pr.rq), &audit);
  }
  if (!audit.is_null()) (void)store_->audit_event(audit);  // the refusal is audited before it is sent
  return out;
}

std::optional<UserRecord> Gateway::cached_user(const std::string& key) {
  if (key.empty() || config_.auth_cache_seconds <= 0 || !store_->settles_async()) return std::nullopt;
  std::lock_guard<std::mutex> l(cache_mu_);
  auto it = auth_cache_.find(key);
  if (it == auth_cache_.end() || it->second.expires_ms <= steady_ms() || !it->second.user ||
      it->second.user->disabled)
    return std::nullopt;
  return it->second.user;
}

void Gateway::admit_async(const std::string& path, UserRecord user, const std::string& body_text,
                          std::function<void(std::variant<Admitted, Refusal>)> done) {
  Json audit;
  auto prep = prepare(path, std::move(user), body_text, &audit);
  if (auto* r = std::get_if<Refusal>(&prep)) {
    if (audit.is_null()) return done(std::move(*r));
    store_->audit_event_async(audit, [done, r = std::move(*r)](const Status&) { done(r); });
    return;
  }
  auto pr = std::make_shared<Prepared>(std::get<Prepared>(std::move(prep)));
  store_->reserve_async(pr->rq, [this, pr, done](const Result<std::optional<QuotaDenial>>& res) {
    Json audit;
    auto out = reserved(*pr, res, &audit);
    if (audit.is_null()) return done(std::move(out));
    // On the committer thread: queue the audit entry, answer after its commit.
    store_->audit_event_async(audit, [done, out = std::move(out)](const Status&) { done(out); });
  });
}

void Gateway::finish(const Admitted& a, const Outcome& o) {
  Usage u = o.usage;
  if (o.kind == "upstream_error" || o.kind == "client_abort") {
    // The reply was cut off (the upstream died, or the client left) before
    // its final usage: charge what was received so nothing is lost: the
    // upstream's input count if it sent one (Anthropic's message_start),
    // else the prompt estimate, and ~4 bytes of generated text per token.
    if (!u.reported || u.input_tokens == 0) u.input_tokens = a.est_input_tokens;
    int64_t seen = o.text_bytes >= 0 ? (o.text_bytes + 3) / 4 : o.streamed_bytes / 4;
    if (u.output_tokens < seen) u.output_tokens = seen;
  }
  Settlement s;
  s.request_id = a.request_id;
  s.upstream = o.upstream;
  s.outcome = o.kind;
  s.http_status = o.http_status;
  s.usage = u;
  s.cost = usage_cost(u, price_for(config_, a.model));
  s.latency_ms = steady_ms() - a.started_ms;
  s.reserved_at = a.reserved_at;
  s.user = a.user.name;
  s.team = a.user.team;
  s.model = a.model;
  s.endpoint = a.path;
  s.est_tokens = a.est_tokens;
  s.est_usd = a.est_usd;
  s.stream = a.stream;
  if (config_.audit_bodies) {
    s.request_body = a.upstream_body;
    s.response_body = o.response_body;
  }
  const int64_t tokens[4] = {u.input_tokens - u.cached_tokens, u.cached_tokens, u.output_tokens, u.reasoning_tokens};
  metrics_.finished(a.path, o.http_status, s.latency_ms / 1000.0, o.ttfb_ms >= 0 ? o.ttfb_ms / 1000.0 : -1,
                    a.model, tokens);
  JsonLine line;
  line.str("ts", iso_utc(static_cast<int64_t>(std::time(nullptr))));
  line.str("msg", "request");
  line.str("request_id", a.request_id);
  line.str("user", a.user.name);
  line.str("team", a.user.team);
  line.str("model", a.model);
  line.str("path", a.path);
  line.str("upstream", o.upstream);
  line.str("outcome", o.kind);
  line.num("status", o.http_status);
  line.boolean("stream", a.stream);
  line.num("latency_ms", s.latency_ms);
  line.num("ttfb_ms", o.ttfb_ms);
  line.num("input_tokens", u.input_tokens);
  line.num("cached_tokens", u.cached_tokens);
  line.num("output_tokens", u.output_tokens);
  line.num("reasoning_tokens", u.reasoning_tokens);
  line.real("cost", s.cost);
  auto settled = std::make_shared<const Settlement>(std::move(s));
  // Logged once the settlement is written (or has failed and been queued
  // for a retry), as before.
  auto done = [this, settled, line = std::move(line)](const Status& st) mutable {
    if (st) {
      line.str("level", "info");
    } else {
      {
        std::lock_guard<std::mutex> l(unsettled_mu_);
        unsettled_.push_back(*settled);
      }
      line.str("level", "error");
      line.str("error", st.error().message);
      line.str("settlement", "queued for retry");
    }
    line.close() += '\n';
    if (store_->settles_async()) queue_log(line.out);  // written after the commit's callbacks
    else write_log(line.out);
  };
  if (store_->settles_async()) {
    // SQLite: the group commit writes it; this thread does not wait.
    // Queued settlements from an outage are retried by the server's timer.
    store_->settle_async(settled, config_.audit_bodies, std::move(done));
    return;
  }
  retry_unsettled();
  done(store_->settle(*settled, config_.audit_bodies));
}

size_t Gateway::unsettled() const {
  std::lock_guard<std::mutex> l(unsettled_mu_);
  return unsettled_.size();
}

size_t Gateway::retry_unsettled() {
  std::deque<Settlement> todo;
  {
    std::lock_guard<std::mutex> l(unsettled_mu_);
    if (unsettled_.empty()) return 0;
    todo.swap(unsettled_);
  }
  size_t settled = 0;
  while (!todo.empty()) {
    if (!store_->settle(todo.front(), config_.audit_bodies)) break;  // still down: keep the rest
    todo.pop_front();
    ++settled;
  }
  std::lock_guard<std::mutex> l(unsettled_mu_);
  for (auto it = todo.rbegin(); it != todo.rend(); ++it) unsettled_.push_front(std::move(*it));
  if (settled > 0)
    log({{"msg", "queued settlements written"}, {"count", settled}, {"still_queued", unsettled_.size()}});
  return unsettled_.size();
}

std::variant<std::string, Refusal> Gateway::models(const std::string& key) {
  auto who = authenticate(key, Protocol::kOpenAi);
  if (auto* r = std::get_if<Refusal>(&who)) return *r;
  const UserRecord& user = std::get<UserRecord>(who);
  Json data = Json::array();
  std::vector<std::string> seen;
  for (auto& [model, upstream] : router_.models()) {
    if (!model_allowed(user, model) || matches(seen, model)) continue;
    seen.push_back(model);
    data.push_back({{"id", model}, {"object", "model"}, {"type", "model"}, {"owned_by", upstream},
                    {"display_name", model}, {"created", 0}});
  }
  return dump_json(Json{{"object", "list"}, {"data", data}, {"has_more", false}});
}

}  // namespace bastion::gateway
