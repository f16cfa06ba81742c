// Keyboard and hash-table code (ordinary code, no secrets).
#include <cstdint>
#include <string>
#include <unordered_map>

namespace ui {

enum class Key : uint16_t { kUp = 0x41, kDown = 0x42, kEnter = 0x0d, kEscape = 0x1b };

struct KeyBinding {
  Key key;
  const char* action;
};

constexpr KeyBinding kBindings[] = {
    {Key::kUp, "history-prev"}, {Key::kDown, "history-next"}, {Key::kEnter, "submit"}};

// FNV-1a, used as the hash key for the token cache.
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

uint64_t hash_key(const std::string& key) {
  uint64_t h = kFnvOffset;
  for (unsigned char c : key) h = (h ^ c) * kFnvPrime;
  return h;
}

class TokenCache {
 public:
  void put(const std::string& key, int token_count) { counts_[key] = token_count; }
  int get(const std::string& key) const {
    auto it = counts_.find(key);
    return it == counts_.end() ? 0 : it->second;
  }

 private:
  std::unordered_map<std::string, int> counts_;
};

// git object ids seen in tests: HEAD~1 = 9fceb02d0ae598e95dc970b74767f19372d61af8
static const char* kEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

}  // namespace ui
