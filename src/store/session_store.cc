#include "store/session_store.h"

#include <chrono>

#include "util/fs.h"
#include "util/strings.h"

namespace bastion::store {
namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

constexpr const char* kSessionColumns =
    "s.id, s.cwd, s.model, s.title, s.created_ms, s.updated_ms, "
    "(SELECT COUNT(*) FROM messages m WHERE m.session_id = s.id)";

SessionInfo read_info(Statement& st) {
  SessionInfo info;
  info.id = st.column_text(0);
  info.cwd = st.column_text(1);
  info.model = st.column_text(2);
  info.title = st.column_text(3);
  info.created_ms = st.column_int(4);
  info.updated_ms = st.column_int(5);
  info.message_count = st.column_int(6);
  return info;
}

std::string title_from(const std::vector<llm::Message>& messages) {
  for (auto& m : messages) {
    if (m.role == llm::Role::kUser && !m.content.empty()) {
      std::string t(str::trim(m.content));
      t = str::replace_all(t, "\n", " ");
      return str::truncate_utf8(t, 80);
    }
  }
  return "";
}

}  // namespace

std::string SessionStore::default_path() { return fs::data_dir() + "/sessions.db"; }

Result<SessionStore> SessionStore::open(const std::string& path) {
  auto db = Database::open(path);
  if (!db.ok()) return db.error();
  SessionStore store(std::move(*db));
  Status st = store.migrate();
  if (!st.ok()) return st.error();
  return store;
}

Status SessionStore::migrate() {
  return db_.exec(
      "CREATE TABLE IF NOT EXISTS sessions ("
      "  id TEXT PRIMARY KEY, cwd TEXT NOT NULL, model TEXT NOT NULL DEFAULT '',"
      "  title TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
      "CREATE INDEX IF NOT EXISTS sessions_cwd ON sessions(cwd, updated_ms);"
      "CREATE TABLE IF NOT EXISTS messages ("
      "  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
      "  seq INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY(session_id, seq));"
      "CREATE TABLE IF NOT EXISTS session_state ("
      "  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
      "  key TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY(session_id, key));");
}

Result<SessionInfo> SessionStore::create(const std::string& cwd, const std::string& model) {
  SessionInfo info;
  info.id = str::random_hex(4) + "-" + str::random_hex(2) + "-" + str::random_hex(2) + "-" +
            str::random_hex(2) + "-" + str::random_hex(6);
  info.cwd = cwd;
  info.model = model;
  info.created_ms = info.updated_ms = now_ms();
  auto st = db_.prepare(
      "INSERT INTO sessions(id, cwd, model, title, created_ms, updated_ms) VALUES(?,?,?,'',?,?)");
  if (!st.ok()) return st.error();
  st->bind(1, info.id).bind(2, cwd).bind(3, model).bind(4, info.created_ms).bind(5, info.updated_ms);
  Status r = st->run();
  if (!r.ok()) return r.error();
  return info;
}

// The touched session always becomes the newest one, even when several
// sessions change within the same millisecond, so "-c" resumes the session
// the user last worked in.
Status SessionStore::touch(const std::string& session_id, const std::string& title_if_empty) {
  auto st = db_.prepare(
      "UPDATE sessions SET updated_ms = MAX(?, (SELECT COALESCE(MAX(updated_ms), 0) + 1 FROM sessions)),"
      " title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?");
  if (!st.ok()) return st.error();
  st->bind(1, now_ms()).bind(2, title_if_empty).bind(3, session_id);
  return st->run();
}

Status SessionStore::append(const std::string& session_id, const std::vector<llm::Message>& messages) {
  if (messages.empty()) return ok_status();
  Transaction tx(db_);
  if (!tx.ok()) return make_error(ErrorKind::kIo, "session store is busy: " + db_.path());
  auto next = db_.prepare("SELECT COALESCE(MAX(seq), -1) + 1 FROM messages WHERE session_id = ?");
  if (!next.ok()) return next.error();
  next->bind(1, session_id);
  auto has = next->step();
  if (!has.ok()) return has.error();
  int64_t seq = next->column_int(0);
  auto ins = db_.prepare("INSERT INTO messages(session_id, seq, json) VALUES(?,?,?)");
  if (!ins.ok()) return ins.error();
  for (auto& m : messages) {
    ins->bind(1, session_id).bind(2, seq++).bind(3, dump_json(m.to_json()));
    Status r = ins->run();
    if (!r.ok()) return r;
  }
  Status t = touch(session_id, title_from(messages));
  if (!t.ok()) return t;
  return tx.commit();
}

Status SessionStore::replace(const std::string& session_id, const std::vector<llm::Message>& messages) {
  Transaction tx(db_);
  if (!tx.ok()) return make_error(ErrorKind::kIo, "session store is busy: " + db_.path());
  auto del = db_.prepare("DELETE FROM messages WHERE session_id = ?");
  if (!del.ok()) return del.error();
  del->bind(1, session_id);
  Status r = del->run();
  if (!r.ok()) return r;
  auto ins = db_.prepare("INSERT INTO messages(session_id, seq, json) VALUES(?,?,?)");
  if (!ins.ok()) return ins.error();
  int64_t seq = 0;
  for (auto& m : messages) {
    ins->bind(1, session_id).bind(2, seq++).bind(3, dump_json(m.to_json()));
    r = ins->run();
    if (!r.ok()) return r;
  }
  Status t = touch(session_id, title_from(messages));
  if (!t.ok()) return t;
  return tx.commit();
}

Result<std::vector<llm::Message>> SessionStore::load(const std::string& session_id) {
  auto st = db_.prepare("SELECT json FROM messages WHERE session_id = ? ORDER BY seq");
  if (!st.ok()) return st.error();
  st->bind(1, session_id);
  std::vector<llm::Message> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    auto j = parse_json(st->column_text(0), "stored message");
    if (!j.ok()) return j.error();
    out.push_back(llm::Message::from_json(*j));
  }
  return out;
}

Result<SessionInfo> SessionStore::get(const std::string& id_or_prefix) {
  auto st = db_.prepare(std::string("SELECT ") + kSessionColumns +
                        " FROM sessions s WHERE s.id = ? OR s.id LIKE ? ORDER BY (s.id = ?) DESC LIMIT 2");
  if (!st.ok()) return st.error();
  st->bind(1, id_or_prefix).bind(2, id_or_prefix + "%").bind(3, id_or_prefix);
  std::vector<SessionInfo> found;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    found.push_back(read_info(*st));
  }
  if (found.empty() || id_or_prefix.empty()) {
    return make_error(ErrorKind::kNotFound,
                      "no session '" + id_or_prefix + "'; run `bastion sessions list` to see them");
  }
  if (found.size() > 1 && found[0].id != id_or_prefix) {
    return make_error(ErrorKind::kBadInput, "session prefix '" + id_or_prefix + "' is ambiguous");
  }
  return found[0];
}

Result<SessionInfo> SessionStore::latest_in(const std::string& cwd) {
  auto st = db_.prepare(std::string("SELECT ") + kSessionColumns +
                        " FROM sessions s WHERE s.cwd = ? ORDER BY s.updated_ms DESC, s.rowid DESC LIMIT 1");
  if (!st.ok()) return st.error();
  st->bind(1, cwd);
  auto row = st->step();
  if (!row.ok()) return row.error();
  if (!*row) return make_error(ErrorKind::kNotFound, "no previous session in " + cwd + " to continue");
  return read_info(*st);
}

Result<std::vector<SessionInfo>> SessionStore::list(int limit) {
  auto st = db_.prepare(std::string("SELECT ") + kSessionColumns +
                        " FROM sessions s ORDER BY s.updated_ms DESC, s.rowid DESC LIMIT ?");
  if (!st.ok()) return st.error();
  st->bind(1, static_cast<int64_t>(limit));
  std::vector<SessionInfo> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back(read_info(*st));
  }
  return out;
}

Status SessionStore::put_state(const std::string& session_id, const std::string& key, const std::string& json) {
  auto st = db_.prepare(
      "INSERT INTO session_state(session_id, key, json) VALUES(?,?,?) "
      "ON CONFLICT(session_id, key) DO UPDATE SET json = excluded.json");
  if (!st.ok()) return st.error();
  st->bind(1, session_id).bind(2, key).bind(3, json);
  return st->run();
}

Result<std::string> SessionStore::get_state(const std::string& session_id, const std::string& key) {
  auto st = db_.prepare("SELECT json FROM session_state WHERE session_id = ? AND key = ?");
  if (!st.ok()) return st.error();
  st->bind(1, session_id).bind(2, key);
  auto row = st->step();
  if (!row.ok()) return row.error();
  if (!*row) return make_error(ErrorKind::kNotFound, "no state " + key);
  return st->column_text(0);
}

}  // namespace bastion::store
