// Private keys that reach the redactor in pieces: the second half of a
// chunked read (END line, no BEGIN), a middle chunk with neither marker,
// line-numbered read output and grep output. Every piece must be redacted,
// restore() must give the exact bytes back, and ordinary base64 must not
// trip the body detector.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "policy/redactor.h"

namespace bastion::policy {
namespace {

// A deterministic fake key body: `lines` full-width base64 lines.
std::vector<std::string> key_lines(int lines, size_t width, unsigned seed = 7) {
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<std::string> out;
  unsigned x = seed;
  for (int i = 0; i < lines; ++i) {
    std::string l;
    for (size_t k = 0; k < width; ++k) {
      x = x * 1103515245u + 12345u;
      l += kB64[(x >> 16) & 63];
    }
    out.push_back(l);
  }
  return out;
}

std::string numbered(const std::vector<std::string>& lines, int first) {
  std::string out;
  char num[24];
  for (size_t i = 0; i < lines.size(); ++i) {
    std::snprintf(num, sizeof num, "%5zu\t", static_cast<size_t>(first) + i);
    out += num + lines[i] + "\n";
  }
  return out;
}

void expect_no_body_line_survives(const std::string& out, const std::vector<std::string>& body) {
  for (auto& l : body) EXPECT_EQ(out.find(l.substr(0, 24)), std::string::npos) << "key body leaked:\n" << out;
}

TEST(RedactChunks, SecondHalfWithOnlyTheEndLine) {
  auto body = key_lines(6, 64);
  std::vector<std::string> tail(body.begin() + 3, body.end());
  tail.push_back("Zm9vYmFyZmFrZQ==");
  tail.push_back("-----END RSA PRIVATE KEY-----");
  std::string text = numbered(tail, 5);
  Redactor r;
  std::string out = r.redact(text, "/repo/keys/id_rsa");
  expect_no_body_line_survives(out, tail);
  EXPECT_EQ(out.find("Zm9vYmFyZmFrZQ=="), std::string::npos) << out;
  EXPECT_NE(out.find("[REDACTED:private_key:"), std::string::npos) << out;
  EXPECT_EQ(r.restore(out), text);
}

TEST(RedactChunks, MiddleChunkWithNeitherMarker) {
  auto body = key_lines(5, 64, 11);
  std::string text = numbered(body, 10) + "[showing lines 10-14 of 30; read with offset=15 for more]\n";
  Redactor r;
  std::string out = r.redact(text, "/repo/keys/id_rsa");
  expect_no_body_line_survives(out, body);
  EXPECT_NE(out.find("[showing lines 10-14"), std::string::npos) << "the read footer is not part of the key";
  EXPECT_EQ(r.restore(out), text);
}

TEST(RedactChunks, OpensshBodyViaTailAndGrepPrefixes) {
  auto body = key_lines(4, 70, 3);
  std::string plain, grep;
  for (size_t i = 0; i < body.size(); ++i) {
    plain += body[i] + "\n";
    grep += "home/.ssh/id_ed25519:" + std::to_string(i + 2) + ":" + body[i] + "\n";
  }
  for (const std::string& text : {plain, grep}) {
    Redactor r;
    std::string out = r.redact(text);
    expect_no_body_line_survives(out, body);
    EXPECT_EQ(r.restore(out), text);
  }
}

TEST(RedactChunks, TwoChunksOfOneKeyBothRedacted) {
  auto body = key_lines(8, 64, 5);
  std::string first = "-----BEGIN PRIVATE KEY-----\n";
  for (int i = 0; i < 4; ++i) first += body[i] + "\n";
  std::string second;
  for (int i = 4; i < 8; ++i) second += body[i] + "\n";
  second += "-----END PRIVATE KEY-----\n";
  Redactor r;
  std::string a = r.redact(first), b = r.redact(second);
  expect_no_body_line_survives(a + b, body);
  EXPECT_EQ(r.restore(a) + r.restore(b), first + second);
}

TEST(RedactChunks, OrdinaryBase64AndShortRunsStayVisible) {
  Redactor r;
  // Two key-width lines are not enough to call it a key.
  auto two = key_lines(2, 64, 9);
  std::string text = two[0] + "\n" + two[1] + "\n";
  EXPECT_EQ(r.redact(text), text);
  // Repetitive base64 (low entropy), 76-wide MIME lines, and an END line of
  // something that is not a private key.
  std::string low;
  for (int i = 0; i < 5; ++i) low += std::string(64, 'A') + "\n";
  EXPECT_EQ(r.redact(low), low);
  auto mime = key_lines(5, 76, 13);
  std::string m;
  for (auto& l : mime) m += l + "\n";
  EXPECT_EQ(r.redact(m), m);
  std::string cert = "MIIBszCCAVmgAwIBAgIUd\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(r.redact(cert), cert);
  EXPECT_EQ(r.redaction_count(), 0u);
}

}  // namespace
}  // namespace bastion::policy
