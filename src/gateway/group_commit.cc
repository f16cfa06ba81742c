#include "gateway/group_commit.h"

namespace bastion::gateway {

GroupCommit::GroupCommit(Acquire acquire, Release release, Undone undone, int defer_ms)
    : acquire_(std::move(acquire)),
      release_(std::move(release)),
      undone_(std::move(undone)),
      defer_(defer_ms) {
  thread_ = std::thread([this] { loop(); });
}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  thread_.join();
  if (conn_) release_(std::move(conn_));
}

Status GroupCommit::run(Write write) {
  auto me = std::make_shared<Pending>();
  me->write = std::move(write);
  me->urgent = true;
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(me);
  ++urgent_;
  work_cv_.notify_one();
  done_cv_.wait(lock, [&] { return me->done; });
  return me->result;
}

void GroupCommit::submit(Write write, Done done) {
  auto p = std::make_shared<Pending>();
  p->write = std::move(write);
  p->on_done = std::move(done);
  p->urgent = true;
  std::lock_guard<std::mutex> l(mu_);
  queue_.push_back(std::move(p));
  ++urgent_;
  work_cv_.notify_one();
}

void GroupCommit::submit_deferred(Write write, Done done) {
  auto p = std::make_shared<Pending>();
  p->write = std::move(write);
  p->on_done = std::move(done);
  std::lock_guard<std::mutex> l(mu_);
  bool first = queue_.empty();  // the committer learns the deadline of the oldest
  if (first) deferred_since_ = std::chrono::steady_clock::now();
  queue_.push_back(std::move(p));
  // A committer already waiting for a deadline needs no wake-up: it finds
  // this write when the deadline comes.
  if ((first && idle_wait_) || queue_.size() >= kMaxBatch) work_cv_.notify_one();
}

void GroupCommit::submit_held(Write write, Done done) {
  auto p = std::make_shared<Pending>();
  p->write = std::move(write);
  p->on_done = std::move(done);
  p->held = true;
  std::lock_guard<std::mutex> l(mu_);
  if (queue_.empty()) deferred_since_ = std::chrono::steady_clock::now();
  queue_.push_back(std::move(p));
  ++held_;
}

void GroupCommit::after_batch(std::function<void()> hook) {
  std::lock_guard<std::mutex> l(mu_);
  after_batch_ = hook ? std::make_shared<const std::function<void()>>(std::move(hook)) : nullptr;
}

void GroupCommit::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  ++flushing_;
  work_cv_.notify_one();
  done_cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
  --flushing_;
}

std::vector<std::shared_ptr<GroupCommit::Pending>> GroupCommit::take_batch() {
  std::vector<std::shared_ptr<Pending>> batch;
  size_t n = std::min(queue_.size(), kMaxBatch);
  batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
  queue_.erase(queue_.begin(), queue_.begin() + n);
  // What is left (more than a batch was queued) goes next; its deferred
  // writes wait at most one more delay.
  urgent_ = static_cast<size_t>(std::count_if(queue_.begin(), queue_.end(), [](auto& p) { return p->urgent; }));
  held_ = static_cast<size_t>(
      std::count_if(queue_.begin(), queue_.end(), [](auto& p) { return p->held && !p->urgent; }));
  deferred_since_ = std::chrono::steady_clock::now();
  busy_ = true;
  return batch;
}

void GroupCommit::complete_batch(std::unique_lock<std::mutex>& lock, std::vector<std::shared_ptr<Pending>>& batch,
                                 bool here) {
  ++batches_;
  if (here) ++batches_here_;
  writes_ += static_cast<int64_t>(batch.size());
  for (auto& p : batch) p->done = true;
  auto after = after_batch_;
  lock.unlock();
  done_cv_.notify_all();  // run() callers of this batch
  for (auto& p : batch)
    if (p->on_done) p->on_done(p->result);
  if (after) (*after)();
  lock.lock();
  busy_ = false;  // flush() also waits for the callbacks
  done_cv_.notify_all();
  if (!queue_.empty()) work_cv_.notify_one();  // the committer may wait for busy_ to clear
}

size_t GroupCommit::commit_here(size_t max_held) {
  std::unique_lock<std::mutex> lock(mu_);
  if (queue_.empty()) return 0;
  auto to_committer = [&] {
    for (auto& p : queue_) p->urgent = true;
    urgent_ = queue_.size();
    held_ = 0;
    work_cv_.notify_one();
  };
  if (busy_ || stop_ || held_ > max_held) {
    to_committer();  // the committer thread commits them right after its batch
    return 0;
  }
  auto batch = take_batch();
  lock.unlock();
  bool ran = commit_batch(batch, /*wait=*/false);
  lock.lock();
  if (!ran) {
    // Another process holds the write lock: nothing ran; the committer
    // thread waits for it instead of this (event-loop) thread.
    queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
    busy_ = false;
    to_committer();
    done_cv_.notify_all();
    return 0;
  }
  complete_batch(lock, batch, /*here=*/true);
  if (!queue_.empty()) to_committer();  // more than one batch was queued
  return batch.size();
}

void GroupCommit::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    // A batch starts when someone waits for one of its writes, or the
    // oldest deferred write has waited long enough, or there is a full
    // batch's worth. While commit_here() runs a batch, the committer waits.
    auto now_due = [&] { return stop_ || urgent_ > 0 || flushing_ > 0 || queue_.size() >= kMaxBatch; };
    idle_wait_ = true;
    work_cv_.wait(lock, [&] { return !busy_ && (stop_ || !queue_.empty()); });
    idle_wait_ = false;
    if (queue_.empty()) return;  // stopping, and everything is committed
    if (!now_due()) {
      work_cv_.wait_until(lock, deferred_since_ + defer_, [&] { return now_due() || busy_ || queue_.empty(); });
      if (busy_ || queue_.empty()) continue;  // commit_here() took them
      // The writes it waited for were taken and newer ones queued since:
      // wait for the newest oldest one's deadline.
      if (!now_due() && std::chrono::steady_clock::now() < deferred_since_ + defer_) continue;
    }
    auto batch = take_batch();
    lock.unlock();
    commit_batch(batch);
    lock.lock();
    complete_batch(lock, batch, /*here=*/false);
  }
}

bool GroupCommit::commit_batch(std::vector<std::shared_ptr<Pending>>& batch, bool wait) {
  auto undone = [&] {
    if (undone_) undone_();
  };
  auto fail_all = [&](const Error& e) {
    for (auto& p : batch) p->result = e;
    undone();
  };
  auto finish = [&] {
    if (conn_ && !conn_->healthy()) {
      release_(std::move(conn_));
      undone();
    }
  };
  if (!conn_) {
    auto c = acquire_();
    if (!c) {
      fail_all(c.error());
      finish();
      return true;
    }
    conn_ = std::move(*c);
    undone();  // a new connection: nothing cached belongs to it
  }
  SqlConn& c = *conn_;
  if (wait) {
    if (auto s = c.begin(); !s) {
      fail_all(s.error());
      finish();
      return true;
    }
  } else {
    auto began = c.try_begin();
    if (!began) {
      fail_all(began.error());
      finish();
      return true;
    }
    if (!*began) return false;  // locked elsewhere: nothing ran
  }
  // First without savepoints (each costs two statements and a copy of
  // every page it touches): writes fail only on errors that are rare
  // (constraint violations, I/O). If one does, the batch is rolled back
  // and run again with a savepoint per write, so the failed one is undone
  // alone. Writes run twice that way must not mind; ours only set results.
  bool failed = false;
  for (auto& p : batch) {
    if (!(p->result = p->write(c))) {
      failed = true;
      break;
    }
  }
  if (failed) {
    undone();
    c.rollback();
    if (auto s = c.begin(); !s) {
      fail_all(s.error());
      finish();
      return true;
    }
    for (auto& p : batch) {
      // query(), not exec_script(): SQLite keeps these two compiled.
      Status s = ok_status();
      if (auto r = c.query("SAVEPOINT gw_write"); !r) s = r.error();
      if (s) {
        s = p->write(c);
        if (s) {
          if (auto r = c.query("RELEASE gw_write"); !r) s = r.error();
        }
        if (!s) {
          undone();
          if (!c.exec_script("ROLLBACK TO gw_write; RELEASE gw_write")) {
            // The error ended the whole transaction (SQLite does on I/O
            // errors and a full disk): every write of the batch is gone.
            fail_all(s.error());
            c.rollback();
            finish();
            return true;
          }
        }
      }
      p->result = s;
    }
  }
  if (auto s = c.commit(); !s) fail_all(s.error());  // commit() rolled back: nothing was written
  finish();
  return true;
}

int64_t GroupCommit::batches() const {
  std::lock_guard<std::mutex> l(mu_);
  return batches_;
}
int64_t GroupCommit::writes() const {
  std::lock_guard<std::mutex> l(mu_);
  return writes_;
}
int64_t GroupCommit::batches_here() const {
  std::lock_guard<std::mutex> l(mu_);
  return batches_here_;
}

}  // namespace bastion::gateway
