// GroupCommit: concurrent writes share commits, each stays all-or-nothing.
#include "gateway/group_commit.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace bastion::gateway {
namespace {

struct Db {
  Db() {
    char tmpl[] = "/tmp/gwgroupXXXXXX";
    url = std::string("sqlite://") + mkdtemp(tmpl) + "/g.db";
    auto c = open_sql(url);
    EXPECT_TRUE(c.ok());
    EXPECT_TRUE((*c)->exec_script("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER)").ok());
  }
  std::unique_ptr<GroupCommit> group(int defer_ms = 5) {
    return std::make_unique<GroupCommit>([this] { return open_sql(url); }, [](std::unique_ptr<SqlConn>) {},
                                         nullptr, defer_ms);
  }
  int64_t count(const std::string& where = "1=1") {
    auto c = open_sql(url);
    auto r = (*c)->query("SELECT COUNT(*) FROM t WHERE " + where);
    return r.ok() ? row_int(r->front(), 0) : -1;
  }
  std::string url;
};

Status insert(SqlConn& c, const std::string& id) {
  auto r = c.query("INSERT INTO t (id, n) VALUES ($1, 1)", {id});
  if (!r) return r.error();
  return ok_status();
}

TEST(GroupCommit, AFailedWriteIsUndoneAloneAndReported) {
  Db db;
  auto gp = db.group();
  GroupCommit& g = *gp;
  EXPECT_TRUE(g.run([](SqlConn& c) { return insert(c, "a"); }).ok());
  Status bad = g.run([](SqlConn& c) -> Status {
    if (auto s = insert(c, "half"); !s) return s;
    return insert(c, "a");  // duplicate key: the write fails after a change
  });
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(db.count("id='half'"), 0) << "the failed write's first insert must be undone";
  EXPECT_EQ(db.count(), 1);
}

TEST(GroupCommit, ConcurrentWritesShareCommitsAndAllLand) {
  Db db;
  auto gp = db.group();
  GroupCommit& g = *gp;
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        int id = next++;
        Status s = g.run([&](SqlConn& c) -> Status {
          std::this_thread::sleep_for(std::chrono::microseconds(200));  // others queue meanwhile
          if (id % 10 == 9) return Error(ErrorKind::kBadInput, "refused");
          return insert(c, "r" + std::to_string(id));
        });
        if (!s) ++failed;
        // Returned means committed: visible to a fresh connection now.
        else if (db.count("id='r" + std::to_string(id) + "'") != 1) ++failed;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(failed, 20);  // exactly the refused ones
  EXPECT_EQ(db.count(), 180);
  EXPECT_EQ(g.writes(), 200);
  EXPECT_LT(g.batches(), 200) << "no two writes ever shared a commit";
}

TEST(GroupCommit, SubmittedWritesAreCommittedBeforeTheirCallbackAndFlush) {
  Db db;
  auto g = db.group();
  std::atomic<int> ok{0}, failed{0}, visible{0};
  for (int i = 0; i < 50; ++i) {
    std::string id = "s" + std::to_string(i);
    g->submit([id, i](SqlConn& c) -> Status {
      if (i == 7) return Error(ErrorKind::kBadInput, "refused");
      return insert(c, id);
    },
              [&, id](const Status& s) {
                if (!s) {
                  ++failed;
                  return;
                }
                ++ok;
                if (db.count("id='" + id + "'") == 1) ++visible;  // committed when told
              });
  }
  g->flush();
  EXPECT_EQ(ok, 49);
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(visible, 49);
  EXPECT_EQ(db.count(), 49);
}

TEST(GroupCommit, DeferredWritesRideWithTheNextCommitOrWaitAtMostTheirDelay) {
  Db db;
  {
    // With a delay longer than the test, a deferred write is committed by
    // the batch the next run() starts: one commit for both.
    auto g = db.group(60000);
    std::atomic<int> done{0};
    g->submit_deferred([](SqlConn& c) { return insert(c, "settle"); }, [&](const Status& s) { done += s.ok(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(db.count(), 0) << "a deferred write started a commit of its own";
    EXPECT_TRUE(g->run([](SqlConn& c) { return insert(c, "reserve"); }).ok());
    EXPECT_EQ(db.count(), 2);
    EXPECT_EQ(g->batches(), 1);
    for (int i = 0; i < 100 && done == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(done, 1);
    // flush() does not wait for the delay either.
    g->submit_deferred([](SqlConn& c) { return insert(c, "late"); }, [](const Status&) {});
    auto t0 = std::chrono::steady_clock::now();
    g->flush();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_EQ(db.count(), 3);
  }
  // Alone, it is committed once it has waited its delay.
  auto g = db.group(20);
  std::atomic<bool> done{false};
  auto t0 = std::chrono::steady_clock::now();
  g->submit_deferred([](SqlConn& c) { return insert(c, "alone"); }, [&](const Status&) { done = true; });
  while (!done && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(done);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(20));
  EXPECT_EQ(db.count(), 4);
}

TEST(GroupCommit, TheUndoneHookRunsWhenAWriteFails) {
  Db db;
  std::atomic<int> undone{0};
  GroupCommit g([&] { return open_sql(db.url); }, [](std::unique_ptr<SqlConn>) {}, [&] { ++undone; });
  EXPECT_TRUE(g.run([](SqlConn& c) { return insert(c, "a"); }).ok());
  int after_first = undone;  // the first batch opened the connection
  EXPECT_TRUE(g.run([](SqlConn& c) { return insert(c, "b"); }).ok());
  EXPECT_EQ(undone, after_first) << "nothing was undone";
  EXPECT_FALSE(g.run([](SqlConn& c) { return insert(c, "a"); }).ok());
  EXPECT_GT(undone, after_first);
  EXPECT_EQ(db.count(), 2);
}

// commit_here(): the writes queued with submit_held() are committed on the
// calling thread, their callbacks run there, and no thread hand-off is
// involved (the gateway's io thread commits its own reservations).
TEST(GroupCommit, CommitHereCommitsHeldWritesOnTheCallingThread) {
  Db db;
  auto g = db.group(60000);  // the committer would wait a minute for them
  std::thread::id ran_on, done_on;
  std::atomic<int> done{0};
  for (int i = 0; i < 3; ++i)
    g->submit_held([&, i](SqlConn& c) {
      ran_on = std::this_thread::get_id();
      return insert(c, "h" + std::to_string(i));
    },
                   [&](const Status& s) {
                     done_on = std::this_thread::get_id();
                     done += s.ok();
                   });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(db.count(), 0) << "a held write woke the committer";
  EXPECT_EQ(g->commit_here(), 3u);
  EXPECT_EQ(done, 3) << "callbacks run before commit_here() returns";
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_EQ(done_on, std::this_thread::get_id());
  EXPECT_EQ(db.count(), 3);
  EXPECT_EQ(g->batches(), 1);
  EXPECT_EQ(g->batches_here(), 1);
  EXPECT_EQ(g->commit_here(), 0u) << "nothing left";

  // More held writes than commit_here() was told to take: the committer
  // thread commits them (at once, not after its minute of delay).
  std::atomic<int> later{0};
  std::thread::id later_on;
  for (int i = 0; i < 2; ++i)
    g->submit_held([i](SqlConn& c) { return insert(c, "m" + std::to_string(i)); }, [&](const Status& s) {
      later_on = std::this_thread::get_id();
      later += s.ok();
    });
  EXPECT_EQ(g->commit_here(/*max_held=*/1), 0u);
  for (int i = 0; i < 500 && later < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(later, 2);
  EXPECT_NE(later_on, std::this_thread::get_id());
  EXPECT_EQ(db.count(), 5);
  EXPECT_EQ(g->batches_here(), 1);
}

// When another process holds the write lock, commit_here() does not wait
// for it (an event loop must not sleep in SQLite's busy handler): the
// writes go to the committer thread, which commits them once the lock is
// free.
// The after-batch hook runs once per batch, after all of its callbacks, on
// their thread (the gateway writes a batch's log lines there at once).
TEST(GroupCommit, TheAfterBatchHookRunsOnceAfterTheBatchsCallbacks) {
  Db db;
  auto g = db.group(60000);
  std::atomic<int> done{0}, hooks{0}, done_at_hook{-1};
  std::thread::id hook_on;
  g->after_batch([&] {
    ++hooks;
    done_at_hook = done.load();
    hook_on = std::this_thread::get_id();
  });
  for (int i = 0; i < 3; ++i)
    g->submit_held([i](SqlConn& c) { return insert(c, "a" + std::to_string(i)); },
                   [&](const Status& s) { done += s.ok(); });
  EXPECT_EQ(g->commit_here(), 3u);
  EXPECT_EQ(hooks, 1);
  EXPECT_EQ(done_at_hook, 3) << "the hook ran before the batch's callbacks";
  EXPECT_EQ(hook_on, std::this_thread::get_id());
  EXPECT_TRUE(g->run([](SqlConn& c) { return insert(c, "b"); }).ok());  // a batch of the committer thread
  g->flush();
  EXPECT_EQ(hooks, 2);
  EXPECT_NE(hook_on, std::this_thread::get_id());
  g->after_batch(nullptr);
  EXPECT_TRUE(g->run([](SqlConn& c) { return insert(c, "c"); }).ok());
  g->flush();
  EXPECT_EQ(hooks, 2);
}

TEST(GroupCommit, CommitHereLeavesALockedDatabaseToTheCommitter) {
  Db db;
  auto g = db.group(60000);
  EXPECT_TRUE(g->run([](SqlConn& c) { return insert(c, "first"); }).ok());  // opens the connection
  sqlite3* other = nullptr;  // stands for another gateway process
  ASSERT_EQ(sqlite3_open(db.url.substr(9).c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::atomic<int> done{0};
  std::thread::id done_on;
  g->submit_held([](SqlConn& c) { return insert(c, "held"); }, [&](const Status& s) {
    done_on = std::this_thread::get_id();
    done += s.ok();
  });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(g->commit_here(), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500)) << "commit_here() waited for the lock";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(done, 0);
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  for (int i = 0; i < 500 && done == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(done, 1);
  EXPECT_NE(done_on, std::this_thread::get_id());
  EXPECT_EQ(db.count(), 2);
  EXPECT_EQ(g->batches_here(), 0);
}

}  // namespace
}  // namespace bastion::gateway
