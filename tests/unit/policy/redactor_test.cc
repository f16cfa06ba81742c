// Unit tests for the Redactor: each detector family, placeholder stability,
// restore() round trips and the things that must NOT be redacted.
#include "policy/redactor.h"

#include <gtest/gtest.h>

#include <string>

namespace bastion::policy {
namespace {

// Redacts `text` and expects `secret` gone and a placeholder of `kind` present.
void expect_redacted(const std::string& text, const std::string& secret, const std::string& kind,
                     const std::string& path = "") {
  Redactor r;
  std::string out = r.redact(text, path);
  EXPECT_EQ(out.find(secret), std::string::npos) << "secret survived in: " << out;
  EXPECT_NE(out.find("[REDACTED:" + kind + ":"), std::string::npos) << "kind " << kind << " missing: " << out;
  EXPECT_EQ(r.restore(out), text);
}

void expect_clean(const std::string& text, const std::string& path = "") {
  Redactor r;
  EXPECT_EQ(r.redact(text, path), text);
  EXPECT_EQ(r.redaction_count(), 0u);
}

TEST(Redactor, PemBlockIsReplacedWhole) {
  std::string key =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAfakefakefakeFAKE0123456789abcdef\n"
      "Zm9vYmFyZmFrZWtleWRhdGFmb3J0ZXN0aW5nb25seQ==\n-----END RSA PRIVATE KEY-----";
  std::string text = "cat id_rsa\n" + key + "\ndone\n";
  Redactor r;
  std::string out = r.redact(text);
  EXPECT_EQ(out, "cat id_rsa\n[REDACTED:private_key:1]\ndone\n");
  EXPECT_EQ(r.restore(out), text);
}

TEST(Redactor, OpensshAndPgpAndTruncatedBlocks) {
  expect_redacted("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
                  "-----END OPENSSH PRIVATE KEY-----\n",
                  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", "private_key");
  expect_redacted("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGZmFrZQEIAMxyzFAKEKEY\n=abcd\n"
                  "-----END PGP PRIVATE KEY BLOCK-----\n",
                  "lQOYBGZmFrZQEIAMxyzFAKEKEY", "private_key");
  // No END line (output cut off): everything after BEGIN is redacted.
  expect_redacted("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFAKEFAKEFAKE0123456789\n", "MHcCAQEEIFAKE",
                  "private_key");
  // Public keys and certificates are not secrets.
  expect_clean("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n");
}

TEST(Redactor, CloudKeys) {
  expect_redacted("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", "AKIAIOSFODNN7EXAMPLE", "aws_access_key");
  expect_redacted("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_key");
  expect_redacted("AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_key");
  expect_redacted("access_key_id: LTAI5tFAKEexample12345\n", "LTAI5tFAKEexample12345",
                  "alibaba_access_key_id");
  expect_redacted("access_key_secret: \"FAKEsecret0aliyunExample12345x\"\n",
                  "FAKEsecret0aliyunExample12345x", "alibaba_access_key_secret");
  expect_redacted("DefaultEndpointsProtocol=https;AccountName=fake;AccountKey="
                  "FAKEa2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5==;"
                  "EndpointSuffix=core.windows.net",
                  "FAKEa2V5a2V5a2V5a2V5", "azure_storage_key");
  expect_redacted("AZURE_CLIENT_SECRET=abc8Q~FAKEfakeFAKEfakeFAKEfake0123456.x\n",
                  "abc8Q~FAKEfakeFAKEfakeFAKEfake0123456.x", "azure_client_secret");
}

TEST(Redactor, GcpServiceAccountJson) {
  std::string json =
      "{\n  \"type\": \"service_account\",\n  \"project_id\": \"fake-project\",\n"
      "  \"private_key_id\": \"0123456789abcdef0123456789abcdef01234567\",\n"
      "  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAKE\\n"
      "-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"x@fake-project.iam.gserviceaccount.com\"\n}\n";
  Redactor r;
  std::string out = r.redact(json);
  EXPECT_EQ(out.find("0123456789abcdef0123456789abcdef01234567"), std::string::npos);
  EXPECT_EQ(out.find("MIIEvQIBADANBgkqhkiG9w0BAQEFAKE"), std::string::npos);
  EXPECT_NE(out.find("\"private_key\": \"[REDACTED:gcp_private_key:1]\""), std::string::npos) << out;
  EXPECT_NE(out.find("client_email"), std::string::npos);
  EXPECT_EQ(r.restore(out), json);
}

TEST(Redactor, VendorTokens) {
  expect_redacted("token: ghp_FAKE0123456789abcdefghijklmnopqrstuv", "ghp_FAKE0123456789abcdefghijklmnopqrstuv",
                  "github_token");
  expect_redacted("github_pat_11FAKE0000_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
                  "github_pat_11FAKE0000_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ", "github_token");
  expect_redacted("glpat-FAKEabcdef0123456789", "glpat-FAKEabcdef0123456789", "gitlab_token");
  expect_redacted("SLACK=xoxb-1234567890-FAKE0987654321-abcdefFAKE", "xoxb-1234567890-FAKE0987654321-abcdefFAKE",
                  "slack_token");
  expect_redacted("https://hooks.slack.com/services/T00000000/B00000000/FAKEXXXXXXXXXXXXXXXXXXXX",
                  "T00000000/B00000000/FAKE", "slack_webhook");
  expect_redacted("OPENAI_API_KEY=sk-proj-FAKE0123456789abcdefABCDEF_ghijk",
                  "sk-proj-FAKE0123456789abcdefABCDEF_ghijk", "openai_api_key");
  expect_redacted("key sk-ant-api03-FAKE0123456789abcdefghijklmnop-qrstuvwxyzAA",
                  "sk-ant-api03-FAKE0123456789abcdefghijklmnop-qrstuvwxyzAA", "anthropic_api_key");
  expect_redacted("dashscope: sk-0123456789abcdef0123456789abcdef", "sk-0123456789abcdef0123456789abcdef",
                  "dashscope_api_key");
}

TEST(Redactor, JwtAndUrlPassword) {
  std::string jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlIiwibmFtZSI6IkZBS0UifQ.FAKEsig0123456789abc";
  expect_redacted("Cookie: session=" + jwt, jwt, "jwt");
  Redactor r;
  std::string text = "DATABASE_URL=postgres://admin:Fake-Pa55word@db.internal:5432/app";
  std::string out = r.redact(text);
  EXPECT_EQ(out, "DATABASE_URL=postgres://admin:[REDACTED:url_password:1]@db.internal:5432/app");
  EXPECT_EQ(r.restore(out), text);
}

TEST(Redactor, KeyLikeAssignments) {
  expect_redacted("api_key = \"Zq8vR2mX7pL4nK9wT3yB6cF1\"", "Zq8vR2mX7pL4nK9wT3yB6cF1", "secret");
  expect_redacted("{\"password\": \"hunter2!fake\"}", "hunter2!fake", "password");
  expect_redacted("SECRET_TOKEN=f4k3T0k3nV4lu3xyz\n", "f4k3T0k3nV4lu3xyz", "token");
  expect_redacted("curl -H 'X-Api-Key: 9f8e7d6c5b4a39281706fakeFAKE' https://x", "9f8e7d6c5b4a39281706fakeFAKE",
                  "secret");
  expect_redacted("db:\n  password: S3cr3tFake99\n", "S3cr3tFake99", "password");
  expect_redacted("machine api.example.com login ci password Fake-n3trc-Pass\n", "Fake-n3trc-Pass", "password");
  expect_clean("Enter your password below\nthe password field is required\n");
}

TEST(Redactor, DotenvFilesRedactAllValues) {
  std::string env = "# comment\nDB_HOST=db.internal\nDEBUG=true\nPORT=8080\nSTRIPE=whatever-value\n";
  Redactor r;
  std::string out = r.redact(env, "/repo/.env.production");
  EXPECT_EQ(out, "# comment\nDB_HOST=[REDACTED:env_value:1]\nDEBUG=true\nPORT=8080\nSTRIPE=[REDACTED:env_value:2]\n");
  EXPECT_EQ(r.restore(out), env);
  // The same text under another name is not a dotenv file.
  expect_clean(env, "/repo/notes.txt");
}

TEST(Redactor, OrdinaryCodeIsLeftAlone) {
  expect_clean("for key, value in items.items():\n    if key == 'token':\n        password = get_password()\n");
  expect_clean("const apiKey = process.env.OPENAI_API_KEY;\nconst token = await getToken(user);\n");
  expect_clean("commit = \"4b825dc642cb6eb9a060e54bf8d69288fbee4904\"\nid = \"123e4567-e89b-12d3-a456-426614174000\"\n");
  expect_clean("\"integrity\": \"sha512-FAKEv2q8Q1n6W0Zl9k3P4wq5d7Jx0yA8bT2nQ6fKq1mZ3rX8sV5tU4wY7zB2cE1gH==\"\n");
  expect_clean("cache_key = \"d41d8cd98f00b204e9800998ecf8427e\"\nkey = \"123e4567-e89b-12d3-a456-426614174000\"\n");
  expect_clean("<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk\">");
  expect_clean("std::map<std::string, int>::iterator key = m.begin(); // key::value\n");
  expect_clean("password: \"Password\"\nconfirm_password: \"Confirm password\"\n");
  expect_clean("api_key = \"your-api-key-here\"\ntoken = \"${GITHUB_TOKEN}\"\n");
  expect_clean("max_tokens = 4096\ntokenizer = \"cl100k_base\"\npublic_key = \"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\"\n");
}

TEST(Redactor, PlaceholdersAreStableAndCounted) {
  Redactor r;
  std::string a = r.redact("t1=ghp_FAKE0123456789abcdefghijklmnopqrstuv");
  std::string b = r.redact("again ghp_FAKE0123456789abcdefghijklmnopqrstuv and ghp_FAKE9999999999abcdefghijklmnopqrstuv");
  EXPECT_EQ(a, "t1=[REDACTED:github_token:1]");
  EXPECT_EQ(b, "again [REDACTED:github_token:1] and [REDACTED:github_token:2]");
  EXPECT_EQ(r.redaction_count(), 3u);
  EXPECT_EQ(r.counts_by_kind().at("github_token"), 3u);
  EXPECT_EQ(r.summary(), "3 secrets redacted (github_token 3)");
  EXPECT_TRUE(r.has_placeholder("x [REDACTED:github_token:2] y"));
  EXPECT_FALSE(r.has_placeholder("x [REDACTED:github_token:7] y"));
  // Unknown placeholders survive restore untouched.
  EXPECT_EQ(r.restore("[REDACTED:github_token:9] [REDACTED:github_token:1]"),
            "[REDACTED:github_token:9] ghp_FAKE0123456789abcdefghijklmnopqrstuv");
}

// Found by the fuzz smoke: a key assignment whose value is our own
// placeholder must not be redacted a second time.
TEST(Redactor, OwnPlaceholdersAreNotRedactedAgain) {
  Redactor r;
  std::string once = r.redact("aws_secret_access_key = \"GFTXlVSVz1wPllkQCu3T3HZrjSqrFFAKEWy6GZDj\"\n", "/repo/.env");
  EXPECT_EQ(once, "aws_secret_access_key = \"[REDACTED:aws_secret_key:1]\"\n");
  EXPECT_EQ(r.redact(once, "/repo/.env"), once);
  EXPECT_EQ(r.redaction_count(), 1u);
}

// Found by the fuzz smoke: when two detectors overlap (an Azure SAS
// signature cut short at an odd byte, a .env value running to the end of
// the line) the union is redacted, so no tail of the secret stays visible.
TEST(Redactor, OverlappingDetectionsRedactTheirUnion) {
  Redactor r;
  std::string text = "sig=VgWleURxEeKFAKENhH2qHiaRBIG\x01JjCOViaqSTnatHj%3D\n";
  std::string out = r.redact(text, "/repo/.env.local");
  EXPECT_EQ(out.find("JjCOViaq"), std::string::npos) << out;
  EXPECT_EQ(r.restore(out), text);
}

}  // namespace
}  // namespace bastion::policy
