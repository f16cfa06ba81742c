// Runs a libFuzzer target without libFuzzer: replays every file in the seed
// corpus directory (argv[1]), then 20,000 deterministic random mutations of
// those seeds. A crash or sanitizer report fails the test, and the input
// that caused it (or that ran for more than 5 s) is saved to
// ./fuzz-smoke-crash so it can be replayed.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

const std::string* g_current_input = nullptr;

// Async-signal-safe: only open/write/close, then re-raise.
void save_current_input(int sig) {
  if (g_current_input) {
    int fd = ::open("fuzz-smoke-crash", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ssize_t ignored = ::write(fd, g_current_input->data(), g_current_input->size());
      (void)ignored;
      ::close(fd);
    }
    const char msg[] = "fuzz smoke: crashing input saved to ./fuzz-smoke-crash\n";
    ssize_t ignored = ::write(2, msg, sizeof msg - 1);
    (void)ignored;
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void run_one(const std::string& s) {
  g_current_input = &s;
  ::alarm(5);  // one input taking seconds is a hang (e.g. exponential matching)
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  ::alarm(0);
  g_current_input = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM}) ::signal(sig, save_current_input);
  std::vector<std::string> seeds = {"", "{}", "data: {}\n\n", "\x00\xff"};
  if (argc > 1) {
    if (DIR* d = opendir(argv[1])) {
      while (dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        std::ifstream in(std::string(argv[1]) + "/" + e->d_name, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        seeds.push_back(ss.str());
      }
      closedir(d);
    }
  }
  for (auto& s : seeds) run_one(s);
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) {
    std::string s = seeds[rng() % seeds.size()];
    int edits = 1 + rng() % 8;
    for (int k = 0; k < edits; ++k) {
      size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
      switch (rng() % 4) {
        case 0: s.insert(s.begin() + pos, static_cast<char>(rng())); break;
        case 1: if (!s.empty() && pos < s.size()) s.erase(pos, 1 + rng() % 4); break;
        case 2: if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(rng()); break;
        case 3: { const std::string& o = seeds[rng() % seeds.size()];
                  if (!o.empty()) s.insert(pos, o.substr(rng() % o.size(), 1 + rng() % 16)); } break;
      }
    }
    run_one(s);
  }
  std::printf("fuzz smoke: %zu seeds, 20000 mutations, no crash\n", seeds.size());
  return 0;
}
