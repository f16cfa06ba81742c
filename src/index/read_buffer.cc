// ReadBuffer: see read_buffer.h.
#include "index/read_buffer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bastion::index {

bool ReadBuffer::fill(int fd, size_t max_bytes, size_t first_cap) {
  size_ = 0;
  for (;;) {
    if (size_ == cap_) grow(cap_ ? cap_ * 2 : first_cap);
    ssize_t n = ::read(fd, data_.get() + size_, cap_ - size_);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    size_t want = cap_ - size_;
    size_ += static_cast<size_t>(n);
    if (size_ > max_bytes) return false;
    // A short read of a regular file means end of file: skip the extra
    // read() that would return 0 (syscalls dominate on small files).
    if (static_cast<size_t>(n) < want) return true;
  }
}

void ReadBuffer::grow(size_t cap) {
  cap = (cap + kAlign - 1) / kAlign * kAlign;
  std::unique_ptr<char[], Free> next(
      static_cast<char*>(::operator new[](cap, std::align_val_t{kAlign})));
  if (size_) std::memcpy(next.get(), data_.get(), size_);
  data_ = std::move(next);
  cap_ = cap;
}

}  // namespace bastion::index
