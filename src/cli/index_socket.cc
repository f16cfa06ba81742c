#include "cli/index_socket.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/index_wire.h"

namespace bastion::cli {
namespace {

constexpr size_t kMaxSunPath = sizeof(sockaddr_un{}.sun_path) - 1;

Error sys_error(const std::string& what) {
  return make_error(ErrorKind::kIo, what + ": " + std::strerror(errno));
}

// `dir` must be ours alone: a directory (not a link) owned by this user
// that nobody else can enter, so no one else can plant or read a socket.
Status check_private_dir(const std::string& dir, bool create) {
  if (create && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return sys_error("cannot create " + dir);
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) return sys_error("cannot use " + dir);
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::getuid() || (st.st_mode & 077) != 0)
    return make_error(ErrorKind::kPermission,
                      dir +
                          " must be a directory owned by you with mode 0700; not using it for the "
                          "index server's socket");
  return ok_status();
}

}  // namespace

Result<std::string> index_socket_path(const std::string& db_path, bool create_dir) {
  std::string beside = db_path + ".sock";
  if (beside.size() <= kMaxSunPath) return beside;
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  std::string dir = runtime && *runtime ? std::string(runtime) + "/bastion"
                                        : "/tmp/bastion-" + std::to_string(::getuid());
  char name[32];
  std::snprintf(name, sizeof name, "/%016llx.sock",
                static_cast<unsigned long long>(XXH3_64bits(db_path.data(), db_path.size())));
  std::string path = dir + name;
  if (path.size() > kMaxSunPath)
    return make_error(ErrorKind::kConfig, "no socket path fits in 107 bytes (tried " + path + ")");
  Status st = check_private_dir(dir, create_dir);
  if (!st.ok()) return st.error();
  return path;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Result<Fd> connect_unix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() > kMaxSunPath)
    return make_error(ErrorKind::kConfig, "socket path too long: " + path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return sys_error("socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return sys_error("cannot connect to " + path);
  return fd;
}

void set_socket_timeouts(int fd, int recv_ms, int send_ms) {
  timeval r{recv_ms / 1000, (recv_ms % 1000) * 1000};
  timeval s{send_ms / 1000, (send_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &r, sizeof r);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &s, sizeof s);
}

Status send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return sys_error("send");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok_status();
}

namespace {

Status read_exact(int fd, char* buf, size_t n) {
  while (n > 0) {
    ssize_t got = ::recv(fd, buf, n, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return sys_error(errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : "recv");
    if (got == 0) return make_error(ErrorKind::kIo, "connection closed mid-frame");
    buf += got;
    n -= static_cast<size_t>(got);
  }
  return ok_status();
}

}  // namespace

Result<std::string> read_frame(int fd, std::string_view magic, uint32_t max) {
  char header[wire::kHeaderBytes];
  Status st = read_exact(fd, header, sizeof header);
  if (!st.ok()) return st.error();
  auto size = wire::payload_size(std::string_view(header, sizeof header), magic, max);
  if (!size.ok()) return size.error();
  std::string payload(size.value(), '\0');
  st = read_exact(fd, payload.data(), payload.size());
  if (!st.ok()) return st.error();
  return payload;
}

}  // namespace bastion::cli
