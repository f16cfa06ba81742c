#include "store/digest.h"

#include <algorithm>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace bastion::store {
namespace {

// SHA-256 fetched once. OpenSSL's config file is not loaded: it costs
// milliseconds at the first digest, and a system config must not be able
// to swap the provider behind the audit trail's hashes.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
    return EVP_MD_fetch(nullptr, "SHA256", nullptr);
  }();
  return md;
}

constexpr size_t kBlock = 64;   // SHA-256 block size
constexpr size_t kDigest = 32;  // SHA-256 output size

void sha256_raw(std::string_view a, std::string_view b, unsigned char out[kDigest]) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, sha256_md(), nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, b.data(), b.size());
  unsigned n = 0;
  EVP_DigestFinal_ex(ctx, out, &n);
  EVP_MD_CTX_free(ctx);
}

std::string to_hex(const unsigned char* d, unsigned n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 15];
  }
  return out;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), sha256_md(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

std::string Sha256::hex_digest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &n);
  return to_hex(md, n);
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex_digest();
}

// HMAC as RFC 2104 defines it: H((K ^ opad) || H((K ^ ipad) || data)),
// with K hashed first when longer than a block and zero-padded to one.
std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  unsigned char k[kBlock] = {0};
  if (key.size() > kBlock)
    sha256_raw(key, "", k);
  else
    std::copy(key.begin(), key.end(), k);
  std::string inner_pad(kBlock, '\0'), outer_pad(kBlock, '\0');
  for (size_t i = 0; i < kBlock; ++i) {
    inner_pad[i] = static_cast<char>(k[i] ^ 0x36);
    outer_pad[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  unsigned char inner[kDigest], outer[kDigest];
  sha256_raw(inner_pad, data, inner);
  sha256_raw(outer_pad, std::string_view(reinterpret_cast<const char*>(inner), kDigest), outer);
  return to_hex(outer, kDigest);
}

bool digest_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace bastion::store
