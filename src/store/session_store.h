// Persistent sessions: each conversation's messages in SQLite (WAL), written
// a whole turn at a time inside one transaction, so `kill -9` at any moment
// loses at most the turn in flight and the session still resumes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "llm/message.h"
#include "store/sqlite.h"

namespace bastion::store {

struct SessionInfo {
  std::string id;
  std::string cwd;  // workspace root the session ran in
  std::string model;
  std::string title;  // first user prompt, shortened
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t message_count = 0;
};

class SessionStore {
 public:
  // Default location: fs::data_dir() + "/sessions.db".
  static std::string default_path();
  static Result<SessionStore> open(const std::string& path);

  Result<SessionInfo> create(const std::string& cwd, const std::string& model);
  // Appends messages after the last stored one, atomically.
  Status append(const std::string& session_id, const std::vector<llm::Message>& messages);
  // Replaces the whole history (after compaction or rewind), atomically.
  Status replace(const std::string& session_id, const std::vector<llm::Message>& messages);
  Result<std::vector<llm::Message>> load(const std::string& session_id);

  // Exact id, or a unique prefix of one.
  Result<SessionInfo> get(const std::string& id_or_prefix);
  // Most recently updated session whose cwd is `cwd`.
  Result<SessionInfo> latest_in(const std::string& cwd);
  Result<std::vector<SessionInfo>> list(int limit);

  // Small per-session key/value state (todos, totals) as JSON text.
  Status put_state(const std::string& session_id, const std::string& key, const std::string& json);
  Result<std::string> get_state(const std::string& session_id, const std::string& key);

 private:
  explicit SessionStore(Database db) : db_(std::move(db)) {}
  Status migrate();
  Status touch(const std::string& session_id, const std::string& title_if_empty);
  Database db_;
};

}  // namespace bastion::store
