#include "store/session_store.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

using namespace bastion;
using bastion::llm::Message;
using bastion::llm::Role;

namespace {
std::string temp_db() {
  return bastion::testing::temp_dir_removed_at_exit("bastion-store") + "/sessions.db";
}
Message msg(Role role, std::string text) {
  Message m;
  m.role = role;
  m.content = std::move(text);
  return m;
}
}  // namespace

TEST(SessionStoreTest, AppendLoadAndResumeLatest) {
  auto store = store::SessionStore::open(temp_db());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto a = store->create("/repo", "m");
  auto b = store->create("/repo", "m");
  ASSERT_TRUE(a.ok() && b.ok());
  Message call = msg(Role::kAssistant, "");
  call.tool_calls.push_back({"c1", "read", "{\"path\":\"x\"}"});
  ASSERT_TRUE(store->append(a->id, {msg(Role::kUser, "fix the bug\nplease"), call}).ok());
  Message result = msg(Role::kTool, "contents");
  result.tool_call_id = "c1";
  ASSERT_TRUE(store->append(a->id, {result}).ok());
  auto loaded = store->load(a->id);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ((*loaded)[1].tool_calls.at(0).arguments, "{\"path\":\"x\"}");
  EXPECT_EQ((*loaded)[2].tool_call_id, "c1");
  auto latest = store->latest_in("/repo");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->id, a->id);  // a was updated last
  EXPECT_EQ(latest->title, "fix the bug please");
  EXPECT_EQ(store->get(a->id.substr(0, 6))->id, a->id);
  EXPECT_FALSE(store->latest_in("/elsewhere").ok());
  EXPECT_EQ(store->get("nope").error().kind, ErrorKind::kNotFound);
}

TEST(SessionStoreTest, ReplaceSwapsHistoryAtomically) {
  auto store = store::SessionStore::open(temp_db());
  auto s = store->create("/r", "m");
  ASSERT_TRUE(store->append(s->id, {msg(Role::kUser, "a"), msg(Role::kAssistant, "b")}).ok());
  ASSERT_TRUE(store->replace(s->id, {msg(Role::kUser, "summary")}).ok());
  auto loaded = store->load(s->id);
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].content, "summary");
}

// A writer killed with SIGKILL mid-stream leaves a database that opens and
// holds only whole turns.
TEST(SessionStoreTest, SurvivesKill9DuringWrites) {
  std::string path = temp_db();
  std::string id;
  {
    auto store = store::SessionStore::open(path);
    id = store->create("/r", "m")->id;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    auto store = store::SessionStore::open(path);
    for (int i = 0;; ++i) {
      (void)store->append(id, {msg(Role::kUser, "q" + std::to_string(i)),
                               msg(Role::kAssistant, std::string(4000, 'x'))});
    }
  }
  ::usleep(300 * 1000);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  auto store = store::SessionStore::open(path);
  ASSERT_TRUE(store.ok());
  auto loaded = store->load(id);
  ASSERT_TRUE(loaded.ok());
  ASSERT_GT(loaded->size(), 0u);
  EXPECT_EQ(loaded->size() % 2, 0u) << "a turn was half-written";
  EXPECT_EQ(loaded->back().role, Role::kAssistant);
  ASSERT_TRUE(store->append(id, {msg(Role::kUser, "resumed")}).ok());
}
