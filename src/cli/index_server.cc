#include "cli/index_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/embeddings_setup.h"
#include "cli/index_socket.h"
#include "cli/index_wire.h"
#include "cli/search_command.h"
#include "cli/subcommands.h"
#include "index/index_open.h"
#include "index/index_store.h"
#include "util/fs.h"

namespace bastion::cli {
namespace {

constexpr int kWorkers = 2;        // CodeIndex is thread-safe; searches are CPU-bound
constexpr size_t kMaxQueued = 64;  // beyond this a connection is closed: its client falls back
constexpr int kRequestTimeoutMs = 10 * 1000;  // a client that stops mid-request is dropped
constexpr int kReplyTimeoutMs = 30 * 1000;
constexpr auto kRootCheckEvery = std::chrono::seconds(5);  // does the repository still exist?

using Clock = std::chrono::steady_clock;

int fail(const std::string& message) {
  std::fprintf(stderr, "bastion index: %s\n", message.c_str());
  return kExitError;
}

std::string one_line(const std::string& s, size_t max) {
  std::string out = s.substr(0, max);
  for (char& c : out)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s.size() > max ? out + "..." : out;
}

class Server {
 public:
  Server(index::CodeIndex& index, bool verbose) : index_(index), verbose_(verbose) {}

  // A connection was accepted (before it is queued) / was answered or dropped.
  void begin() {
    busy_.fetch_add(1);
    touch();
  }
  void end() {
    touch();
    busy_.fetch_sub(1);
  }
  // How long no connection has been waiting or answered (zero while one is).
  Clock::duration idle(Clock::time_point now) const {
    if (busy_.load() > 0) return Clock::duration::zero();
    return now - Clock::time_point(Clock::duration(last_activity_.load()));
  }
  // When an idle server should look again (`idle_for` after the last
  // activity, or after now while a connection is in hand).
  Clock::time_point next_idle_check(Clock::time_point now, Clock::duration idle_for) const {
    if (busy_.load() > 0) return now + idle_for;
    return Clock::time_point(Clock::duration(last_activity_.load())) + idle_for;
  }

  // Answers one connection (counted by begin()); never throws.
  void handle(int raw_fd) {
    answer_and_close(raw_fd);
    end();
  }

 private:
  void touch() { last_activity_.store(Clock::now().time_since_epoch().count()); }

  void answer_and_close(int raw_fd) {
    Fd fd(raw_fd);
    auto start = std::chrono::steady_clock::now();
    wire::Reply reply;
    std::string what;
    try {
      reply = answer(fd.get(), what);
    } catch (const std::exception& e) {
      reply = refusal(std::string("internal error: ") + e.what());
    }
    // Logged before the reply goes out, so whoever got the reply finds it logged.
    if (verbose_) {
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      std::lock_guard<std::mutex> lock(log_mu_);
      if (reply.status == wire::Status::kAnswered)
        std::fprintf(stderr, "bastion index: search \"%s\": exit %d, %zu bytes in %.1f ms\n",
                     what.c_str(), reply.exit_code, reply.out.size(), ms);
      else
        std::fprintf(stderr, "bastion index: request not answered: %s", reply.err.c_str());
    }
    (void)send_all(fd.get(), wire::encode_reply(reply));
  }

  static wire::Reply refusal(const std::string& why, wire::Status status = wire::Status::kError) {
    wire::Reply r;
    r.status = status;
    r.exit_code = kExitError;
    r.err = "bastion index server: " + why + "\n";
    return r;
  }

  wire::Reply answer(int fd, std::string& what) {
    ucred peer{};
    socklen_t len = sizeof peer;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != ::getuid())
      return refusal("permission denied: the client runs as another user");
    set_socket_timeouts(fd, kRequestTimeoutMs, kReplyTimeoutMs);
    auto payload = read_frame(fd, wire::kRequestMagic, wire::kMaxRequestBytes);
    if (!payload.ok()) return refusal("bad request: " + payload.error().message);
    auto request = wire::decode_request(payload.value());
    if (!request.ok()) return refusal("bad request: " + request.error().message);
    if (request->root != index_.root())
      return refusal("this server indexes " + index_.root() + ", not " + request->root);
    auto args = parse_search_args(request->args);
    wire::Reply r;
    if (!args.ok()) {
      r.exit_code = kExitUsage;
      r.err = "bastion search: " + args.error().message + "\n";
      return r;
    }
    if (args->help) {
      r.out = std::string(search_usage()) + "\n";
      return r;
    }
    std::string query = args->query_from_stdin() ? request->stdin_text : args->joined_words();
    what = one_line(query, 60);
    if (blank_query(query)) {
      r.exit_code = kExitUsage;
      r.err = std::string(search_usage()) + "\n";
      return r;
    }
    // Dense vectors appeared since the client looked: its environment
    // decides the embeddings endpoint, so it searches itself.
    if (fs::exists(dense_store_path(index_.root())))
      return refusal("the repository has dense vectors; search in-process",
                     wire::Status::kFallback);
    CommandOutput out = search_index(index_, args.value(), query, /*dense=*/false);
    r.exit_code = out.exit_code;
    r.out = std::move(out.out);
    r.err = std::move(out.err);
    return r;
  }

  index::CodeIndex& index_;
  bool verbose_;
  std::mutex log_mu_;
  std::atomic<int> busy_{0};
  std::atomic<Clock::rep> last_activity_{Clock::now().time_since_epoch().count()};
};

// A fixed pool of threads answering queued connections.
class Workers {
 public:
  Workers(Server& server, int n) {
    for (int i = 0; i < n; ++i)
      threads_.emplace_back([this, &server] {
        for (;;) {
          int fd;
          {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
            if (queue_.empty()) return;
            fd = queue_.front();
            queue_.pop_front();
          }
          server.handle(fd);
        }
      });
  }
  ~Workers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  // False (and `fd` closed) when the queue is full.
  bool push(int fd) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.size() >= kMaxQueued) {
        ::close(fd);
        return false;
      }
      queue_.push_back(fd);
    }
    cv_.notify_one();
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// Binds a 0600 listening socket at `path` (any old file there removed).
Result<Fd> listen_at(const std::string& path) {
  ::unlink(path.c_str());
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0)
    return make_error(ErrorKind::kIo, std::string("socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  mode_t old = ::umask(0177);
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::umask(old);
  if (rc != 0 || ::chmod(path.c_str(), 0600) != 0 || ::listen(fd.get(), 64) != 0)
    return make_error(ErrorKind::kIo,
                      "cannot listen on " + path + ": " + std::strerror(rc != 0 ? err : errno));
  return fd;
}

// The identity of a directory, to notice it was removed (or replaced).
struct DirId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const DirId&) const = default;
};
std::optional<DirId> dir_id(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return DirId{st.st_dev, st.st_ino};
}

}  // namespace

int run_index_server(const IndexServerOptions& options) {
  if (!fs::is_directory(options.dir)) return fail("not a directory: " + options.dir);
  const std::string root = index::repo_root_for(options.dir);
  auto path = index_socket_path(index::default_db_path(root), /*create_dir=*/true);
  if (!path.ok()) return fail(path.error().message);
  const std::string& sock = path.value();

  // One server per index, decided before the (slow) opening, so a server
  // that `bastion search` started while another is starting exits at once.
  // The lock is the kernel's: a killed server's lock is gone and its stale
  // socket is replaced below.
  std::string lock_path = sock + ".lock";
  // The database's directory, made here when this is the first index.
  if (Status made = fs::make_dirs(lock_path.substr(0, lock_path.rfind('/'))); !made.ok())
    return fail(made.error().message);
  Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock.get() < 0) return fail("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0 || connect_unix(sock).ok())
    return fail("an index server for " + root + " is already running (socket " + sock + ")");
  const auto root_id = dir_id(root);

  auto opened = index::open_repo_index(options.dir, "", /*watch=*/true);
  if (!opened.ok()) return fail(opened.error().message);
  index::CodeIndex& index = *opened.value();

  for (int i = 0; i < 2; ++i) {  // the second pass adds watches the first one's walk found
    auto stats = index.refresh();
    if (!stats.ok()) return fail(stats.error().message);
    if (!stats->walked) break;
  }

  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts
  Fd sigfd(::signalfd(-1, &signals, SFD_CLOEXEC));
  if (sigfd.get() < 0) return fail(std::string("signalfd: ") + std::strerror(errno));
  auto listener = listen_at(sock);
  if (!listener.ok()) return fail(listener.error().message);

  std::printf("bastion index: serving %s on %s\n", index.root().c_str(), sock.c_str());
  std::fflush(stdout);
  Server server(index, options.verbose);
  const auto idle_exit = std::chrono::seconds(std::max(0, options.idle_exit_seconds));
  std::string why;
  {
    Workers workers(server, kWorkers);
    pollfd fds[2] = {{listener->get(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
    auto next_root_check = Clock::now() + kRootCheckEvery;
    for (;;) {
      auto wake = next_root_check;
      if (idle_exit.count() > 0)
        wake = std::min(wake, server.next_idle_check(Clock::now(), idle_exit));
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now()).count();
      if (::poll(fds, 2, static_cast<int>(std::clamp<decltype(wait)>(wait, 0, 60000))) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[1].revents) break;
      if (fds[0].revents & POLLIN) {
        int client = ::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (client >= 0) {
          server.begin();
          if (!workers.push(client)) server.end();
        } else if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));  // e.g. out of fds
        }
      }
      auto now = Clock::now();
      if (idle_exit.count() > 0 && server.idle(now) >= idle_exit) {
        why = " (idle for " + std::to_string(idle_exit.count()) + " s)";
        break;
      }
      if (now >= next_root_check) {
        if (!root_id || dir_id(index.root()) != root_id) {
          why = " (the repository root is gone)";
          break;
        }
        next_root_check = now + kRootCheckEvery;
      }
    }
    ::unlink(sock.c_str());  // before waiting for answers in flight: new clients search themselves
  }
  std::printf("bastion index: stopped serving %s%s\n", index.root().c_str(), why.c_str());
  return kExitOk;
}

}  // namespace bastion::cli
