// GroupCommit: several threads' write transactions committed as one.
//
// Each gateway request writes twice (the quota reservation, then the
// settlement), and on SQLite most of that cost is the commit: every commit
// appends each page it touched to the WAL, and consecutive requests touch
// the same counter, request and audit pages. One committer thread takes
// every write queued since its last commit, runs them back to back inside
// one transaction, each in its own savepoint (a failing write is undone
// alone), then commits once. The writes run one after another, seeing each
// other's effects, exactly as serial transactions would (quota checks stay
// exact).
//
// run() returns only after the commit that holds its write, so durability
// is the same as one transaction per write. submit() returns at once and
// calls `done` on the committer thread after that commit: for writes whose
// caller need not wait (settlements, after the reply has been sent). A
// submitted write is in memory until its batch commits (normally within
// one commit's time, well under a millisecond); flush() waits for them.
//
// A caller on an event loop (the gateway's io thread) can also commit on
// its own thread: submit_held() queues without waking the committer, and
// commit_here(), which the caller runs once the writes of its current
// round are queued, commits them there. That saves two thread hand-offs
// (a futex wake and an event-loop wake-up) per reservation. commit_here()
// never waits: when the committer thread holds a batch, or another process
// holds the database's write lock, it leaves the writes to the committer.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/sql_conn.h"

namespace bastion::gateway {

class GroupCommit {
 public:
  using Write = std::function<Status(SqlConn&)>;
  using Done = std::function<void(const Status&)>;
  // Borrows the committer's connection: returns it, or an error. The
  // connection is kept across batches (so per-connection state such as
  // SQLite's data_version stays meaningful) until it breaks or the
  // GroupCommit is destroyed.
  using Acquire = std::function<Result<std::unique_ptr<SqlConn>>()>;
  using Release = std::function<void(std::unique_ptr<SqlConn>)>;
  // Called on the committer thread as soon as a write, or the whole batch,
  // was undone (and when the connection is replaced), before the next
  // write runs: lets a caller drop caches of what the writes wrote.
  using Undone = std::function<void()>;

  GroupCommit(Acquire acquire, Release release, Undone undone = nullptr, int defer_ms = 5);
  ~GroupCommit();  // commits what is queued, then stops the thread
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `write` inside a transaction and returns once it is committed:
  // its own error if it failed (its changes undone), the batch's error if
  // BEGIN or COMMIT failed (nothing of the batch was written).
  Status run(Write write);
  // Queues `write`; `done(result)` runs on the committer thread once its
  // batch has committed (or failed). Must be cheap and must not call run().
  void submit(Write write, Done done);
  // submit() for a write nobody waits for (a settlement): it starts no
  // commit of its own but joins the next batch that run() or submit()
  // starts, or is committed on its own once it has waited `defer_ms`
  // (the constructor's), or at flush(). Under load that is one commit per
  // request instead of two.
  void submit_deferred(Write write, Done done);
  // submit() without waking the committer thread: the caller must call
  // commit_here() soon (as a safety net the committer commits a held write
  // like a deferred one, after `defer_ms`).
  void submit_held(Write write, Done done);
  // Commits everything queued on the calling thread and runs the `done`
  // callbacks there, unless that would wait: when the committer thread
  // holds a batch, or another process holds the database's write lock,
  // the queued writes go to the committer thread instead. So do they when
  // more than `max_held` held writes are queued: under load the committer
  // thread, working beside the event loop on the other core, takes larger
  // batches (on the 2-core bench box committing every round on the io
  // thread cost 5-40% of the saturated throughput). Returns the number of
  // writes committed (or failed) here.
  size_t commit_here(size_t max_held = SIZE_MAX);
  // Waits until every write queued before the call has been committed.
  void flush();
  // `hook` runs once after the `done` callbacks of each batch, on the
  // thread that ran them (the gateway writes the batch's log lines there in
  // one write). Set it before writes are queued; null removes it.
  void after_batch(std::function<void()> hook);

  // Batches committed and writes they held (for tests).
  int64_t batches() const;
  int64_t writes() const;
  int64_t batches_here() const;  // of batches(), those commit_here() ran

 private:
  struct Pending {
    Write write;
    Done on_done;      // submit(); empty for run()
    Status result = ok_status();
    bool done = false;    // run(): set under mu_ once committed
    bool urgent = false;  // run() and submit(): a commit starts for it
    bool held = false;    // submit_held()
  };
  static constexpr size_t kMaxBatch = 512;  // bounds one transaction's length
  void loop();
  // Takes up to kMaxBatch writes off the queue (mu_ held); sets busy_.
  std::vector<std::shared_ptr<Pending>> take_batch();
  // Marks the batch committed and runs its callbacks; clears busy_.
  void complete_batch(std::unique_lock<std::mutex>& lock, std::vector<std::shared_ptr<Pending>>& batch, bool here);
  // Runs the batch in one transaction. With `wait` false it returns false,
  // having run nothing, when BEGIN would have to wait for a lock.
  bool commit_batch(std::vector<std::shared_ptr<Pending>>& batch, bool wait = true);

  Acquire acquire_;
  Release release_;
  Undone undone_;
  std::shared_ptr<const std::function<void()>> after_batch_;  // guarded by mu_
  std::unique_ptr<SqlConn> conn_;  // committer thread only
  mutable std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::shared_ptr<Pending>> queue_;
  // Writes in queue_ that someone waits for (run, submit) and flush()
  // calls waiting: while both are 0 the committer waits for the oldest
  // deferred write's deadline.
  size_t urgent_ = 0;
  size_t held_ = 0;  // held writes in queue_ that are not yet urgent
  int flushing_ = 0;
  std::chrono::milliseconds defer_;
  std::chrono::steady_clock::time_point deferred_since_;  // oldest deferred write in queue_
  bool busy_ = false;  // a batch is being committed (by the committer thread or commit_here)
  bool stop_ = false;
  bool idle_wait_ = false;  // the committer waits for work without a deadline
  int64_t batches_ = 0, writes_ = 0, batches_here_ = 0;
  std::thread thread_;
};

}  // namespace bastion::gateway
