// Detectors for secrets recognised by context rather than shape: values
// assigned to key-like names (`api_key = "…"`, `"password": "…"`,
// `SECRET_TOKEN=…`, `X-Api-Key: …`), passwords inside URLs
// (`scheme://user:pass@host`) and every value of a dotenv file.
#include <string>
#include <string_view>

#include "policy/secret_scanner.h"
#include "policy/secret_text.h"
#include "util/strings.h"

namespace bastion::policy::secret {
namespace {

constexpr int kAssignPriority = 30;
constexpr int kUrlPriority = 60;

enum class Strength { kNone, kWeak, kStrong };

bool is_name_char(char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }

// Lowercase with separators removed: "AWS_Secret-Access.Key" -> "awssecretaccesskey".
std::string normalize_name(std::string_view name) {
  std::string n;
  n.reserve(name.size());
  for (char c : name)
    if (is_alnum(c)) n.push_back(lower(c));
  return n;
}

bool has(std::string_view s, std::string_view needle) { return s.find(needle) != std::string_view::npos; }

Strength classify_name(const std::string& n) {
  static constexpr std::string_view kExclude[] = {
      "public", "pubkey", "publishable", "tokenizer", "tokens", "tokentype", "tokencount",
      "tokenlimit", "tokenurl", "tokenuri", "tokenendpoint", "keyid", "keypath", "keyfile",
      "keyname", "keysize", "keylen", "keytype", "keyring", "keycode", "keyboard", "keyword",
      "keyframe", "keystroke", "keymap", "keyspace", "keyvault", "secretname", "secretref",
      "secretarn", "secretpath", "secretfile", "secretkeyref", "passwordfile", "passwordpath",
      "passwordfield", "passwordpolicy", "passwordlength", "passwordhash", "passwordreset",
      "passwordconfirm", "passthrough", "passed", "passes", "passive", "compass", "bypass",
      "tokenfile", "tokenpath", "tokenname", "tokenheader", "tokenprefix", "tokenenv",
      "secretenv", "keyenv", "length", "placeholder", "label", "hint", "regex", "pattern",
      "format", "expir", "ttl", "timeout", "header"};
  for (auto e : kExclude)
    if (has(n, e) && !(e == "keyid" && has(n, "privatekeyid"))) return Strength::kNone;
  static constexpr std::string_view kStrong[] = {
      "password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey",
      "privatekey", "authkey", "signingkey", "encryptionkey", "masterkey", "credential",
      "authorization", "clientkey", "appkey", "licensekey", "webhookkey", "servicekey"};
  for (auto s : kStrong)
    if (has(n, s)) return Strength::kStrong;
  if (str::ends_with(n, "pwd") || str::ends_with(n, "pass") || n == "auth") return Strength::kStrong;
  if (has(n, "key")) return Strength::kWeak;
  return Strength::kNone;
}

std::string_view kind_for_name(const std::string& n) {
  if (has(n, "aws") && has(n, "session")) return "aws_session_token";
  if (has(n, "secretaccesskey") || (has(n, "aws") && has(n, "secret"))) return "aws_secret_key";
  if (has(n, "alibaba") || has(n, "aliyun") || has(n, "accesskeysecret")) return "alibaba_access_key_secret";
  if (has(n, "azure") || has(n, "clientsecret")) return "azure_client_secret";
  if (has(n, "passw") || has(n, "passphrase") || str::ends_with(n, "pwd") || str::ends_with(n, "pass"))
    return "password";
  if (has(n, "token") || n == "authorization" || n == "auth") return "token";
  return "secret";
}

bool all_same(std::string_view v) {
  for (char c : v)
    if (c != v[0]) return false;
  return true;
}

// Template or reference, not a literal secret: ${X}, {{x}}, <your-key>,
// %(x)s, $VAR, xxxxx, ****, "your-api-key-here".
bool looks_like_placeholder(std::string_view v) {
  if (v.empty()) return true;
  char c = v[0];
  if (c == '$' || c == '<' || c == '%' || c == '{' || c == '[' || c == '(') return true;
  if (has(v, "${") || has(v, "{{") || has(v, "#{") || has(v, "xxxx") || has(v, "XXXX") ||
      has(v, "****") || has(v, "...") || has(v, "\xe2\x80\xa6") || has(v, "\\(")) return true;
  if (all_same(v)) return true;
  // words joined by - or _ ("your-api-key-here", "X-Api-Key", "APP_PASSWORD")
  bool words = true;
  size_t seps = 0;
  for (char ch : v) {
    if (ch == '-' || ch == '_') ++seps;
    else if (!is_alpha(ch)) words = false;
  }
  if (words && seps >= 1) return true;
  return false;
}

// `self.token`, `config.api.key`, `os.environ`: a code reference.
bool looks_like_reference(std::string_view v) {
  if (v.empty() || !(is_alpha(v[0]) || v[0] == '_')) return false;
  for (char c : v)
    if (!(is_alnum(c) || c == '_' || c == '.')) return false;
  return true;
}

bool value_is_secret(std::string_view v, Strength strength, bool quoted) {
  if (v.size() < 6 || v.size() > 4096) return false;
  for (char c : v)
    if (is_space(c)) return false;
  if (looks_like_placeholder(v)) return false;
  if (str::starts_with(v, "data:") || str::starts_with(v, "sha256-") || str::starts_with(v, "sha512-") ||
      str::starts_with(v, "sha1-") || has(v, "://") || v[0] == '/' || str::starts_with(v, "./") ||
      str::starts_with(v, "~/"))
    return false;
  double h = shannon_entropy(v);
  if (strength == Strength::kWeak) {
    if (v.size() < 20 || h < 3.5 || !has_digit(v) || !has_alpha(v)) return false;
    if (all_hex(v) || is_uuid(v)) return false;
    if (has(v, "/") && has(v, ".")) return false;  // a path
    return true;
  }
  // strong name
  if (h < 2.0) return false;
  bool letters_only = true;
  for (char c : v)
    if (!is_alpha(c)) letters_only = false;
  if (letters_only && v.size() < 10) return false;
  if (!quoted) {
    // Code, not a value: std::false_type, token_list{, 1*tchar, a<b>
    for (char c : v)
      if (c == ':' || c == '{' || c == '}' || c == '[' || c == '*' || c == '<' || c == '>' || c == '|' || c == '!')
        return false;
    if (looks_like_reference(v) && (has(v, ".") || (!has_digit(v) && (h < 4.0 || v.size() < 16))))
      return false;
    bool digits_only = true;
    for (char c : v)
      if (!is_digit(c)) digits_only = false;
    if (digits_only && v.size() < 8) return false;
    if (!has_digit(v) && h < 3.0) return false;
  }
  return true;
}

// True when the line holding `pos` reads like .netrc ("machine … login …").
bool netrc_line(std::string_view t, size_t pos) {
  size_t start = t.rfind('\n', pos);
  start = start == std::string_view::npos ? 0 : start + 1;
  std::string_view before = t.substr(start, pos - start);
  return has(before, "machine ") || has(before, "login ") || str::starts_with(t.substr(start), "default ");
}

// `name` operator value, starting at a key-word hit inside `name`.
void detect_assignment(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  size_t ns = pos, ne = pos + len;
  while (ns > 0 && pos - ns < 64 && is_name_char(t[ns - 1])) --ns;
  while (ne < t.size() && ne - pos < 64 && is_name_char(t[ne])) ++ne;
  // Only act once per name: at the first trigger inside it.
  std::string n = normalize_name(t.substr(ns, ne - ns));
  Strength strength = classify_name(n);
  if (strength == Strength::kNone) return;

  size_t p = ne;
  // closing quote / bracket of the key: "api_key": , ['token'] =, \"password\":
  if (p < t.size() && t[p] == '\\') ++p;
  if (p < t.size() && (t[p] == '"' || t[p] == '\'')) ++p;
  if (p < t.size() && t[p] == ']') ++p;
  while (p < t.size() && (t[p] == ' ' || t[p] == '\t')) ++p;
  if (p >= t.size()) return;
  bool dotenv_style = false;
  if (t[p] == '=') {
    if (p + 1 < t.size() && t[p + 1] == '=') return;  // comparison
    if (p > 0 && (t[p - 1] == '!' || t[p - 1] == '<' || t[p - 1] == '>')) return;
    dotenv_style = p == ne;
    ++p;
    if (p < t.size() && t[p] == '>') ++p;  // =>
  } else if (t[p] == ':') {
    if (p + 1 < t.size() && t[p + 1] == ':') return;  // C++ scope
    ++p;
    if (p < t.size() && t[p] == '=') ++p;  // :=
  } else if (p > ne && (n == "password" || n == "passwd") && netrc_line(t, ns)) {
    // .netrc: "machine host login user password secret"
  } else {
    return;
  }
  while (p < t.size() && (t[p] == ' ' || t[p] == '\t')) ++p;
  // Skip a scheme word: "Authorization: Bearer …", "token: Basic …".
  for (std::string_view w : {"Bearer ", "bearer ", "Basic ", "basic ", "Token ", "token "}) {
    if (t.substr(p, w.size()) == w) p += w.size();
  }
  if (p >= t.size()) return;
  bool quoted = false;
  size_t vs = p, ve = p;
  if (t[p] == '\\' && p + 1 < t.size() && (t[p + 1] == '"' || t[p + 1] == '\'')) ++p;
  if (t[p] == '"' || t[p] == '\'' || t[p] == '`') {
    char q = t[p];
    quoted = true;
    vs = ++p;
    while (p < t.size() && t[p] != q && t[p] != '\n' && p - vs < 4096) {
      if (t[p] == '\\') break;  // escaped content or escaped closing quote
      ++p;
    }
    if (p >= t.size() || (t[p] != q && t[p] != '\\')) return;
    ve = p;
  } else {
    auto stop = [](char c) {
      return is_space(c) || c == ',' || c == ';' || c == ')' || c == '}' || c == ']' ||
             c == '"' || c == '\'' || c == '`' || c == '<' || c == '>' || c == '&' || c == '(' ||
             c == '\\';
    };
    while (p < t.size() && !stop(t[p]) && p - vs < 4096) ++p;
    ve = p;
    if (p < t.size() && (t[p] == '(' || t[p] == '[')) return;  // a call, not a value
    // dotenv/shell lines take the rest of the value up to whitespace
  }
  std::string_view v = t.substr(vs, ve - vs);
  if (!value_is_secret(v, dotenv_style && strength == Strength::kStrong ? Strength::kStrong : strength,
                       quoted || (dotenv_style && strength == Strength::kStrong && has_digit(v))))
    return;
  ctx.add(vs, ve, kind_for_name(n), kAssignPriority);
}

bool is_scheme_char(char c) { return is_alnum(c) || c == '+' || c == '.' || c == '-'; }

// scheme://user:password@host — only the password is the secret.
void detect_url_password(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  size_t s = pos;
  while (s > 0 && pos - s < 32 && is_scheme_char(t[s - 1])) --s;
  if (s == pos || !is_alpha(t[s])) return;
  size_t u = pos + len, p = u, at = std::string_view::npos, colon = std::string_view::npos;
  while (p < t.size() && p - u < 512) {
    char c = t[p];
    if (c == '/' || c == '?' || c == '#' || is_space(c) || c == '"' || c == '\'' || c == '<' ||
        c == '>' || c == '`')
      break;
    if (c == '@') at = p;
    if (c == ':' && colon == std::string_view::npos) colon = p;
    ++p;
  }
  if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) return;
  if (at + 1 >= t.size() || !(is_alnum(t[at + 1]) || t[at + 1] == '[')) return;
  std::string_view pw = t.substr(colon + 1, at - colon - 1);
  if (pw.empty() || pw[0] == '$' || pw[0] == '{' || pw[0] == '<' || pw[0] == '%' || all_same(pw))
    return;
  ctx.add(colon + 1, at, "url_password", kUrlPriority);
}

bool trivial_env_value(std::string_view v) {
  if (v.size() < 3) return true;
  std::string l = str::to_lower(v);
  if (l == "true" || l == "false" || l == "yes" || l == "off" || l == "null" || l == "none")
    return true;
  bool digits = true;
  for (char c : v)
    if (!is_digit(c) && c != '.') digits = false;
  if (digits && v.size() <= 6) return true;  // ports, counts, versions
  return v[0] == '$' || has(v, "${");
}

}  // namespace

bool is_dotenv_path(std::string_view path) {
  size_t slash = path.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (str::ends_with(base, ".example") || str::ends_with(base, ".sample") ||
      str::ends_with(base, ".template"))
    return false;
  return str::starts_with(base, ".env") || str::ends_with(base, ".env");
}

void detect_dotenv_file(const ScanContext& ctx) {
  std::string_view t = ctx.text;
  size_t line = 0;
  while (line < t.size()) {
    size_t eol = t.find('\n', line);
    if (eol == std::string_view::npos) eol = t.size();
    size_t p = line;
    while (p < eol && (t[p] == ' ' || t[p] == '\t')) ++p;
    if (t.substr(p, 7) == "export ") p += 7;
    size_t ks = p;
    while (p < eol && (is_alnum(t[p]) || t[p] == '_' || t[p] == '.' || t[p] == '-')) ++p;
    size_t ke = p;
    while (p < eol && (t[p] == ' ' || t[p] == '\t')) ++p;
    if (ke > ks && p < eol && t[p] == '=') {
      ++p;
      while (p < eol && (t[p] == ' ' || t[p] == '\t')) ++p;
      size_t vs = p, ve = eol;
      if (p < eol && (t[p] == '"' || t[p] == '\'')) {
        char q = t[p];
        vs = p + 1;
        size_t close = t.find(q, vs);
        // multi-line quoted values (PEM keys in .env) run to the closing quote
        ve = close == std::string_view::npos ? t.size() : close;
        if (close != std::string_view::npos && close > eol) eol = t.find('\n', close);
        if (eol == std::string_view::npos) eol = t.size();
      } else {
        size_t hash = t.find(" #", vs);
        if (hash != std::string_view::npos && hash < ve) ve = hash;
        while (ve > vs && (t[ve - 1] == ' ' || t[ve - 1] == '\t' || t[ve - 1] == '\r')) --ve;
      }
      std::string_view v = t.substr(vs, ve - vs);
      if (!trivial_env_value(v)) {
        std::string n = normalize_name(t.substr(ks, ke - ks));
        std::string_view kind = classify_name(n) == Strength::kStrong ? kind_for_name(n) : "env_value";
        ctx.add(vs, ve, kind, kAssignPriority + 5);
      }
    }
    line = eol + 1;
  }
}

const std::vector<Trigger>& assignment_triggers() {
  static const std::vector<Trigger> kTriggers = {
      {"key", true, detect_assignment},        {"secret", true, detect_assignment},
      {"token", true, detect_assignment},      {"pass", true, detect_assignment},
      {"pwd", true, detect_assignment},        {"credential", true, detect_assignment},
      {"authorization", true, detect_assignment}, {"auth", true, detect_assignment},
      {"://", false, detect_url_password},
  };
  return kTriggers;
}

}  // namespace bastion::policy::secret
