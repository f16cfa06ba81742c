#include "cli/index_autostart.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cli/embeddings_setup.h"
#include "cli/index_client.h"
#include "cli/index_socket.h"
#include "index/index_store.h"
#include "util/fs.h"

extern char** environ;

namespace bastion::cli {
namespace {

constexpr size_t kDefaultAutoserveFiles = 20000;
constexpr int kIdleExitSeconds = 600;

// True when a server holds the lock beside `sock` (it is starting or
// serving). Probing takes the lock for an instant: a server starting in that
// instant exits, and the one this search then starts takes its place.
bool server_lock_held(const std::string& sock) {
  std::string lock_path = sock + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

// `fd` moved to a number above 2 (still close-on-exec), so dup2() onto
// stdin/stdout/stderr always makes a copy that survives exec; -1 stays -1.
int above_stdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

// Runs argv (argv[0] shown in ps; the binary is this one's) in a new session
// with stdin from /dev/null and stdout/stderr to `log_path` (appended) or
// /dev/null, no other descriptors, in "/". Waits only for the intermediate
// child, which exits at once; the grandchild is adopted by init. An error
// message when it could not be forked.
std::string spawn_detached(const std::vector<std::string>& args, const std::string& log_path) {
  // Everything the children need is prepared here: after fork() in a process
  // that may have threads, only async-signal-safe calls are allowed.
  std::vector<std::string> owned = args;
  std::vector<char*> argv;
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  int in = above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  int out = above_stdio(
      log_path.empty() ? ::open("/dev/null", O_WRONLY | O_CLOEXEC)
                       : ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (in < 0 || out < 0) {
    std::string why = std::strerror(errno);
    if (in >= 0) ::close(in);
    if (out >= 0) ::close(out);
    return why;
  }
  sigset_t none;
  sigemptyset(&none);

  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setsid() < 0) ::_exit(1);
    pid_t grandchild = ::fork();
    if (grandchild != 0) ::_exit(grandchild < 0 ? 1 : 0);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD}) ::signal(s, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) ::_exit(1);
    if (::close_range(3, UINT_MAX, 0) != 0)
      for (int fd = 3; fd < 1024; ++fd) ::close(fd);
    if (::chdir("/") != 0) ::_exit(1);
    ::execve("/proc/self/exe", argv.data(), environ);
    ::_exit(127);
  }
  int fork_errno = errno;
  ::close(in);
  ::close(out);
  if (pid < 0) return std::string("fork: ") + std::strerror(fork_errno);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) return "fork failed";
  return "";
}

}  // namespace

size_t autoserve_threshold() {
  const char* env = std::getenv("BASTION_INDEX_AUTOSERVE_FILES");
  if (!env || *env < '0' || *env > '9') return kDefaultAutoserveFiles;
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(env, &end, 10);
  if (errno != 0 || *end != '\0') return kDefaultAutoserveFiles;
  return static_cast<size_t>(n);
}

void maybe_autostart_index_server(const SearchArgs& parsed, const std::string& root, size_t files) {
  if (index_server_disabled(parsed) || files < autoserve_threshold()) return;
  if (fs::exists(dense_store_path(root))) return;  // a server would refuse such searches
  auto sock = index_socket_path(index::default_db_path(root), /*create_dir=*/false);
  if (sock.ok() && server_lock_held(sock.value())) return;

  const char* log = std::getenv("BASTION_INDEX_SERVER_LOG");
  std::string log_path = log ? log : "";
  std::vector<std::string> args = {"bastion", "index", "--serve", "--idle-exit",
                                   std::to_string(kIdleExitSeconds)};
  if (!log_path.empty()) args.push_back("-v");
  args.push_back(root);
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) args[0].assign(self, static_cast<size_t>(n));

  std::fflush(stdout);
  std::fflush(stderr);
  std::string error = spawn_detached(args, log_path);
  if (!error.empty()) {
    std::fprintf(stderr, "bastion search: could not start an index server: %s\n", error.c_str());
    return;
  }
  std::fprintf(stderr,
               "bastion search: started an index server for %s (it exits after %d idle minutes; "
               "BASTION_INDEX_SERVER=0 turns this off)\n",
               root.c_str(), kIdleExitSeconds / 60);
}

}  // namespace bastion::cli
