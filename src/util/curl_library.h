// libcurl, loaded with dlopen on first use instead of linked.
//
// libcurl pulls in about 30 shared libraries (OpenSSL, Kerberos, LDAP,
// GnuTLS, nghttp2, ...). Linking it made every start of `bastion`, including
// `--version` and commands that never touch the network, pay for loading and
// relocating all of them. Loading it lazily keeps start-up in single-digit
// milliseconds. The API is the real libcurl API (same header, same types);
// only the calls go through these pointers.
#pragma once

#include <curl/curl.h>

#include "util/result.h"

namespace bastion {

struct CurlLibrary {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  CURLcode (*easy_perform)(CURL*);
  void (*easy_reset)(CURL*);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  time_t (*getdate)(const char*, const time_t*);
};

// Loads libcurl.so.4 once (thread-safe) and runs curl_global_init. A
// kInternal error names the library and how to install it when missing.
Result<const CurlLibrary*> curl_library();

}  // namespace bastion
