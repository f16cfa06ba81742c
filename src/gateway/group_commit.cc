#include "gateway/group_commit.h"

namespace bastion::gateway {

Status GroupCommit::run(Write write) {
  Pending me{std::move(write)};
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&me);
  while (!me.done) {
    if (leader_) {
      cv_.wait(lock);
      continue;
    }
    // Lead: take everything queued (this write included) as one batch.
    leader_ = true;
    std::vector<Pending*> batch;
    batch.swap(queue_);
    lock.unlock();
    commit_batch(batch);
    lock.lock();
    ++batches_;
    writes_ += static_cast<int64_t>(batch.size());
    for (Pending* p : batch) p->done = true;
    leader_ = false;
    cv_.notify_all();
  }
  return me.result;
}

void GroupCommit::commit_batch(std::vector<Pending*>& batch) {
  auto fail_all = [&](const Error& e) {
    for (Pending* p : batch) p->result = e;
  };
  auto conn = acquire_();
  if (!conn) return fail_all(conn.error());
  SqlConn& c = **conn;
  if (auto s = c.begin(); !s) {
    fail_all(s.error());
    return release_(std::move(*conn));
  }
  for (Pending* p : batch) {
    // query(), not exec_script(): SQLite keeps these two compiled.
    Status s = ok_status();
    if (auto r = c.query("SAVEPOINT gw_write"); !r) s = r.error();
    if (s) {
      s = p->write(c);
      if (s) {
        if (auto r = c.query("RELEASE gw_write"); !r) s = r.error();
      } else if (!c.exec_script("ROLLBACK TO gw_write; RELEASE gw_write")) {
        // The error ended the whole transaction (SQLite does on I/O errors
        // and a full disk): every write of the batch is gone.
        fail_all(s.error());
        c.rollback();
        return release_(std::move(*conn));
      }
    }
    p->result = s;
  }
  if (auto s = c.commit(); !s) fail_all(s.error());  // commit() rolled back: nothing was written
  release_(std::move(*conn));
}

int64_t GroupCommit::batches() const {
  std::lock_guard<std::mutex> l(mu_);
  return batches_;
}
int64_t GroupCommit::writes() const {
  std::lock_guard<std::mutex> l(mu_);
  return writes_;
}

}  // namespace bastion::gateway
