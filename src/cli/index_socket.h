// Where an index server listens and how both ends move bytes over its Unix
// socket. The path is derived from the index database's path alone, so a
// `bastion search` finds the server of its repository without asking anyone:
// `<db_path>.sock` beside the database (the user's cache dir), or, when that
// would not fit in sockaddr_un's 107 bytes, a hash-named socket in a private
// (0700, owned by the user) directory under $XDG_RUNTIME_DIR or
// /tmp/bastion-$UID.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace bastion::cli {

// The socket for the index database at `db_path`. With `create_dir`, the
// private fallback directory is created when missing; either way it is
// refused (an error) unless it is a real directory owned by this user with
// no access for others.
Result<std::string> index_socket_path(const std::string& db_path, bool create_dir);

// An owned file descriptor, closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_ = -1;
};

// Connects to the socket at `path`; the error carries errno's text.
Result<Fd> connect_unix(const std::string& path);

// Receive and send timeouts in milliseconds (0 = none).
void set_socket_timeouts(int fd, int recv_ms, int send_ms);

// Writes all of `data` (no SIGPIPE); an error when the peer went away.
Status send_all(int fd, std::string_view data);

// Reads one frame (index_wire.h) whose magic is `magic` and returns its
// payload; an error on EOF, timeout, a wrong magic or a payload over `max`.
Result<std::string> read_frame(int fd, std::string_view magic, uint32_t max);

}  // namespace bastion::cli
