#include "store/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "store/audit_record.h"
#include "store/digest.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::store {

AuditPaths AuditPaths::defaults() {
  return {fs::state_dir() + "/audit", fs::data_dir() + "/audit-anchors"};
}

AuditPaths AuditPaths::for_dir(const std::string& log_dir) {
  AuditPaths d = defaults();
  if (log_dir.empty() || log_dir == d.log_dir) return d;
  std::string dir = log_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return {dir, dir + ".anchors"};
}

std::string AuditPaths::log_path(const std::string& s) const { return log_dir + "/" + s + ".jsonl"; }
std::string AuditPaths::anchor_path(const std::string& s) const { return anchor_dir + "/" + s + ".anchor"; }
std::string AuditPaths::key_path() const { return anchor_dir + "/key"; }

std::string audit_digest(std::string_view data) { return "sha256:" + sha256_hex(data); }

bool valid_audit_session_id(std::string_view id) {
  if (id.empty() || id.size() > 128 || id[0] == '.') return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<std::string> load_audit_key(const AuditPaths& paths, bool create) {
  std::string path = paths.key_path();
  auto existing = fs::read_file(path);
  if (existing.ok()) {
    std::string key(str::trim(existing.value()));
    if (key.size() < 32) return make_error(ErrorKind::kIo, "audit key " + path + " is damaged");
    return key;
  }
  if (!create) return make_error(ErrorKind::kNotFound, "no audit key at " + path);
  if (auto st = fs::make_dirs(paths.anchor_dir); !st.ok()) return st.error();
  ::chmod(paths.anchor_dir.c_str(), 0700);
  std::string key = str::random_hex(32);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return load_audit_key(paths, false);  // lost a race: use theirs
    return make_error(ErrorKind::kIo, "cannot create audit key " + path + ": " + std::strerror(errno));
  }
  std::string line = key + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return make_error(ErrorKind::kIo, "cannot write audit key " + path);
  return key;
}

Result<AuditLog> AuditLog::open(const std::string& dir, const std::string& session_id) {
  return open(AuditPaths::for_dir(dir), session_id);
}

Result<AuditLog> AuditLog::open(const AuditPaths& paths, const std::string& session_id) {
  if (!valid_audit_session_id(session_id))
    return make_error(ErrorKind::kBadInput, "invalid audit session id '" + session_id + "'");
  auto key = load_audit_key(paths, true);
  if (!key.ok()) return key.error();
  if (auto st = fs::make_dirs(paths.log_dir); !st.ok()) return st.error();
  ::chmod(paths.log_dir.c_str(), 0700);

  AuditLog log;
  log.paths_ = paths;
  log.session_ = session_id;
  log.log_path_ = paths.log_path(session_id);
  log.key_ = key.value();
  log.last_hash_ = audit::kGenesis;

  // Continue an existing chain (a resumed session).
  uint64_t anchored = 0;
  if (auto a = fs::read_file(paths.anchor_path(session_id)); a.ok()) {
    auto anchor = audit::decode_anchor(log.key_, a.value());
    if (anchor && anchor->mac_ok) anchored = anchor->seq;
  }
  auto existing = fs::read_file(log.log_path_);
  if (existing.ok()) {
    const std::string& text = existing.value();
    size_t pos = 0, good_end = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) break;  // torn final write
      auto rec = audit::decode_record(log.key_, std::string_view(text).substr(pos, nl - pos));
      if (!rec.mac_ok || !rec.parsed || rec.seq != log.seq_ + 1 || rec.prev != log.last_hash_ ||
          rec.session != session_id) {
        return make_error(ErrorKind::kIo, "audit log " + log.log_path_ + " is damaged at record " +
                                              std::to_string(log.seq_ + 1) +
                                              "; run `bastion audit verify " + session_id + "`");
      }
      log.seq_ = rec.seq;
      log.last_hash_ = rec.hash;
      pos = nl + 1;
      good_end = pos;
    }
    if (log.seq_ < anchored) {
      return make_error(ErrorKind::kIo, "audit log " + log.log_path_ + " was truncated (anchor records " +
                                            std::to_string(anchored) + " records, log holds " +
                                            std::to_string(log.seq_) + ")");
    }
    if (good_end < text.size() && ::truncate(log.log_path_.c_str(), static_cast<off_t>(good_end)) != 0) {
      // A torn, never-acknowledged final write from a crash: drop it.
      return make_error(ErrorKind::kIo, "cannot repair torn audit record in " + log.log_path_);
    }
  } else if (anchored > 0) {
    return make_error(ErrorKind::kIo, "audit log " + log.log_path_ + " was deleted (anchor records " +
                                          std::to_string(anchored) + " records)");
  }
  log.fd_ = ::open(log.log_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (log.fd_ < 0)
    return make_error(ErrorKind::kIo, "cannot open audit log " + log.log_path_ + ": " + std::strerror(errno));
  return log;
}

AuditLog::AuditLog(AuditLog&& o) noexcept
    : paths_(std::move(o.paths_)), session_(std::move(o.session_)), log_path_(std::move(o.log_path_)),
      key_(std::move(o.key_)), last_hash_(std::move(o.last_hash_)), seq_(o.seq_), fd_(o.fd_) {
  o.fd_ = -1;
}

AuditLog& AuditLog::operator=(AuditLog&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    paths_ = std::move(o.paths_);
    session_ = std::move(o.session_);
    log_path_ = std::move(o.log_path_);
    key_ = std::move(o.key_);
    last_hash_ = std::move(o.last_hash_);
    seq_ = o.seq_;
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

Status AuditLog::append(const std::string& type, const Json& data) {
  if (fd_ < 0) return make_error(ErrorKind::kIo, "audit log is closed");
  if (type.empty()) return make_error(ErrorKind::kBadInput, "audit record type is empty");
  std::string hash;
  std::string line =
      audit::encode_record(key_, session_, seq_ + 1, audit::now_timestamp(), type, data, last_hash_, &hash);
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorKind::kIo, "cannot write audit log " + log_path_ + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0)
    return make_error(ErrorKind::kIo, "cannot sync audit log " + log_path_ + ": " + std::strerror(errno));
  ++seq_;
  last_hash_ = hash;
  return write_anchor();
}

Status AuditLog::write_anchor() {
  return fs::write_file_atomic(paths_.anchor_path(session_),
                               audit::encode_anchor(key_, session_, seq_, last_hash_));
}

}  // namespace bastion::store
