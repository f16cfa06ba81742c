#include "ui/terminal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace bastion::ui {
namespace {

termios g_saved;
bool g_saved_valid = false;
int g_resize_write_fd = -1;

void on_winch(int) {
  int saved = errno;
  if (g_resize_write_fd >= 0) {
    char c = 'w';
    ssize_t n = ::write(g_resize_write_fd, &c, 1);
    (void)n;
  }
  errno = saved;
}

void restore_tty() {
  if (g_saved_valid) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
  const char show[] = "\x1b[?25h\x1b[?2004l";
  ssize_t n = ::write(STDOUT_FILENO, show, sizeof(show) - 1);
  (void)n;
}

void on_fatal(int sig) {
  restore_tty();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

Terminal::Terminal() {
  if (::pipe2(resize_pipe_, O_CLOEXEC | O_NONBLOCK) == 0) {
    g_resize_write_fd = resize_pipe_[1];
    struct sigaction sa {};
    sa.sa_handler = on_winch;
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGWINCH, &sa, nullptr);
  }
}

Terminal::~Terminal() {
  restore();
  ::signal(SIGWINCH, SIG_DFL);
  g_resize_write_fd = -1;
  for (int fd : resize_pipe_)
    if (fd >= 0) ::close(fd);
}

bool Terminal::enter_raw() {
  if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &g_saved) != 0) return false;
  g_saved_valid = true;
  termios raw = g_saved;
  raw.c_iflag &= ~(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
  raw.c_lflag &= ~(ECHO | ICANON | IEXTEN | ISIG);
  raw.c_cflag |= CS8;
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) != 0) return false;
  raw_ = true;
  std::atexit(restore_tty);
  for (int sig : {SIGTERM, SIGHUP, SIGSEGV, SIGABRT}) ::signal(sig, on_fatal);
  return true;
}

void Terminal::restore() {
  if (!raw_) return;
  raw_ = false;
  restore_tty();
}

int Terminal::width() const {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

int Terminal::height() const {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return ws.ws_row;
  return 24;
}

void Terminal::drain_resize() {
  char buf[64];
  while (::read(resize_pipe_[0], buf, sizeof(buf)) > 0) {
  }
}

void Terminal::write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace bastion::ui
