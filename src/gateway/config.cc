#include "gateway/config.h"

#include <toml++/toml.h>

#include <sstream>

#include "util/fs.h"

namespace bastion::gateway {
namespace {

Error config_error(const std::string& origin, const std::string& msg) {
  return Error(ErrorKind::kConfig, origin + ": " + msg);
}

Result<Limits> read_limits(const toml::table& t, const std::string& where,
                           const std::string& origin, Limits base) {
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    if (v.is_table()) continue;  // nested tables ([quotas.team]) are read separately
    if (key == "daily_tokens" || key == "rpm" || key == "tpm") {
      auto n = v.value<int64_t>();
      if (!n || *n < 0) return config_error(origin, where + "." + key + " must be a non-negative integer");
      if (key == "daily_tokens") base.daily_tokens = *n;
      if (key == "rpm") base.rpm = *n;
      if (key == "tpm") base.tpm = *n;
    } else if (key == "monthly_usd") {
      auto d = v.value<double>();
      if (!d || *d < 0) return config_error(origin, where + ".monthly_usd must be a non-negative number");
      base.monthly_usd = *d;
    } else {
      return config_error(origin, "unknown key " + where + "." + key);
    }
  }
  return base;
}

Result<std::vector<std::string>> string_list(const toml::node* n, const std::string& what,
                                             const std::string& origin) {
  std::vector<std::string> out;
  if (!n) return out;
  const toml::array* arr = n->as_array();
  if (!arr) return config_error(origin, what + " must be an array of strings");
  for (auto&& e : *arr) {
    auto s = e.value<std::string>();
    if (!s) return config_error(origin, what + " must be an array of strings");
    out.push_back(*s);
  }
  return out;
}

Status parse_url(UpstreamConfig& u, const std::string& origin) {
  const std::string& url = u.url;
  u.tls = url.rfind("https://", 0) == 0;
  if (!u.tls && url.rfind("http://", 0) != 0)
    return config_error(origin, "upstream '" + u.name + "': url must start with http:// or https://");
  std::string rest = url.substr(u.tls ? 8 : 7);
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  u.path_prefix = slash == std::string::npos ? "" : rest.substr(slash);
  while (!u.path_prefix.empty() && u.path_prefix.back() == '/') u.path_prefix.pop_back();
  size_t colon = hostport.rfind(':');
  if (colon == std::string::npos) {
    u.host = hostport;
    u.port = u.tls ? "443" : "80";
  } else {
    u.host = hostport.substr(0, colon);
    u.port = hostport.substr(colon + 1);
  }
  if (u.host.empty() || u.port.empty())
    return config_error(origin, "upstream '" + u.name + "': bad url " + url);
  return ok_status();
}

}  // namespace

const char* protocol_name(Protocol p) { return p == Protocol::kAnthropic ? "anthropic" : "openai"; }

Result<GatewayConfig> parse_config(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << e.description() << " at line " << e.source().begin.line;
    return config_error(origin, os.str());
  }
  GatewayConfig c;
  if (auto l = root["listen"].value<std::string>()) {
    size_t colon = l->rfind(':');
    if (colon == std::string::npos || colon + 1 == l->size())
      return config_error(origin, "listen must be \"host:port\"");
    c.listen_host = l->substr(0, colon);
    c.listen_port = l->substr(colon + 1);
    if (c.listen_host.empty()) c.listen_host = "0.0.0.0";
  }
  if (auto d = root["database"].value<std::string>()) c.database = *d;
  if (c.database.rfind("sqlite://", 0) != 0 && c.database.rfind("postgresql://", 0) != 0 &&
      c.database.rfind("postgres://", 0) != 0)
    return config_error(origin, "database must be sqlite:///path or postgresql://...");
  auto int_opt = [&](const char* key, int& out, int min) -> Status {
    if (auto n = root[key].value<int64_t>()) {
      if (*n < min) return config_error(origin, std::string(key) + " must be >= " + std::to_string(min));
      out = static_cast<int>(*n);
    }
    return ok_status();
  };
  for (auto [k, p, m] : {std::tuple{"threads", &c.threads, 1}, {"db_pool", &c.db_pool, 1},
                         {"auth_cache_seconds", &c.auth_cache_seconds, 0},
                         {"health_interval_seconds", &c.health_interval_seconds, 0},
                         {"upstream_connect_timeout_ms", &c.upstream_connect_timeout_ms, 1},
                         {"default_max_tokens", &c.default_max_tokens, 1},
                         {"drain_seconds", &c.drain_seconds, 0},
                         {"stale_reservation_seconds", &c.stale_reservation_seconds, 1}}) {
    auto s = int_opt(k, *p, m);
    if (!s) return s.error();
  }
  c.redact_prompts = root["redact_prompts"].value_or(false);
  c.audit_bodies = root["audit_bodies"].value_or(false);
  auto allowed = string_list(root.get("allowed_models"), "allowed_models", origin);
  if (!allowed) return allowed.error();
  c.allowed_models = *allowed;

  if (const toml::table* q = root["quotas"].as_table()) {
    auto l = read_limits(*q, "quotas", origin, {});
    if (!l) return l.error();
    c.user_defaults = *l;
    if (const toml::table* t = (*q)["team"].as_table()) {
      auto tl = read_limits(*t, "quotas.team", origin, {});
      if (!tl) return tl.error();
      c.team_defaults = *tl;
    }
  }
  if (const toml::table* teams = root["teams"].as_table()) {
    for (auto&& [name, v] : *teams) {
      if (!v.is_table()) return config_error(origin, "teams." + std::string(name.str()) + " must be a table");
      auto tl = read_limits(*v.as_table(), "teams." + std::string(name.str()), origin, c.team_defaults);
      if (!tl) return tl.error();
      c.teams[std::string(name.str())] = *tl;
    }
  }
  if (const toml::table* prices = root["prices"].as_table()) {
    for (auto&& [model, v] : *prices) {
      const toml::table* t = v.as_table();
      if (!t) return config_error(origin, "prices." + std::string(model.str()) + " must be a table");
      Price p;
      p.input = (*t)["input"].value_or(0.0);
      p.output = (*t)["output"].value_or(0.0);
      p.cached_input = (*t)["cached_input"].value_or(-1.0);
      c.prices[std::string(model.str())] = p;
    }
  }
  if (const toml::array* ups = root["upstream"].as_array()) {
    for (auto&& node : *ups) {
      const toml::table* t = node.as_table();
      if (!t) return config_error(origin, "[[upstream]] entries must be tables");
      UpstreamConfig u;
      u.name = (*t)["name"].value_or(std::string());
      u.url = (*t)["url"].value_or(std::string());
      if (u.name.empty() || u.url.empty())
        return config_error(origin, "every [[upstream]] needs name and url");
      std::string proto = (*t)["protocol"].value_or(std::string("openai"));
      if (proto == "openai") u.protocol = Protocol::kOpenAi;
      else if (proto == "anthropic") u.protocol = Protocol::kAnthropic;
      else return config_error(origin, "upstream '" + u.name + "': protocol must be openai or anthropic");
      auto models = string_list(t->get("models"), "upstream." + u.name + ".models", origin);
      if (!models) return models.error();
      u.models = *models;
      u.api_key_env = (*t)["api_key_env"].value_or(std::string());
      u.weight = static_cast<int>((*t)["weight"].value_or(int64_t{1}));
      u.max_concurrency = static_cast<int>((*t)["max_concurrency"].value_or(int64_t{0}));
      u.health_path = (*t)["health_path"].value_or(std::string("/v1/models"));
      if (u.weight < 0 || u.max_concurrency < 0)
        return config_error(origin, "upstream '" + u.name + "': weight and max_concurrency must be >= 0");
      auto s = parse_url(u, origin);
      if (!s) return s.error();
      u.ca_file = (*t)["ca_file"].value_or(std::string());
      if (!u.ca_file.empty() && !u.tls)
        return config_error(origin, "upstream '" + u.name + "': ca_file needs an https:// url");
      if (!u.ca_file.empty() && (!fs::exists(u.ca_file) || fs::is_directory(u.ca_file)))
        return config_error(origin, "upstream '" + u.name + "': ca_file " + u.ca_file + " does not exist or is a directory");
      for (auto& other : c.upstreams)
        if (other.name == u.name) return config_error(origin, "duplicate upstream name " + u.name);
      c.upstreams.push_back(std::move(u));
    }
  }
  return c;
}

Result<GatewayConfig> load_config(const std::string& path) {
  auto text = fs::read_file(path);
  if (!text) return Error(ErrorKind::kConfig, "cannot read gateway config: " + text.error().message);
  return parse_config(*text, path);
}

Price price_for(const GatewayConfig& config, const std::string& model) {
  auto it = config.prices.find(model);
  if (it != config.prices.end()) return it->second;
  size_t best = 0;
  Price found;
  for (auto& [pattern, price] : config.prices) {
    if (pattern.empty() || pattern.back() != '*') continue;
    std::string prefix = pattern.substr(0, pattern.size() - 1);
    if (model.rfind(prefix, 0) == 0 && prefix.size() + 1 > best) {
      best = prefix.size() + 1;
      found = price;
    }
  }
  return found;
}

}  // namespace bastion::gateway
