// ReadBuffer: see read_buffer.h.
#include "index/read_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace bastion::index {

bool ReadBuffer::fill(int fd, size_t max_bytes, size_t first_cap) {
  size_ = 0;
  for (;;) {
    if (size_ == cap_ && !grow(cap_ ? cap_ * 2 : first_cap)) return false;
    ssize_t n = ::read(fd, data_ + size_, cap_ - size_);
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

ReadBuffer::~ReadBuffer() {
  if (data_) ::munmap(data_, cap_);
}

bool ReadBuffer::grow(size_t cap) {
  constexpr size_t kHuge = 2u << 20;
  cap = (cap + kAlign - 1) / kAlign * kAlign;
  void* p = data_
                ? ::mremap(data_, cap_, cap, MREMAP_MAYMOVE)
                : ::mmap(nullptr, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  if (cap >= kHuge) ::madvise(p, cap, MADV_HUGEPAGE);  // a hint: fine if refused
  data_ = static_cast<char*>(p);
  cap_ = cap;
  return true;
}

}  // namespace bastion::index
