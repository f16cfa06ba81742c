// The raw terminal: switches the tty to raw input (restored on exit and on
// fatal signals), reports its size, turns SIGWINCH into a readable pipe so
// the UI loop can block in poll() on input, resizes and worker wake-ups
// together (idle CPU stays at zero).
#pragma once

#include <string_view>

namespace bastion::ui {

class Terminal {
 public:
  Terminal();
  ~Terminal();
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  bool enter_raw();  // false when stdin is not a terminal
  void restore();
  int width() const;
  int height() const;
  int resize_fd() const { return resize_pipe_[0]; }
  void drain_resize();
  void write(std::string_view bytes);

 private:
  bool raw_ = false;
  int resize_pipe_[2] = {-1, -1};
};

}  // namespace bastion::ui
