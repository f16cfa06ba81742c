// A scratch directory for grep tests, removed after each test, and a text
// form of a GrepSummary (files, counts, lines, in order) so two runs can be
// compared with one EXPECT_EQ that prints the difference.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "index/grep.h"
#include "util/fs.h"

namespace bastion::index {

class GrepFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion-grep-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  void put(const std::string& rel, const std::string& text) {
    ASSERT_TRUE(fs::write_file_atomic(root_ + "/" + rel, text).ok());
  }
  static std::string dump(const GrepSummary& s) {
    std::string out = std::to_string(s.files_searched) + " searched\n";
    for (const auto& f : s.files) {
      out += f.path + " " + std::to_string(f.count) + "\n";
      for (const auto& l : f.lines) out += "  " + std::to_string(l.line) + ": " + l.text + "\n";
    }
    return out;
  }
  std::string root_;
};

}  // namespace bastion::index
