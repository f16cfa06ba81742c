#include "store/audit_verify.h"

#include <dirent.h>

#include <algorithm>
#include <set>

#include "store/audit_record.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::store {
namespace {

std::vector<std::string> names_with_suffix(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > suffix.size() && str::ends_with(name, suffix))
      out.push_back(name.substr(0, name.size() - suffix.size()));
  }
  ::closedir(d);
  return out;
}

struct Line {
  size_t number;  // 1-based line in the file
  audit::DecodedRecord rec;
};

void verify_session(const AuditPaths& paths, const std::string& key, const std::string& session,
                    AuditReport* report) {
  auto add = [&](uint64_t record, std::string kind, std::string message, bool fatal = true) {
    report->issues.push_back({session, record, std::move(kind), std::move(message), fatal});
  };
  ++report->sessions;
  auto anchor_text = fs::read_file(paths.anchor_path(session));
  std::optional<audit::Anchor> anchor;
  if (anchor_text.ok()) {
    anchor = audit::decode_anchor(key, anchor_text.value());
    if (!anchor || !anchor->mac_ok || anchor->session != session) {
      add(0, "bad_anchor", "the anchor file " + paths.anchor_path(session) + " was modified");
      anchor.reset();
    }
  } else {
    add(0, "missing_anchor", "no anchor for this log (" + paths.anchor_path(session) +
                                 " deleted, or the log was not written by bastion)");
  }
  auto text_r = fs::read_file(paths.log_path(session));
  if (!text_r.ok()) {
    add(0, "deleted_log", "the log " + paths.log_path(session) + " is missing" +
                              (anchor ? " (its anchor records " + std::to_string(anchor->seq) + " records)" : ""));
    return;
  }
  const std::string& text = text_r.value();

  // Pass 1: split and decode every complete line.
  std::vector<Line> lines;
  size_t pos = 0, number = 0;
  bool torn = false;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    ++number;
    if (nl == std::string::npos) {
      torn = true;
      break;
    }
    lines.push_back({number, audit::decode_record(key, std::string_view(text).substr(pos, nl - pos))});
    pos = nl + 1;
  }
  report->records += lines.size();

  // Pass 2: content, order and chain.
  std::string prev_hash = audit::kGenesis;
  uint64_t expected = 1;
  std::set<uint64_t> seen;
  for (const Line& l : lines) {
    const auto& r = l.rec;
    uint64_t id = r.parsed ? r.seq : l.number;
    if (!r.parsed && r.hash.empty()) {
      add(id, "malformed", "line " + std::to_string(l.number) + " is not an audit record (edited or damaged)");
    } else if (!r.mac_ok) {
      add(id, "modified", "record " + std::to_string(id) + " (line " + std::to_string(l.number) +
                              ") was modified: its hash does not match its content");
    } else if (!r.parsed) {
      add(id, "malformed", "record at line " + std::to_string(l.number) + " is malformed");
    } else if (r.session != session) {
      add(id, "foreign", "record " + std::to_string(id) + " belongs to session '" + r.session +
                             "' (copied from another log)");
    } else if (r.seq < expected || seen.count(r.seq)) {
      add(id, "reordered", "record " + std::to_string(r.seq) + " appears at line " +
                               std::to_string(l.number) + " after record " + std::to_string(expected - 1) +
                               " (records reordered or duplicated)");
    } else if (r.seq > expected) {
      // Either deleted, or moved later in the file (reordering).
      bool later = false;
      for (const Line& m : lines)
        if (m.rec.parsed && m.rec.seq == expected && m.number > l.number) later = true;
      if (later) {
        add(r.seq, "reordered", "record " + std::to_string(r.seq) + " appears at line " +
                                    std::to_string(l.number) + " before record " + std::to_string(expected) +
                                    " (records reordered)");
      } else {
        add(expected, "deleted", "record" + std::string(r.seq - expected > 1 ? "s " : " ") +
                                     std::to_string(expected) +
                                     (r.seq - expected > 1 ? "-" + std::to_string(r.seq - 1) : "") +
                                     " deleted (line " + std::to_string(l.number) + " holds record " +
                                     std::to_string(r.seq) + ")");
      }
    } else if (r.prev != prev_hash) {
      add(id, "modified", "record " + std::to_string(id) + " does not chain to the record before it");
    }
    if (r.parsed) {
      seen.insert(r.seq);
      expected = std::max(expected, r.seq + 1);
    }
    prev_hash = r.hash;
  }
  uint64_t last = lines.empty() || !lines.back().rec.parsed ? 0 : lines.back().rec.seq;
  if (anchor) {
    if (last < anchor->seq || seen.size() < anchor->seq) {
      add(last + 1, "truncated", "log truncated: it ends at record " + std::to_string(last) +
                                     " but its anchor records " + std::to_string(anchor->seq) + " records" +
                                     (torn ? " (cut mid-record at line " + std::to_string(number) + ")" : ""));
    } else {
      for (const Line& l : lines) {
        if (l.rec.parsed && l.rec.seq == anchor->seq && l.rec.hash != anchor->hash)
          add(anchor->seq, "modified", "record " + std::to_string(anchor->seq) +
                                           " differs from the one the anchor recorded (log rewritten)");
      }
      if (torn)
        add(last + 1, "torn_write", "an incomplete final record after record " + std::to_string(last) +
                                        " (a crash during the write; it was never acknowledged)", false);
    }
  } else if (torn) {
    add(last + 1, "truncated", "log cut mid-record at line " + std::to_string(number));
  }
}

}  // namespace

std::vector<std::string> list_audit_sessions(const AuditPaths& paths) {
  std::set<std::string> all;
  for (auto& s : names_with_suffix(paths.log_dir, ".jsonl")) all.insert(s);
  for (auto& s : names_with_suffix(paths.anchor_dir, ".anchor")) all.insert(s);
  return {all.begin(), all.end()};
}

Result<AuditReport> verify_audit(const AuditPaths& paths, const std::string& session) {
  if (!session.empty() && !valid_audit_session_id(session))
    return make_error(ErrorKind::kBadInput, "invalid session id '" + session + "'");
  auto key = load_audit_key(paths, false);
  AuditReport report;
  auto sessions = session.empty() ? list_audit_sessions(paths) : std::vector<std::string>{session};
  if (!key.ok()) {
    if (sessions.empty()) return report;  // nothing recorded yet
    return make_error(ErrorKind::kIo, "the audit key " + paths.key_path() +
                                          " is missing: the trail cannot be verified (deleted?)");
  }
  if (!session.empty() && !fs::exists(paths.log_path(session)) && !fs::exists(paths.anchor_path(session)))
    return make_error(ErrorKind::kNotFound, "no audit trail for session '" + session + "'");
  for (const auto& s : sessions) verify_session(paths, key.value(), s, &report);
  return report;
}

Result<std::vector<AuditEntry>> read_audit(const AuditPaths& paths, const std::string& session) {
  if (!valid_audit_session_id(session))
    return make_error(ErrorKind::kBadInput, "invalid session id '" + session + "'");
  auto text = fs::read_file(paths.log_path(session));
  if (!text.ok()) return make_error(ErrorKind::kNotFound, "no audit trail for session '" + session + "'");
  std::vector<AuditEntry> out;
  for (const auto& line : str::split_lines(text.value())) {
    auto r = audit::decode_record("", line);
    if (!r.parsed) continue;
    out.push_back({r.seq, r.ts, r.type, r.data});
  }
  return out;
}

}  // namespace bastion::store
