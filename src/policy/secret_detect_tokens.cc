// Detectors for secrets with a recognisable shape: PEM private keys, cloud
// access keys, vendor tokens (GitHub, GitLab, Slack, OpenAI, Anthropic,
// DashScope, Stripe, Google, npm, Hugging Face), JWTs, Azure connection
// string parts and GCP service-account JSON fields.
#include <string_view>

#include "policy/secret_scanner.h"
#include "policy/secret_text.h"

namespace bastion::policy::secret {
namespace {

constexpr int kPemPriority = 100;
constexpr int kTokenPriority = 80;

bool is_token_char(char c) { return is_alnum(c) || c == '_' || c == '-'; }
bool is_alnum_char(char c) { return is_alnum(c); }
bool is_upper_alnum(char c) { return is_upper(c) || is_digit(c); }

// PEM: "-----BEGIN <label>-----" ... "-----END <label>-----", whole block.
// A block without an END line is redacted to the end of the text.
void detect_pem(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  size_t label_end = t.find("-----", pos + len);
  if (label_end == std::string_view::npos || label_end - pos > 80) return;
  std::string_view label = t.substr(pos + len, label_end - pos - len);
  if (label.find("PRIVATE KEY") == std::string_view::npos) return;
  size_t end_marker = t.find("-----END ", label_end + 5);
  size_t end = t.size();
  if (end_marker != std::string_view::npos) {
    size_t close = t.find("-----", end_marker + 9);
    end = close == std::string_view::npos ? t.size() : close + 5;
  }
  ctx.add(pos, end, "private_key", kPemPriority);
}

// PuTTY .ppk: "Private-Lines: N" followed by N base64 lines.
void detect_putty(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  size_t p = pos + len;
  while (p < t.size() && t[p] == ' ') ++p;
  size_t digits = run_length(t, p, is_digit, 4);
  if (digits == 0) return;
  int lines = std::stoi(std::string(t.substr(p, digits)));
  size_t start = t.find('\n', p);
  if (start == std::string_view::npos) return;
  size_t end = start + 1;
  for (int i = 0; i < lines && end < t.size(); ++i) {
    size_t nl = t.find('\n', end);
    end = nl == std::string_view::npos ? t.size() : nl + 1;
  }
  if (end > start + 1 && t[end - 1] == '\n') --end;
  ctx.add(start + 1, end, "private_key", kPemPriority);
}

// Prefix + run of `cls` at least `min_len` long, at token boundaries.
template <typename Cls>
bool prefixed_run(const ScanContext& ctx, size_t pos, size_t len, Cls cls, size_t min_len,
                  size_t* end_out) {
  if (!boundary_before(ctx.text, pos, is_token_char)) return false;
  size_t n = run_length(ctx.text, pos + len, cls);
  if (n < min_len) return false;
  *end_out = pos + len + n;
  return true;
}

void detect_aws_key_id(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  if (!boundary_before(t, pos, is_alnum_char)) return;
  size_t n = run_length(t, pos + len, is_upper_alnum, 40);
  if (n != 16) return;
  size_t end = pos + len + n;
  ctx.add(pos, end, "aws_access_key", kTokenPriority);
  // A secret access key right after the id (credentials CSV, "id:secret").
  size_t p = end;
  size_t skipped = 0;
  while (p < t.size() && skipped < 6 &&
         (t[p] == ',' || t[p] == ':' || t[p] == ';' || t[p] == '|' || t[p] == ' ' ||
          t[p] == '\t' || t[p] == '"' || t[p] == '\'')) {
    ++p, ++skipped;
  }
  if (skipped == 0) return;
  size_t m = run_length(t, p, is_base64, 64);
  if (m == 40 && (p + m >= t.size() || !is_base64(t[p + m])) &&
      shannon_entropy(t.substr(p, m)) > 3.5) {
    ctx.add(p, p + m, "aws_secret_key", kTokenPriority);
  }
}

void detect_alibaba_id(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  if (!boundary_before(t, pos, is_alnum_char)) return;
  size_t n = run_length(t, pos + len, is_alnum_char, 40);
  if (n < 12 || n > 30) return;
  if (!has_digit(t.substr(pos + len, n)) && n < 20) return;
  ctx.add(pos, pos + len + n, "alibaba_access_key_id", kTokenPriority);
}

void detect_github(const ScanContext& ctx, size_t pos, size_t len) {
  size_t end;
  if (prefixed_run(ctx, pos, len, is_alnum_char, 30, &end))
    ctx.add(pos, end, "github_token", kTokenPriority);
}

void detect_github_pat(const ScanContext& ctx, size_t pos, size_t len) {
  size_t end;
  auto cls = [](char c) { return is_alnum(c) || c == '_'; };
  if (prefixed_run(ctx, pos, len, cls, 30, &end)) ctx.add(pos, end, "github_token", kTokenPriority);
}

void detect_gitlab(const ScanContext& ctx, size_t pos, size_t len) {
  size_t end;
  if (prefixed_run(ctx, pos, len, is_token_char, 20, &end))
    ctx.add(pos, end, "gitlab_token", kTokenPriority);
}

void detect_slack(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  // "xox" + one of a,b,p,r,s,e + "-"
  if (pos + 5 > t.size()) return;
  char k = t[pos + 3];
  if (!(k == 'a' || k == 'b' || k == 'p' || k == 'r' || k == 's' || k == 'e') || t[pos + 4] != '-')
    return;
  size_t end;
  if (prefixed_run(ctx, pos, 5, is_token_char, 10, &end) && has_digit(t.substr(pos, end - pos)))
    ctx.add(pos, end, "slack_token", kTokenPriority);
}

void detect_slack_app(const ScanContext& ctx, size_t pos, size_t len) {
  size_t end;
  if (prefixed_run(ctx, pos, len, is_token_char, 20, &end))
    ctx.add(pos, end, "slack_token", kTokenPriority);
}

void detect_slack_webhook(const ScanContext& ctx, size_t pos, size_t len) {
  auto cls = [](char c) { return is_alnum(c) || c == '/'; };
  size_t n = run_length(ctx.text, pos + len, cls, 200);
  if (n >= 20) ctx.add(pos + len, pos + len + n, "slack_webhook", kTokenPriority);
}

// "sk-…": Anthropic (sk-ant-), OpenAI (sk-proj-, sk-svcacct-, sk-admin-,
// legacy 48 chars), DashScope/DeepSeek style (32 hex).
void detect_sk(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  if (!boundary_before(t, pos, is_token_char)) return;
  size_t n = run_length(t, pos + len, is_token_char, 400);
  if (n < 20) return;
  std::string_view body = t.substr(pos + len, n);
  std::string_view kind;
  if (body.substr(0, 4) == "ant-") {
    kind = "anthropic_api_key";
  } else if (body.substr(0, 5) == "proj-" || body.substr(0, 8) == "svcacct-" ||
             body.substr(0, 6) == "admin-" || body.find("T3BlbkFJ") != std::string_view::npos) {
    kind = "openai_api_key";
  } else if (n == 32 && all_hex(body)) {
    kind = "dashscope_api_key";
  } else {
    size_t digits = 0;
    for (char c : body) digits += is_digit(c);
    if (digits < 2 || !has_alpha(body) || shannon_entropy(body) < 3.5) return;
    kind = "openai_api_key";
  }
  ctx.add(pos, pos + len + n, kind, kTokenPriority);
}

void detect_stripe(const ScanContext& ctx, size_t pos, size_t len) {
  size_t end;
  if (prefixed_run(ctx, pos, len, is_alnum_char, 16, &end))
    ctx.add(pos, end, "stripe_key", kTokenPriority);
}

void detect_google_api_key(const ScanContext& ctx, size_t pos, size_t len) {
  size_t end;
  if (prefixed_run(ctx, pos, len, is_token_char, 35, &end) && end - pos - len <= 40)
    ctx.add(pos, end, "google_api_key", kTokenPriority);
}

void detect_npm(const ScanContext& ctx, size_t pos, size_t len) {
  size_t end;
  if (prefixed_run(ctx, pos, len, is_alnum_char, 36, &end) && has_digit(ctx.text.substr(pos, end - pos)))
    ctx.add(pos, end, "npm_token", kTokenPriority);
}

void detect_hf(const ScanContext& ctx, size_t pos, size_t len) {
  size_t end;
  if (prefixed_run(ctx, pos, len, is_alnum_char, 30, &end) &&
      shannon_entropy(ctx.text.substr(pos + len, end - pos - len)) > 3.5)
    ctx.add(pos, end, "huggingface_token", kTokenPriority);
}

// JWT: three base64url segments, the first a JSON header ("eyJ").
void detect_jwt(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  if (!boundary_before(t, pos, is_token_char)) return;
  size_t a = run_length(t, pos, is_token_char, 8192);
  if (a < 10 || pos + a >= t.size() || t[pos + a] != '.') return;
  size_t p2 = pos + a + 1;
  size_t b = run_length(t, p2, is_token_char, 65536);
  if (b < 10 || p2 + b >= t.size() || t[p2 + b] != '.') return;
  size_t p3 = p2 + b + 1;
  size_t c = run_length(t, p3, is_token_char, 8192);
  ctx.add(pos, p3 + c, "jwt", kTokenPriority - 5);
}

// Azure connection strings: AccountKey=…; SharedAccessKey=…; SAS sig=…
template <int kKind>
void detect_azure_kv(const ScanContext& ctx, size_t pos, size_t len) {
  static constexpr std::string_view kKinds[] = {"azure_storage_key", "azure_shared_access_key",
                                                "azure_sas_signature"};
  std::string_view t = ctx.text;
  auto cls = [](char c) { return is_base64(c) || c == '=' || c == '%' || c == '-' || c == '_'; };
  if (kKind == 2 && !boundary_before(t, pos, is_alnum_char)) return;
  size_t n = run_length(t, pos + len, cls, 400);
  if (n < 20) return;
  ctx.add(pos + len, pos + len + n, kKinds[kKind], kTokenPriority);
}

// Azure AD client secret: 3 chars, a digit, "Q~", then 31+ chars.
void detect_azure_client_secret(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  auto cls = [](char c) { return is_alnum(c) || c == '_' || c == '~' || c == '.' || c == '-'; };
  if (pos < 4 || !is_digit(t[pos - 1])) return;
  size_t start = pos - 4;
  for (size_t i = start; i < pos; ++i)
    if (!cls(t[i])) return;
  if (!boundary_before(t, start, cls)) return;
  size_t n = run_length(t, pos + len, cls, 64);
  if (n < 31) return;
  ctx.add(start, pos + len + n, "azure_client_secret", kTokenPriority);
}

// GCP service-account JSON: "private_key_id": "…", "private_key": "…".
size_t json_string_value(std::string_view t, size_t p, size_t* value_end) {
  while (p < t.size() && (t[p] == ' ' || t[p] == '\t' || t[p] == '\\')) ++p;
  if (p < t.size() && t[p] == '"') ++p;  // closing quote of the key (maybe escaped)
  while (p < t.size() && (t[p] == ' ' || t[p] == '\t')) ++p;
  if (p >= t.size() || t[p] != ':') return std::string_view::npos;
  ++p;
  while (p < t.size() && (t[p] == ' ' || t[p] == '\t' || t[p] == '\\')) ++p;
  if (p >= t.size() || t[p] != '"') return std::string_view::npos;
  size_t start = ++p;
  while (p < t.size() && t[p] != '"' && t[p] != '\n') {
    if (t[p] == '\\' && p + 1 < t.size()) {
      if (t[p + 1] == '"') break;  // escaped closing quote inside an escaped document
      ++p;
    }
    ++p;
  }
  *value_end = p;
  return start;
}

void detect_gcp_key_id(const ScanContext& ctx, size_t pos, size_t len) {
  size_t end;
  size_t start = json_string_value(ctx.text, pos + len, &end);
  if (start == std::string_view::npos || end - start < 16) return;
  ctx.add(start, end, "gcp_private_key_id", kPemPriority + 10);
}

void detect_gcp_key(const ScanContext& ctx, size_t pos, size_t len) {
  size_t end;
  size_t start = json_string_value(ctx.text, pos + len, &end);
  if (start == std::string_view::npos || end - start < 16) return;
  ctx.add(start, end, "gcp_private_key", kPemPriority + 10);
}

// "Bearer <token>" in headers and curl command lines.
void detect_bearer(const ScanContext& ctx, size_t pos, size_t len) {
  std::string_view t = ctx.text;
  if (!boundary_before(t, pos, is_alnum_char)) return;
  auto cls = [](char c) { return is_base64url(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '='; };
  size_t n = run_length(t, pos + len, cls, 8192);
  if (n < 16) return;
  std::string_view tok = t.substr(pos + len, n);
  if (shannon_entropy(tok) < 3.0 || !has_digit(tok)) return;
  ctx.add(pos + len, pos + len + n, "bearer_token", kTokenPriority - 10);
}

}  // namespace

const std::vector<Trigger>& token_triggers() {
  static const std::vector<Trigger> kTriggers = {
      {"-----BEGIN ", false, detect_pem},
      {"Private-Lines:", false, detect_putty},
      {"AKIA", false, detect_aws_key_id},
      {"ASIA", false, detect_aws_key_id},
      {"ABIA", false, detect_aws_key_id},
      {"ACCA", false, detect_aws_key_id},
      {"AGPA", false, detect_aws_key_id},
      {"AIDA", false, detect_aws_key_id},
      {"AROA", false, detect_aws_key_id},
      {"AIPA", false, detect_aws_key_id},
      {"ANPA", false, detect_aws_key_id},
      {"ANVA", false, detect_aws_key_id},
      {"APKA", false, detect_aws_key_id},
      {"LTAI", false, detect_alibaba_id},
      {"ghp_", false, detect_github},
      {"gho_", false, detect_github},
      {"ghs_", false, detect_github},
      {"ghu_", false, detect_github},
      {"ghr_", false, detect_github},
      {"github_pat_", false, detect_github_pat},
      {"glpat-", false, detect_gitlab},
      {"gldt-", false, detect_gitlab},
      {"glrt-", false, detect_gitlab},
      {"glptt-", false, detect_gitlab},
      {"GR1348941", false, detect_gitlab},
      {"xox", false, detect_slack},
      {"xapp-", false, detect_slack_app},
      {"hooks.slack.com/services/", false, detect_slack_webhook},
      {"hooks.slack.com/workflows/", false, detect_slack_webhook},
      {"sk-", false, detect_sk},
      {"sk_live_", false, detect_stripe},
      {"sk_test_", false, detect_stripe},
      {"rk_live_", false, detect_stripe},
      {"rk_test_", false, detect_stripe},
      {"AIza", false, detect_google_api_key},
      {"npm_", false, detect_npm},
      {"hf_", false, detect_hf},
      {"eyJ", false, detect_jwt},
      {"AccountKey=", false, detect_azure_kv<0>},
      {"SharedAccessKey=", false, detect_azure_kv<1>},
      {"sig=", false, detect_azure_kv<2>},
      {"Q~", false, detect_azure_client_secret},
      {"private_key_id", false, detect_gcp_key_id},
      {"private_key\"", false, detect_gcp_key},
      {"private_key\\\"", false, detect_gcp_key},
      {"bearer ", true, detect_bearer},
  };
  return kTriggers;
}

}  // namespace bastion::policy::secret
