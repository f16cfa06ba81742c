// GroupCommit: several threads' write transactions committed as one.
//
// Each gateway request writes twice (the quota reservation, then the
// settlement), and on SQLite most of that cost is the commit: every commit
// appends each page it touched to the WAL, and consecutive requests touch
// the same counter, request and audit pages. GroupCommit runs the writes
// that arrive while a commit is in progress back to back inside one
// transaction, each in its own savepoint (a failing write is undone alone),
// then commits once. A caller returns only after the commit that holds its
// write, so durability is the same as one transaction per write, and the
// writes run one after another, seeing each other's effects, exactly as
// serial transactions would (quota checks stay exact).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

#include "gateway/sql_conn.h"

namespace bastion::gateway {

class GroupCommit {
 public:
  using Write = std::function<Status(SqlConn&)>;
  // Borrows a connection for one batch: returns it, or an error.
  using Acquire = std::function<Result<std::unique_ptr<SqlConn>>()>;
  using Release = std::function<void(std::unique_ptr<SqlConn>)>;

  GroupCommit(Acquire acquire, Release release) : acquire_(std::move(acquire)), release_(std::move(release)) {}

  // Runs `write` inside a transaction and returns once it is committed:
  // its own error if it failed (its changes undone), the batch's error if
  // BEGIN or COMMIT failed (nothing of the batch was written).
  Status run(Write write);

  // Batches committed and writes they held (for tests).
  int64_t batches() const;
  int64_t writes() const;

 private:
  struct Pending {
    Write write;
    Status result = ok_status();
    bool done = false;
  };
  void commit_batch(std::vector<Pending*>& batch);

  Acquire acquire_;
  Release release_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending*> queue_;
  bool leader_ = false;  // a thread is committing a batch
  int64_t batches_ = 0, writes_ = 0;
};

}  // namespace bastion::gateway
