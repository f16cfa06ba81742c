#include "gateway/crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "util/strings.h"

namespace bastion::gateway {

std::string sha256_hex(std::string_view data) {
  // Fetched once: EVP_sha256() makes EVP_Digest look the implementation up
  // in the provider's tables at every call (an audit entry per request).
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, kSha256 ? kSha256 : EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::string generate_api_key() {
  unsigned char buf[24];
  if (RAND_bytes(buf, sizeof buf) != 1) return "bgw_" + str::random_hex(24);
  static const char* kHex = "0123456789abcdef";
  std::string out = "bgw_";
  for (unsigned char b : buf) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string random_id(size_t bytes) {
  unsigned char buf[64];
  if (bytes > sizeof buf || RAND_bytes(buf, static_cast<int>(bytes)) != 1) return str::random_hex(bytes);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (size_t i = 0; i < bytes; ++i) {
    out.push_back(kHex[buf[i] >> 4]);
    out.push_back(kHex[buf[i] & 15]);
  }
  return out;
}

namespace {

// Random bytes for request ids, drawn from RAND_bytes 4 KiB at a time per
// thread: one call per request cost a getpid() (OpenSSL's fork check) and a
// DRBG round. A forked child must not hand out its parent's next bytes
// (two processes would make the same ids): a fork bumps the generation,
// and a pool of an older generation is drawn again.
std::atomic<uint64_t> g_fork_generation{0};

struct RandomPool {
  unsigned char bytes[4096];
  size_t used = sizeof bytes;
  uint64_t generation = 0;
  bool take(unsigned char* out, size_t n) {
    uint64_t gen = g_fork_generation.load(std::memory_order_relaxed);
    if (used + n > sizeof bytes || generation != gen) {
      if (RAND_bytes(bytes, static_cast<int>(sizeof bytes)) != 1) return false;
      used = 0;
      generation = gen;
    }
    std::memcpy(out, bytes + used, n);
    std::memset(bytes + used, 0, n);  // handed out once
    used += n;
    return true;
  }
};

void count_fork() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

std::string request_id() {
  static const bool kForkWatched = pthread_atfork(nullptr, nullptr, count_fork) == 0;
  thread_local RandomPool pool;
  uint64_t ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  static const char* kHex = "0123456789abcdef";
  char out[24];
  for (int i = 11; i >= 0; --i, ms >>= 4) out[i] = kHex[ms & 15];
  unsigned char rnd[6];
  if (!kForkWatched || !pool.take(rnd, sizeof rnd)) return std::string(out, 12) + random_id(6);
  for (size_t i = 0; i < sizeof rnd; ++i) {
    out[12 + 2 * i] = kHex[rnd[i] >> 4];
    out[13 + 2 * i] = kHex[rnd[i] & 15];
  }
  return std::string(out, sizeof out);
}

}  // namespace bastion::gateway
