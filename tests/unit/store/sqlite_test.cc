#include "store/sqlite.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "temp_dir.h"

using namespace bastion;

// SQLite refuses the switch of a new file to WAL with "database is locked",
// without its busy handler, while another process is switching it. Opening
// must wait instead: before it did, this failed in about one run of three (10 rounds).
TEST(SqliteTest, ProcessesOpeningOneNewDatabaseTogetherAllSucceed) {
  std::string dir = bastion::testing::temp_dir_removed_at_exit("bastion-sqlite");
  for (int round = 0; round < 30; ++round) {
    std::string path = dir + "/new" + std::to_string(round) + ".db";
    std::vector<pid_t> kids;
    for (int p = 0; p < 6; ++p) {
      pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        auto db = store::Database::open(path);
        if (!db.ok()) {
          std::fprintf(stderr, "round %d process %d: %s\n", round, p, db.error().message.c_str());
          ::_exit(2);
        }
        for (int i = 0; i < 30; ++i) {
          if (!db->exec("CREATE TABLE IF NOT EXISTS t(x); INSERT INTO t VALUES(1)").ok()) ::_exit(3);
        }
        ::_exit(0);
      }
      kids.push_back(pid);
    }
    for (pid_t pid : kids) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "round " << round;
    }
    auto db = store::Database::open(path);
    ASSERT_TRUE(db.ok());
    auto rows = db->prepare("SELECT count(*) FROM t");
    ASSERT_TRUE(rows.ok());
    ASSERT_TRUE(*rows->step());
    EXPECT_EQ(rows->column_int(0), 6 * 30);
    auto mode = db->prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode.ok());
    ASSERT_TRUE(*mode->step());
    EXPECT_EQ(mode->column_text(0), "wal");
  }
}
