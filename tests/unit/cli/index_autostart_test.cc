// The file count from which `bastion search` starts an index server
// (cli/index_autostart.h): 20,000 unless BASTION_INDEX_AUTOSERVE_FILES holds
// a plain non-negative number.
#include "cli/index_autostart.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace bastion::cli {
namespace {

class AutoserveThreshold : public ::testing::Test {
 protected:
  void TearDown() override { ::unsetenv("BASTION_INDEX_AUTOSERVE_FILES"); }
  size_t with(const char* value) {
    ::setenv("BASTION_INDEX_AUTOSERVE_FILES", value, 1);
    return autoserve_threshold();
  }
};

TEST_F(AutoserveThreshold, DefaultsTo20000Files) {
  ::unsetenv("BASTION_INDEX_AUTOSERVE_FILES");
  EXPECT_EQ(autoserve_threshold(), 20000u);
}

TEST_F(AutoserveThreshold, ANumberReplacesIt) {
  EXPECT_EQ(with("1"), 1u);
  EXPECT_EQ(with("0"), 0u);
  EXPECT_EQ(with("150000"), 150000u);
}

TEST_F(AutoserveThreshold, AnythingElseKeepsTheDefault) {
  for (const char* bad : {"", "lots", "-5", " 5", "5 files", "12x", "99999999999999999999999"})
    EXPECT_EQ(with(bad), 20000u) << '"' << bad << '"';
}

}  // namespace
}  // namespace bastion::cli
