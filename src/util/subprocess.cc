#include "util/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace bastion {
namespace {

using Clock = std::chrono::steady_clock;

// Keeps the first half of the cap and a rolling window of the last half.
class HeadTailBuffer {
 public:
  explicit HeadTailBuffer(size_t cap) : head_cap_(cap / 2), tail_cap_(cap - cap / 2) {}

  void append(const char* data, size_t n) {
    total_ += n;
    size_t to_head = head_.size() < head_cap_ ? std::min(n, head_cap_ - head_.size()) : 0;
    head_.append(data, to_head);
    data += to_head;
    n -= to_head;
    if (n == 0) return;
    tail_.append(data, n);
    if (tail_.size() > 2 * tail_cap_ + 65536) tail_.erase(0, tail_.size() - tail_cap_);
  }

  size_t total() const { return total_; }

  std::string finish() {
    if (total_ <= head_cap_ + tail_cap_) return head_ + tail_;
    if (tail_.size() > tail_cap_) tail_.erase(0, tail_.size() - tail_cap_);
    // Never split a UTF-8 sequence at either cut.
    size_t head_end = head_.size();
    size_t lead = head_end;
    while (lead > 0 && head_end - lead < 4 &&
           (static_cast<unsigned char>(head_[lead - 1]) & 0xC0) == 0x80)
      --lead;
    if (lead > 0) {
      unsigned char c = static_cast<unsigned char>(head_[lead - 1]);
      size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      if (head_end - (lead - 1) < len) head_end = lead - 1;
    }
    size_t tail_start = 0;
    while (tail_start < tail_.size() && tail_start < 4 &&
           (static_cast<unsigned char>(tail_[tail_start]) & 0xC0) == 0x80)
      ++tail_start;
    size_t dropped = total_ - head_end - (tail_.size() - tail_start);
    std::string out = head_.substr(0, head_end);
    out += "\n[... " + std::to_string(dropped) + " bytes of output elided ...]\n";
    out.append(tail_, tail_start, std::string::npos);
    return out;
  }

 private:
  size_t head_cap_, tail_cap_, total_ = 0;
  std::string head_, tail_;
};

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

void set_nonblock(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

void write_all_raw(int fd, const char* s, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, s, n);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      return;
    }
    s += w;
    n -= static_cast<size_t>(w);
  }
}

// Runs in the forked child; only async-signal-safe calls plus the hook.
[[noreturn]] void child_main(const ProcessSpec& spec, int out_w, int in_r, char** argv,
                             char** envp) {
  ::setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGCHLD, SIGHUP}) ::signal(sig, SIG_DFL);
  ::dup2(in_r, 0);
  ::dup2(out_w, 1);
  ::dup2(out_w, 2);
  // Descriptors other threads opened without O_CLOEXEC must not leak.
#ifdef SYS_close_range
  ::syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
#endif
  if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) {
    const char* msg = "cannot change directory to ";
    write_all_raw(2, msg, std::strlen(msg));
    write_all_raw(2, spec.cwd.data(), spec.cwd.size());
    write_all_raw(2, ": ", 2);
    const char* err = std::strerror(errno);
    write_all_raw(2, err, std::strlen(err));
    write_all_raw(2, "\n", 1);
    ::_exit(126);
  }
  if (spec.in_child) {
    std::string err = spec.in_child();
    if (!err.empty()) {
      err += "\n";
      write_all_raw(2, err.data(), err.size());
      ::_exit(126);
    }
  }
  if (envp)
    ::execvpe(argv[0], argv, envp);
  else
    ::execvp(argv[0], argv);
  int e = errno;
  const char* err = std::strerror(e);
  write_all_raw(2, argv[0], std::strlen(argv[0]));
  write_all_raw(2, ": ", 2);
  write_all_raw(2, err, std::strlen(err));
  write_all_raw(2, "\n", 1);
  ::_exit(e == ENOENT ? 127 : 126);
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Result<ProcessResult> run_process(const ProcessSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty())
    return make_error(ErrorKind::kBadInput, "run_process: empty command");

  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    return make_error(ErrorKind::kIo, std::string("cannot create pipe: ") + std::strerror(errno));
  int in_r = -1, in_w = -1;
  if (spec.stdin_data.empty()) {
    in_r = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  } else {
    int in_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) == 0) {
      in_r = in_pipe[0];
      in_w = in_pipe[1];
    }
  }
  if (in_r < 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return make_error(ErrorKind::kIo, std::string("cannot open stdin: ") + std::strerror(errno));
  }

  auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    for (int fd : {out_pipe[0], out_pipe[1], in_r, in_w})
      if (fd >= 0) ::close(fd);
    return make_error(ErrorKind::kIo, std::string("cannot fork: ") + std::strerror(e));
  }
  if (pid == 0) child_main(spec, out_pipe[1], in_r, argv.data(), spec.env.empty() ? nullptr : envp.data());

  ::setpgid(pid, pid);  // also done in the child; whichever runs first wins the race
  ::close(out_pipe[1]);
  ::close(in_r);
  int out_r = out_pipe[0];
  set_nonblock(out_r);
  if (in_w >= 0) set_nonblock(in_w);
  int pidfd = open_pidfd(pid);

  // Writing stdin to a child that stopped reading must not kill us with SIGPIPE.
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);

  ProcessResult result;
  HeadTailBuffer buf(spec.max_output_bytes);
  size_t in_off = 0;
  bool exited = false;
  int status = 0;
  Clock::time_point exit_time;
  auto deadline = start + std::chrono::milliseconds(spec.timeout_ms);
  char chunk[65536];

  auto reap = [&](int flags) {
    if (exited) return;
    pid_t r = ::waitpid(pid, &status, flags);
    if (r == pid) {
      exited = true;
      exit_time = Clock::now();
    }
  };

  while (out_r >= 0) {
    auto now = Clock::now();
    int wait_ms = -1;
    if (spec.timeout_ms > 0) {
      if (now >= deadline) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
        break;
      }
      wait_ms = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1);
    }
    if (exited) {
      // The child is gone but something it started still holds the pipe:
      // give it a moment to flush, then stop reading.
      auto grace_left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            exit_time + std::chrono::milliseconds(200) - now)
                            .count();
      if (grace_left <= 0) break;
      wait_ms = wait_ms < 0 ? static_cast<int>(grace_left)
                            : std::min(wait_ms, static_cast<int>(grace_left));
    } else if (pidfd < 0) {
      wait_ms = wait_ms < 0 ? 20 : std::min(wait_ms, 20);
    }

    pollfd fds[3];
    int n = 0;
    fds[n++] = {out_r, POLLIN, 0};
    int in_idx = -1, pid_idx = -1;
    if (in_w >= 0) {
      in_idx = n;
      fds[n++] = {in_w, POLLOUT, 0};
    }
    if (pidfd >= 0 && !exited) {
      pid_idx = n;
      fds[n++] = {pidfd, POLLIN, 0};
    }
    int pr = ::poll(fds, n, wait_ms);
    if (pr < 0 && errno != EINTR) break;
    if (pr > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      for (;;) {
        ssize_t r = ::read(out_r, chunk, sizeof chunk);
        if (r > 0) {
          buf.append(chunk, static_cast<size_t>(r));
          continue;
        }
        if (r == 0) {
          ::close(out_r);
          out_r = -1;
        } else if (errno == EINTR) {
          continue;
        }
        break;
      }
    }
    if (in_idx >= 0 && fds[in_idx].revents) {
      ssize_t w = ::write(in_w, spec.stdin_data.data() + in_off, spec.stdin_data.size() - in_off);
      if (w > 0) in_off += static_cast<size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off >= spec.stdin_data.size() ||
          (fds[in_idx].revents & (POLLERR | POLLHUP))) {
        ::close(in_w);
        in_w = -1;
      }
    }
    if (pid_idx >= 0 && fds[pid_idx].revents) reap(WNOHANG);
    if (pidfd < 0) reap(WNOHANG);
  }

  if (out_r >= 0) ::close(out_r);
  if (in_w >= 0) ::close(in_w);
  if (pidfd >= 0) ::close(pidfd);
  if (!exited) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  // Drop a SIGPIPE our stdin writes may have raised, then restore the mask.
  timespec zero{0, 0};
  while (::sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
  }
  ::pthread_sigmask(SIG_SETMASK, &old_set, nullptr);

  result.exit_code = decode_status(status);
  result.total_output_bytes = buf.total();
  result.output = buf.finish();
  result.elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  return result;
}

}  // namespace bastion
