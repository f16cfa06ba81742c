// ReadBuffer: the grep's reusable whole-file read buffer: anonymous memory
// that grows with mremap (no copy, and pages already touched stay mapped:
// each new page costs a fault, ~4k of them per run on /usr/include when the
// buffer was reallocated at each doubling), huge pages asked for from 2 MB.
// It is page aligned, which is the main point: the kernel copies page-cache
// pages (page aligned) into it, and on this machine's AMD cores that copy
// ran at a third of the speed into malloc's large blocks, which start 16
// bytes past a page boundary (2.0 vs 6.5 GB/s; ~30% of the grep tool's CPU
// time on /usr/include, see docs/BENCHMARKS.md "grep").
#pragma once

#include <cstddef>

namespace bastion::index {

class ReadBuffer {
 public:
  static constexpr size_t kAlign = 4096;

  ReadBuffer() = default;
  ReadBuffer(const ReadBuffer&) = delete;
  ReadBuffer& operator=(const ReadBuffer&) = delete;
  ~ReadBuffer();

  char* data() { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }

  // Reads `fd` to its end; false on a read error, once more than
  // `max_bytes` were read, or when memory for the file cannot be had.
  // `first_cap` is the capacity to start with.
  bool fill(int fd, size_t max_bytes, size_t first_cap = 256 * 1024);

 private:
  bool grow(size_t cap);

  char* data_ = nullptr;
  size_t cap_ = 0, size_ = 0;
};

}  // namespace bastion::index
