#include "policy/trust.h"

#include <algorithm>
#include <filesystem>

#include "store/audit_record.h"
#include "store/digest.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::policy {
namespace {

namespace stdfs = std::filesystem;

std::string default_store() { return fs::data_dir() + "/trust.json"; }

std::string real_root(const std::string& repo_root) { return fs::resolve_real(repo_root, "/"); }

bool relevant_in_config_dir(std::string_view name) {
  return str::starts_with(name, "settings") || str::starts_with(name, "hooks") ||
         str::starts_with(name, "config") || str::starts_with(name, "mcp") ||
         str::starts_with(name, ".env");
}

// Adds `rel` (a file, or every file below a directory) to `out`.
void add_entry(const stdfs::path& root, const stdfs::path& rel, std::vector<std::string>* out, int depth = 0) {
  std::error_code ec;
  auto st = stdfs::symlink_status(root / rel, ec);
  if (ec) return;
  if (stdfs::is_directory(st) && depth < 6) {
    std::vector<stdfs::path> kids;
    for (auto& e : stdfs::directory_iterator(root / rel, ec)) kids.push_back(rel / e.path().filename());
    for (auto& k : kids)
      if (out->size() < 2000) add_entry(root, k, out, depth + 1);
    return;
  }
  out->push_back(rel.string());
}

Json load_store(const std::string& path) {
  auto text = fs::read_file(path);
  if (!text.ok()) return Json::object();
  auto j = parse_json(text.value(), path);
  if (!j.ok() || !j.value().is_object()) return Json::object();
  return j.value();
}

std::string hash_files(const std::string& root, const std::vector<std::string>& files) {
  if (files.empty()) return "";
  store::Sha256 h;
  h.update("bastion-trust-v1\n");
  for (const auto& rel : files) {
    std::string full = root + "/" + rel;
    std::error_code ec;
    h.update(rel);
    h.update(std::string_view("\0", 1));
    if (stdfs::is_symlink(stdfs::symlink_status(full, ec))) {
      h.update("symlink:" + stdfs::read_symlink(full, ec).string());
      h.update(std::string_view("\0", 1));
    }
    auto content = fs::read_file(full);
    std::string body = content.ok() ? content.value() : "<unreadable>";
    h.update(std::to_string(body.size()));
    h.update(std::string_view("\0", 1));
    h.update(body);
    h.update(std::string_view("\0", 1));
  }
  return h.hex_digest();
}

std::string norm_segment(std::string_view s) {
  std::string n;
  for (char c : s)
    if (c != '_' && c != '-') n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return n;
}

}  // namespace

std::vector<std::string> trust_relevant_files(const std::string& repo_root) {
  std::vector<std::string> out;
  stdfs::path root(repo_root);
  std::error_code ec;
  for (auto& e : stdfs::directory_iterator(root, ec)) {
    std::string name = e.path().filename().string();
    if (str::starts_with(name, ".env") || name == ".mcp.json") add_entry(root, name, &out);
  }
  for (const char* dir : {".bastion", ".claude"}) {
    for (auto& e : stdfs::directory_iterator(root / dir, ec)) {
      std::string name = e.path().filename().string();
      if (relevant_in_config_dir(name)) add_entry(root, stdfs::path(dir) / name, &out);
    }
    ec.clear();
  }
  std::sort(out.begin(), out.end());
  return out;
}

TrustState check_repo_trust(const std::string& repo_root, const std::string& store_path) {
  TrustState s;
  s.repo = real_root(repo_root);
  s.files = trust_relevant_files(s.repo);
  s.hash = hash_files(s.repo, s.files);
  Json db = load_store(store_path.empty() ? default_store() : store_path);
  if (db.contains("repos") && db["repos"].is_object() && db["repos"].contains(s.repo)) {
    const Json& entry = db["repos"][s.repo];
    s.recorded = true;
    s.trusted_hash = json_string(entry, "hash");
    s.changed_since_trust = s.trusted_hash != s.hash;
  }
  s.trusted = s.files.empty() || (s.recorded && !s.changed_since_trust);
  return s;
}

Result<TrustState> trust_repo(const std::string& repo_root, const std::string& store_path) {
  std::string path = store_path.empty() ? default_store() : store_path;
  std::string root = real_root(repo_root);
  if (!fs::is_directory(root)) return make_error(ErrorKind::kNotFound, "no such directory: " + repo_root);
  TrustState s = check_repo_trust(root, path);
  Json db = load_store(path);
  if (!db.contains("repos") || !db["repos"].is_object()) db["repos"] = Json::object();
  db["version"] = 1;
  db["repos"][s.repo] = {{"hash", s.hash}, {"files", s.files}, {"trusted_at", store::audit::now_timestamp()}};
  if (auto st = fs::write_file_atomic(path, dump_json(db, 2) + "\n"); !st.ok()) return st.error();
  s.recorded = true;
  s.trusted = true;
  s.changed_since_trust = false;
  s.trusted_hash = s.hash;
  return s;
}

Status revoke_repo_trust(const std::string& repo_root, const std::string& store_path) {
  std::string path = store_path.empty() ? default_store() : store_path;
  Json db = load_store(path);
  std::string root = real_root(repo_root);
  if (!db.contains("repos") || !db["repos"].is_object() || !db["repos"].contains(root)) return ok_status();
  db["repos"].erase(root);
  return fs::write_file_atomic(path, dump_json(db, 2) + "\n");
}

bool is_repo_settable_env(std::string_view name) {
  std::string n = str::to_lower(name);
  static constexpr std::string_view kExact[] = {
      "home", "path", "shell", "user", "tmpdir", "ssl_cert_file", "ssl_cert_dir", "curl_ca_bundle",
      "requests_ca_bundle", "node_extra_ca_certs", "node_options", "node_tls_reject_unauthorized",
      "pythonpath", "pythonstartup", "bash_env", "env", "prompt_command", "claude_config_dir",
      "codex_home", "editor", "visual", "pager", "git_pager"};
  for (auto e : kExact)
    if (n == e) return false;
  static constexpr std::string_view kPrefixes[] = {
      "bastion_", "xdg_", "ld_", "dyld_", "openai_", "anthropic_", "dashscope_", "azure_openai_",
      "aws_", "google_", "gcloud_", "git_", "ssh_", "gnupg", "gpg_", "kube", "docker_", "npm_config_",
      "pip_", "http_", "https_", "ftp_", "all_", "no_proxy", "qwen_", "mistral_", "groq_", "ollama_"};
  for (auto p : kPrefixes)
    if (str::starts_with(n, p)) return false;
  static constexpr std::string_view kSuffixes[] = {"_api_key", "_base_url", "_api_base", "_endpoint",
                                                   "_proxy", "_token", "_config_dir", "_config_home"};
  for (auto s : kSuffixes)
    if (str::ends_with(n, s)) return false;
  return true;
}

bool is_repo_settable_key(std::string_view key) {
  static constexpr std::string_view kNever[] = {
      "baseurl", "apibase", "apiurl", "endpoint", "endpoints", "provider", "providers",
      "defaultprovider", "apikey", "apikeyenv", "apikeyhelper", "authtoken", "bearertoken",
      "customheaders", "headers", "proxy", "httpproxy", "httpsproxy", "noproxy", "cacert",
      "cabundle", "cafile", "tlsverify", "verifytls", "insecure", "skiptlsverify", "configdir",
      "datadir", "statedir", "cachedir", "home", "xdgconfighome", "xdgdatahome", "gateway",
      "gatewayurl", "sandbox", "permissionmode", "defaultmode", "managedsettings",
      "awsauthrefresh", "awscredentialexport", "otelheadershelper", "forceloginmethod"};
  auto parts = str::split(key, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string seg = norm_segment(parts[i]);
    for (auto n : kNever)
      if (seg == n) return false;
    if (seg == "env" && i + 1 < parts.size() && !is_repo_settable_env(parts[i + 1])) return false;
  }
  return true;
}

namespace {

void filter_object(const Json& in, const std::string& prefix, bool trusted, Json* out,
                   std::vector<std::string>* ignored) {
  for (auto it = in.begin(); it != in.end(); ++it) {
    std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (!is_repo_settable_key(path)) {
      if (ignored) ignored->push_back(path);
      continue;
    }
    if (!trusted) {
      // Only restrictions apply before trust: permissions.deny / permissions.ask.
      if (path == "permissions" && it.value().is_object()) {
        Json perms = Json::object();
        for (auto p = it.value().begin(); p != it.value().end(); ++p) {
          if (p.key() == "deny" || p.key() == "ask") perms[p.key()] = p.value();
          else if (ignored) ignored->push_back(path + "." + p.key());
        }
        if (!perms.empty()) (*out)[it.key()] = perms;
      } else if (ignored) {
        ignored->push_back(path);
      }
      continue;
    }
    if (it.value().is_object()) {
      Json sub = Json::object();
      filter_object(it.value(), path, trusted, &sub, ignored);
      (*out)[it.key()] = sub;
    } else {
      (*out)[it.key()] = it.value();
    }
  }
}

}  // namespace

Json filter_repo_settings(const Json& settings, bool trusted, std::vector<std::string>* ignored) {
  Json out = Json::object();
  if (!settings.is_object()) return out;
  filter_object(settings, "", trusted, &out, ignored);
  return out;
}

std::string untrusted_notice(const TrustState& state) {
  std::string files = str::join(state.files, ", ");
  std::string why = state.changed_since_trust ? "its configuration changed since you trusted it"
                                              : "the repository is not trusted";
  return "bastion: ignoring repository config in " + state.repo + " (" + files + "): " + why +
         "; review it and run `bastion trust " + state.repo + "` to allow it";
}

}  // namespace bastion::policy
