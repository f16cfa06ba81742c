// ReadBuffer: the grep's reusable whole-file read buffer. It grows without
// zero-filling and is page aligned. Alignment is the point: the kernel
// copies page-cache pages (page aligned) into it, and on this machine's AMD
// cores that copy ran at a third of the speed into malloc's large blocks,
// which start 16 bytes past a page boundary (2.0 vs 6.5 GB/s; ~30% of the
// grep tool's CPU time on /usr/include, see docs/BENCHMARKS.md "grep").
#pragma once

#include <cstddef>
#include <memory>
#include <new>

namespace bastion::index {

class ReadBuffer {
 public:
  static constexpr size_t kAlign = 4096;

  char* data() { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }

  // Reads `fd` to its end; false on a read error or once more than
  // `max_bytes` were read. `first_cap` is the capacity to start with.
  bool fill(int fd, size_t max_bytes, size_t first_cap = 256 * 1024);

 private:
  struct Free {
    void operator()(char* p) const { ::operator delete[](p, std::align_val_t{kAlign}); }
  };
  void grow(size_t cap);

  std::unique_ptr<char[], Free> data_;
  size_t cap_ = 0, size_ = 0;
};

}  // namespace bastion::index
