// Audit trail tests: appends chain and survive reopening, and every kind of
// tampering (edit a byte, drop the last record, swap two records, delete a
// middle record, truncate mid-line, delete a log, forge an anchor) is
// reported with the session, the record and the kind.
#include "store/audit_log.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/audit_verify.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::store {
namespace {

namespace stdfs = std::filesystem;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = stdfs::temp_directory_path() / ("bastion-audit-" + str::random_hex(6));
    stdfs::create_directories(root_);
    paths_ = AuditPaths::for_dir((root_ / "audit").string());
  }
  void TearDown() override { stdfs::remove_all(root_); }

  void write_session(const std::string& id, int n) {
    auto log = AuditLog::open(paths_, id);
    ASSERT_TRUE(log.ok()) << log.error().message;
    for (int i = 1; i <= n; ++i)
      ASSERT_TRUE(log->append(i == 1 ? kAuditPrompt : kAuditToolCall,
                              Json{{"text", "step " + std::to_string(i)},
                                   {"result_digest", audit_digest("out" + std::to_string(i))}})
                      .ok());
  }
  std::vector<std::string> lines(const std::string& id) {
    return str::split_lines(fs::read_file(paths_.log_path(id)).value());
  }
  void rewrite(const std::string& id, const std::vector<std::string>& ls) {
    std::string t;
    for (auto& l : ls) t += l + "\n";
    std::ofstream(paths_.log_path(id), std::ios::binary | std::ios::trunc) << t;
  }
  AuditReport verify(const std::string& id = "") {
    auto r = verify_audit(paths_, id);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : AuditReport{};
  }
  // The first fatal issue's kind, or "" when the chain verifies.
  std::string first_kind(const AuditReport& r) {
    for (auto& i : r.issues)
      if (i.fatal) return i.kind;
    return "";
  }

  stdfs::path root_;
  AuditPaths paths_;
};

TEST_F(AuditLogTest, AppendsVerifyAndReopenContinuesTheChain) {
  write_session("s1", 3);
  write_session("s1", 2);  // resumed session
  auto r = verify("s1");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.records, 5u);
  auto entries = read_audit(paths_, "s1");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 5u);
  EXPECT_EQ((*entries)[3].seq, 4u);
  EXPECT_EQ((*entries)[0].type, "prompt");
  EXPECT_EQ((*entries)[4].data["text"], "step 2");
  // The log and the key are private.
  EXPECT_EQ(stdfs::status(paths_.log_path("s1")).permissions() & stdfs::perms::others_read, stdfs::perms::none);
  EXPECT_EQ(stdfs::status(paths_.key_path()).permissions() & stdfs::perms::group_read, stdfs::perms::none);
}

TEST_F(AuditLogTest, RejectsBadSessionIds) {
  EXPECT_FALSE(AuditLog::open(paths_, "../etc").ok());
  EXPECT_FALSE(AuditLog::open(paths_, "").ok());
  EXPECT_FALSE(AuditLog::open(paths_, "a/b").ok());
}

TEST_F(AuditLogTest, EditedByteIsModified) {
  write_session("s1", 4);
  auto ls = lines("s1");
  size_t p = ls[1].find("step 2");
  ls[1][p + 5] = '9';
  rewrite("s1", ls);
  auto r = verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].session, "s1");
  EXPECT_EQ(r.issues[0].record, 2u);
  EXPECT_EQ(r.issues[0].kind, "modified");
}

TEST_F(AuditLogTest, DroppedLastRecordIsTruncation) {
  write_session("s1", 4);
  auto ls = lines("s1");
  ls.pop_back();
  rewrite("s1", ls);
  auto r = verify("s1");
  EXPECT_EQ(first_kind(r), "truncated");
  EXPECT_NE(r.issues[0].message.find("ends at record 3"), std::string::npos) << r.issues[0].message;
}

TEST_F(AuditLogTest, SwappedRecordsAreReordered) {
  write_session("s1", 4);
  auto ls = lines("s1");
  std::swap(ls[1], ls[2]);
  rewrite("s1", ls);
  auto r = verify("s1");
  EXPECT_EQ(first_kind(r), "reordered");
  EXPECT_EQ(r.issues[0].record, 3u);
}

TEST_F(AuditLogTest, DeletedMiddleRecordIsDeleted) {
  write_session("s1", 5);
  auto ls = lines("s1");
  ls.erase(ls.begin() + 2);
  rewrite("s1", ls);
  auto r = verify("s1");
  EXPECT_EQ(first_kind(r), "deleted");
  EXPECT_EQ(r.issues[0].record, 3u);
}

TEST_F(AuditLogTest, TruncatedMidLineIsDetected) {
  write_session("s1", 3);
  std::string text = fs::read_file(paths_.log_path("s1")).value();
  stdfs::resize_file(paths_.log_path("s1"), text.size() - 20);
  auto r = verify("s1");
  EXPECT_EQ(first_kind(r), "truncated");
  // And the writer refuses to extend a damaged chain.
  EXPECT_FALSE(AuditLog::open(paths_, "s1").ok());
}

TEST_F(AuditLogTest, DeletedLogAndForgedAnchorAreDetected) {
  write_session("s1", 2);
  write_session("s2", 2);
  stdfs::remove(paths_.log_path("s1"));
  std::string anchor = fs::read_file(paths_.anchor_path("s2")).value();
  anchor = str::replace_all(anchor, "\"seq\":2", "\"seq\":1");
  std::ofstream(paths_.anchor_path("s2"), std::ios::trunc) << anchor;
  auto r = verify();
  ASSERT_EQ(r.sessions, 2u);
  std::set<std::string> kinds;
  for (auto& i : r.issues) kinds.insert(i.session + ":" + i.kind);
  EXPECT_TRUE(kinds.count("s1:deleted_log"));
  EXPECT_TRUE(kinds.count("s2:bad_anchor"));
}

TEST_F(AuditLogTest, RecomputedPlainHashesDoNotPass) {
  // An attacker who edits a record and rewrites "hash" with a plain SHA-256
  // of the content still fails: hashes are keyed.
  write_session("s1", 2);
  auto ls = lines("s1");
  ls[1] = str::replace_all(ls[1], "step 2", "step X");
  rewrite("s1", ls);
  EXPECT_EQ(first_kind(verify("s1")), "modified");
}

TEST_F(AuditLogTest, SurvivesKill9MidSession) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto log = AuditLog::open(paths_, "crash");
    if (!log.ok()) _exit(3);
    for (int i = 0;; ++i) (void)log->append("tool_call", Json{{"i", i}});
  }
  usleep(300 * 1000);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto r = verify("crash");
  EXPECT_TRUE(r.ok()) << (r.issues.empty() ? "" : r.issues[0].message);
  EXPECT_GT(r.records, 0u);
  // The session can be resumed and extended.
  auto log = AuditLog::open(paths_, "crash");
  ASSERT_TRUE(log.ok()) << log.error().message;
  ASSERT_TRUE(log->append(kAuditSessionEnd, Json::object()).ok());
  EXPECT_TRUE(verify("crash").ok());
}

}  // namespace
}  // namespace bastion::store
