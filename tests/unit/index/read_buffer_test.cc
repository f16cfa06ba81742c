// ReadBuffer reads whole files (growing past its first capacity, stopping at
// the size limit) into page-aligned memory: the kernel's copy into a buffer
// 16 bytes off a page boundary was 3x slower on this machine.
#include "index/read_buffer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "grep_fixture.h"
#include "util/fs.h"

namespace bastion::index {
namespace {

class ReadBufferTest : public GrepFixture {
 protected:
  int open_with(const std::string& text) {
    std::string path = root_ + "/f" + std::to_string(n_++);
    EXPECT_TRUE(fs::write_file_atomic(path, text).ok());
    return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  static bool aligned(const char* p) {
    return reinterpret_cast<uintptr_t>(p) % ReadBuffer::kAlign == 0;
  }
  int n_ = 0;
};

TEST_F(ReadBufferTest, ReadsWholeFilesIntoPageAlignedMemory) {
  ReadBuffer buf;
  std::string big(700 * 1000 + 123, 'x');
  for (size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
  for (const std::string& text : {std::string(), std::string("one line\n"), std::string(4096, 'p'),
                                  big, std::string("short again")}) {
    int fd = open_with(text);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(buf.fill(fd, 32u << 20, 4096));
    ::close(fd);
    EXPECT_EQ(std::string(buf.data(), buf.size()), text);
    EXPECT_TRUE(aligned(buf.data())) << "capacity " << buf.capacity();
    EXPECT_EQ(buf.capacity() % ReadBuffer::kAlign, 0u);
  }
  EXPECT_GE(buf.capacity(), big.size());  // grew, and kept its capacity
}

TEST_F(ReadBufferTest, DefaultCapacityIsAlignedToo) {
  ReadBuffer buf;
  int fd = open_with("x");
  ASSERT_TRUE(buf.fill(fd, 100));
  ::close(fd);
  EXPECT_TRUE(aligned(buf.data()));
}

TEST_F(ReadBufferTest, StopsPastTheSizeLimit) {
  ReadBuffer buf;
  int fd = open_with(std::string(10000, 'z'));
  EXPECT_FALSE(buf.fill(fd, 9999, 4096));
  ::close(fd);
  fd = open_with(std::string(10000, 'z'));
  EXPECT_TRUE(buf.fill(fd, 10000, 4096));
  ::close(fd);
  EXPECT_EQ(buf.size(), 10000u);
}

}  // namespace
}  // namespace bastion::index
