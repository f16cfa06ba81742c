#include "gateway/admin.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <map>

#include "gateway/gateway.h"
#include "gateway/server.h"
#include "util/strings.h"

namespace bastion::gateway {
namespace {

constexpr int kOk = 0, kFail = 1, kUsage = 2;

const char* kHelp =
    "usage: bastion gateway --config FILE <command>\n"
    "  serve                                   run the gateway\n"
    "  user add NAME [--team T] [--daily-tokens N] [--monthly-usd X] [--models a,b] [--rpm N] [--tpm N]\n"
    "  user list [--format table|json]\n"
    "  user disable|enable|rotate NAME\n"
    "  usage [--by user|team|model|day|upstream] [--format table|json]\n"
    "  audit verify                            check the audit log's hash chain\n";

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
};

Result<Args> parse_args(const std::vector<std::string>& in) {
  Args a;
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string& s = in[i];
    if (s.rfind("--", 0) == 0 && s.size() > 2) {
      std::string name = s.substr(2), value;
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else {
        if (i + 1 >= in.size()) return Error(ErrorKind::kBadInput, "--" + name + " needs a value");
        value = in[++i];
      }
      a.flags[name] = value;
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

Result<int64_t> int_flag(const Args& a, const std::string& name, int64_t fallback) {
  auto it = a.flags.find(name);
  if (it == a.flags.end()) return fallback;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end || v < 0) return Error(ErrorKind::kBadInput, "--" + name + " must be a non-negative integer");
  return static_cast<int64_t>(v);
}

std::string fmt_cost(double c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", c);
  return buf;
}

int fail(std::ostream& err, const Error& e) {
  err << "bastion gateway: " << e.message << "\n";
  return e.kind == ErrorKind::kBadInput ? kUsage : kFail;
}

}  // namespace

Json usage_json(const std::vector<UsageRow>& rows, const std::string& by) {
  std::string plural = by == "user" ? "users" : by == "team" ? "teams" : by == "model" ? "models" : by == "day" ? "days" : "upstreams";
  Json arr = Json::array();
  for (auto& r : rows)
    arr.push_back({{by, r.key},
                   {"input_tokens", r.input_tokens},
                   {"cached_tokens", r.cached_tokens},
                   {"output_tokens", r.output_tokens},
                   {"reasoning_tokens", r.reasoning_tokens},
                   {"cost", r.cost},
                   {"requests", r.requests}});
  return Json{{plural, arr}};
}

int run_gateway_command(const std::vector<std::string>& raw, std::ostream& out, std::ostream& err) {
  auto parsed = parse_args(raw);
  if (!parsed) return fail(err, parsed.error());
  Args& a = *parsed;
  if (a.positional.empty() || a.positional[0] == "help" || a.flags.count("help")) {
    (a.positional.empty() ? err : out) << kHelp;
    return a.positional.empty() ? kUsage : kOk;
  }
  std::string config_path = a.flags.count("config") ? a.flags["config"] : "";
  if (config_path.empty()) {
    const char* env = std::getenv("BASTION_GATEWAY_CONFIG");
    config_path = env ? env : "gateway.toml";
  }
  auto cfg = load_config(config_path);
  if (!cfg) return fail(err, cfg.error());
  const std::string& cmd = a.positional[0];
  auto store = GatewayStore::open(cfg->database, cmd == "serve" ? cfg->db_pool : 1);
  if (!store) return fail(err, store.error());

  if (cmd == "serve") {
    Gateway gw(*cfg, std::move(*store));
    auto swept = gw.store().sweep_stale(static_cast<int64_t>(std::time(nullptr)), cfg->stale_reservation_seconds);
    if (swept && *swept > 0) gw.log({{"msg", "abandoned stale reservations"}, {"count", *swept}});
    auto server = Server::create(gw);
    if (!server) return fail(err, server.error());
    (*server)->run(true);
    return kOk;
  }
  GatewayStore& st = **store;
  if (cmd == "user") {
    std::string sub = a.positional.size() > 1 ? a.positional[1] : "";
    std::string name = a.positional.size() > 2 ? a.positional[2] : "";
    if (sub == "add") {
      if (name.empty()) return fail(err, Error(ErrorKind::kBadInput, "user add needs a NAME"));
      UserRecord u;
      u.name = name;
      u.team = a.flags.count("team") ? a.flags["team"] : "";
      u.limits = cfg->user_defaults;
      auto dt = int_flag(a, "daily-tokens", u.limits.daily_tokens);
      auto rpm = int_flag(a, "rpm", u.limits.rpm);
      auto tpm = int_flag(a, "tpm", u.limits.tpm);
      for (auto* r : {&dt, &rpm, &tpm})
        if (!*r) return fail(err, r->error());
      u.limits.daily_tokens = *dt;
      u.limits.rpm = *rpm;
      u.limits.tpm = *tpm;
      if (a.flags.count("monthly-usd")) {
        char* end = nullptr;
        double v = std::strtod(a.flags["monthly-usd"].c_str(), &end);
        if (*end || v < 0) return fail(err, Error(ErrorKind::kBadInput, "--monthly-usd must be a non-negative number"));
        u.limits.monthly_usd = v;
      }
      if (a.flags.count("models"))
        for (auto& m : str::split(a.flags["models"], ','))
          if (!str::trim(m).empty()) u.models.emplace_back(str::trim(m));
      auto key = st.add_user(u);
      if (!key) return fail(err, key.error());
      out << "created user " << name << (u.team.empty() ? "" : " (team " + u.team + ")") << "\n" << *key << "\n";
      return kOk;
    }
    if (sub == "list") {
      auto users = st.list_users();
      if (!users) return fail(err, users.error());
      if (a.flags["format"] == "json") {
        Json arr = Json::array();
        for (auto& u : *users)
          arr.push_back({{"user", u.name}, {"team", u.team}, {"daily_tokens", u.limits.daily_tokens},
                         {"monthly_usd", u.limits.monthly_usd}, {"rpm", u.limits.rpm}, {"tpm", u.limits.tpm},
                         {"models", u.models}, {"disabled", u.disabled}});
        out << dump_json(Json{{"users", arr}}, 2) << "\n";
        return kOk;
      }
      out << std::left << std::setw(20) << "USER" << std::setw(14) << "TEAM" << std::setw(14) << "DAILY_TOKENS"
          << std::setw(12) << "MONTHLY_USD" << std::setw(8) << "RPM" << std::setw(10) << "TPM" << std::setw(10)
          << "STATUS" << "MODELS\n";
      for (auto& u : *users)
        out << std::setw(20) << u.name << std::setw(14) << u.team << std::setw(14) << u.limits.daily_tokens
            << std::setw(12) << u.limits.monthly_usd << std::setw(8) << u.limits.rpm << std::setw(10) << u.limits.tpm
            << std::setw(10) << (u.disabled ? "disabled" : "active") << str::join(u.models, ",") << "\n";
      return kOk;
    }
    if (sub == "disable" || sub == "enable") {
      if (name.empty()) return fail(err, Error(ErrorKind::kBadInput, "user " + sub + " needs a NAME"));
      auto s = st.set_disabled(name, sub == "disable");
      if (!s) return fail(err, s.error());
      out << "user " << name << " " << sub << "d\n";
      return kOk;
    }
    if (sub == "rotate") {
      if (name.empty()) return fail(err, Error(ErrorKind::kBadInput, "user rotate needs a NAME"));
      auto key = st.rotate_key(name);
      if (!key) return fail(err, key.error());
      out << "new key for " << name << " (the old one no longer works)\n" << *key << "\n";
      return kOk;
    }
    err << kHelp;
    return kUsage;
  }
  if (cmd == "usage") {
    std::string by = a.flags.count("by") ? a.flags["by"] : "user";
    auto rows = st.usage(by);
    if (!rows) return fail(err, rows.error());
    std::string format = a.flags.count("format") ? a.flags["format"] : "table";
    if (format == "json") {
      out << dump_json(usage_json(*rows, by), 2) << "\n";
      return kOk;
    }
    if (format != "table") return fail(err, Error(ErrorKind::kBadInput, "--format must be table or json"));
    out << std::left << std::setw(24) << str::to_lower(by) << std::right << std::setw(10) << "REQUESTS" << std::setw(14)
        << "INPUT" << std::setw(12) << "CACHED" << std::setw(12) << "OUTPUT" << std::setw(12) << "REASONING"
        << std::setw(14) << "COST_USD" << "\n";
    for (auto& r : *rows)
      out << std::left << std::setw(24) << r.key << std::right << std::setw(10) << r.requests << std::setw(14)
          << r.input_tokens << std::setw(12) << r.cached_tokens << std::setw(12) << r.output_tokens << std::setw(12)
          << r.reasoning_tokens << std::setw(14) << fmt_cost(r.cost) << "\n";
    return kOk;
  }
  if (cmd == "audit") {
    auto check = st.verify_audit();
    if (!check) return fail(err, check.error());
    if (check->ok) {
      out << "audit log ok: " << check->entries << " entries, hash chain intact\n";
      return kOk;
    }
    out << "audit log TAMPERED at entry " << check->first_bad_seq << ": " << check->problem << "\n";
    return kFail;
  }
  err << kHelp;
  return kUsage;
}

}  // namespace bastion::gateway
