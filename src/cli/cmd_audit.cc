// `bastion audit path | verify [SESSION] | show SESSION [--json]`: where the
// tamper-evident trail lives, checking its hash chains (non-zero exit naming
// the session, record and kind of tampering), and a readable timeline.
#include <cstdio>

#include "cli/subcommands.h"
#include "store/audit_verify.h"
#include "util/json.h"
#include "util/strings.h"

namespace bastion::cli {
namespace {

constexpr const char* kUsage =
    "usage: bastion audit path\n"
    "       bastion audit verify [SESSION]\n"
    "       bastion audit show SESSION [--json]\n";

// One line describing a record's data for the timeline.
std::string summarize(const store::AuditEntry& e) {
  const Json& d = e.data;
  std::string s;
  auto field = [&](const char* k) { return d.is_object() && d.contains(k) && d[k].is_string() ? d[k].get<std::string>() : ""; };
  if (e.type == store::kAuditToolCall) {
    s = field("name");
    if (d.is_object() && d.contains("args")) s += " " + dump_json(d["args"]);
    if (!field("result_digest").empty()) s += " -> " + field("result_digest").substr(0, 19);
  } else if (e.type == store::kAuditApproval) {
    s = field("tool") + ": " + field("decision");
    if (!field("reason").empty()) s += " (" + field("reason") + ")";
  } else if (e.type == store::kAuditFileDiff) {
    s = field("path");
    std::string diff = field("diff");
    size_t plus = 0, minus = 0;
    for (const auto& l : str::split_lines(diff)) {
      if (str::starts_with(l, "+") && !str::starts_with(l, "+++")) ++plus;
      if (str::starts_with(l, "-") && !str::starts_with(l, "---")) ++minus;
    }
    if (!diff.empty()) s += " (+" + std::to_string(plus) + " -" + std::to_string(minus) + ")";
  } else {
    for (const char* k : {"text", "content", "prompt", "summary", "status"})
      if (!field(k).empty()) {
        s = field(k);
        break;
      }
    if (s.empty()) s = dump_json(d);
  }
  s = str::replace_all(s, "\n", " ");
  return str::truncate_utf8(s, 160) + (s.size() > 160 ? "..." : "");
}

int verify(const std::vector<std::string>& args) {
  if (args.size() > 2) {
    std::fprintf(stderr, "%s", kUsage);
    return kExitUsage;
  }
  std::string session = args.size() == 2 ? args[1] : "";
  auto paths = store::AuditPaths::defaults();
  auto report = store::verify_audit(paths, session);
  if (!report.ok()) {
    std::fprintf(stderr, "bastion audit verify: %s\n", report.error().message.c_str());
    return kExitError;
  }
  for (const auto& i : report->issues) {
    std::fprintf(stderr, "%s: session %s, record %llu: %s: %s\n", i.fatal ? "TAMPERED" : "warning",
                 i.session.c_str(), static_cast<unsigned long long>(i.record), i.kind.c_str(),
                 i.message.c_str());
  }
  if (!report->ok()) {
    std::fprintf(stderr, "bastion audit verify: FAILED (%zu sessions, %zu records checked)\n",
                 report->sessions, report->records);
    return kExitError;
  }
  std::printf("audit trail OK: %zu sessions, %zu records, all chains intact\n", report->sessions,
              report->records);
  return kExitOk;
}

int show(const std::vector<std::string>& args) {
  if (args.size() < 2 || args.size() > 3 || (args.size() == 3 && args[2] != "--json")) {
    std::fprintf(stderr, "%s", kUsage);
    return kExitUsage;
  }
  auto paths = store::AuditPaths::defaults();
  auto entries = store::read_audit(paths, args[1]);
  if (!entries.ok()) {
    std::fprintf(stderr, "bastion audit show: %s\n", entries.error().message.c_str());
    return kExitError;
  }
  if (args.size() == 3) {
    Json arr = Json::array();
    for (const auto& e : *entries) arr.push_back({{"seq", e.seq}, {"ts", e.ts}, {"type", e.type}, {"data", e.data}});
    std::printf("%s\n", dump_json(arr, 2).c_str());
  } else {
    std::printf("session %s (%zu records)\n", args[1].c_str(), entries->size());
    for (const auto& e : *entries) {
      std::printf("%5llu  %s  %-15s %s\n", static_cast<unsigned long long>(e.seq), e.ts.c_str(), e.type.c_str(),
                  summarize(e).c_str());
    }
  }
  // Showing is not verifying, but say so when the chain is broken.
  auto report = store::verify_audit(paths, args[1]);
  if (report.ok() && !report->ok()) {
    std::fprintf(stderr, "warning: this session's audit chain does not verify; run `bastion audit verify %s`\n",
                 args[1].c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

int run_audit(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fprintf(stderr, "%s", kUsage);
    return kExitUsage;
  }
  if (args[0] == "path") {
    auto p = store::AuditPaths::defaults();
    std::printf("%s\n", p.log_dir.c_str());
    std::fprintf(stderr, "anchors and key: %s\n", p.anchor_dir.c_str());
    return kExitOk;
  }
  if (args[0] == "verify") return verify(args);
  if (args[0] == "show") return show(args);
  std::fprintf(stderr, "%s", kUsage);
  return kExitUsage;
}

}  // namespace bastion::cli
