#include "util/curl_library.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace bastion {
namespace {

template <typename Fn>
bool bind(void* handle, const char* name, Fn* out, std::string* missing) {
  *out = reinterpret_cast<Fn>(::dlsym(handle, name));
  if (!*out) *missing = name;
  return *out != nullptr;
}

}  // namespace

Result<const CurlLibrary*> curl_library() {
  static CurlLibrary lib;
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] {
    void* h = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      error = std::string("cannot load libcurl (") + ::dlerror() +
              "); install it with: sudo apt-get install libcurl4";
      return;
    }
    std::string missing;
    bool ok = bind(h, "curl_global_init", &lib.global_init, &missing) &&
              bind(h, "curl_easy_init", &lib.easy_init, &missing) &&
              bind(h, "curl_easy_setopt", &lib.easy_setopt, &missing) &&
              bind(h, "curl_easy_getinfo", &lib.easy_getinfo, &missing) &&
              bind(h, "curl_easy_perform", &lib.easy_perform, &missing) &&
              bind(h, "curl_easy_reset", &lib.easy_reset, &missing) &&
              bind(h, "curl_easy_cleanup", &lib.easy_cleanup, &missing) &&
              bind(h, "curl_easy_strerror", &lib.easy_strerror, &missing) &&
              bind(h, "curl_slist_append", &lib.slist_append, &missing) &&
              bind(h, "curl_slist_free_all", &lib.slist_free_all, &missing) &&
              bind(h, "curl_getdate", &lib.getdate, &missing);
    if (!ok) {
      error = "libcurl.so.4 lacks " + missing + "; install a current libcurl4";
      return;
    }
    if (lib.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) error = "curl_global_init failed";
  });
  if (!error.empty()) return make_error(ErrorKind::kInternal, error);
  return &lib;
}

}  // namespace bastion
