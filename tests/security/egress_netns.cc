#include "security/egress_netns.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "util/fs.h"
#include "util/subprocess.h"

namespace bastion::security {
namespace {

// Answers every query with NXDOMAIN and appends "name qtype" to the log.
// UDP and TCP (resolvers retry over TCP on truncation).
constexpr char kDnsLogger[] = R"PY(
import socket, struct, sys, threading
log_path, ready_path = sys.argv[1], sys.argv[2]
lock = threading.Lock()
def answer(msg):
    i, labels = 12, []
    while i < len(msg) and msg[i] != 0 and len(labels) < 128:
        n = msg[i]; labels.append(msg[i+1:i+1+n].decode('ascii', 'replace')); i += 1 + n
    qtype = struct.unpack('>H', msg[i+1:i+3])[0] if i + 3 <= len(msg) else 0
    with lock, open(log_path, 'a') as f:
        f.write('%s %d\n' % ('.'.join(labels), qtype))
    return msg[:2] + b'\x81\x83\x00\x01\x00\x00\x00\x00\x00\x00' + msg[12:i + 5]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 53))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(('127.0.0.1', 53)); t.listen(16)
def serve_tcp():
    while True:
        c, _ = t.accept()
        try:
            n = struct.unpack('>H', c.recv(2, socket.MSG_WAITALL))[0]
            r = answer(c.recv(n, socket.MSG_WAITALL)); c.sendall(struct.pack('>H', len(r)) + r)
        except Exception:
            pass
        c.close()
threading.Thread(target=serve_tcp, daemon=True).start()
open(ready_path, 'w').close()
while True:
    m, a = u.recvfrom(4096)
    if len(m) >= 12:
        u.sendto(answer(m), a)
)PY";

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string between(const std::string& line, const std::string& open, char close) {
  size_t a = line.find(open);
  if (a == std::string::npos) return "";
  a += open.size();
  size_t b = line.find(close, a);
  return b == std::string::npos ? "" : line.substr(a, b - a);
}

const char* find_program(const std::vector<const char*>& candidates) {
  for (const char* c : candidates)
    if (::access(c, X_OK) == 0) return c;
  return nullptr;
}

const char* unshare_bin() { return find_program({"/usr/bin/unshare", "/bin/unshare"}); }
const char* strace_bin() { return find_program({"/usr/bin/strace", "/bin/strace"}); }
const char* python_bin() { return find_program({"/usr/bin/python3", "/usr/local/bin/python3"}); }
const char* ip_bin() { return find_program({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}); }

std::string read_or_empty(const std::string& path) {
  auto r = fs::read_file(path);
  return r.ok() ? *r : "";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

}  // namespace

std::vector<SocketAttempt> parse_strace_socket_calls(const std::string& text) {
  std::vector<SocketAttempt> out;
  for (const std::string& line : lines_of(text)) {
    size_t fam = line.find("sa_family=");
    if (fam == std::string::npos) continue;
    SocketAttempt a;
    a.line = line;
    a.pid = std::atoi(line.c_str());
    size_t p = line.find_first_not_of("0123456789 ");
    size_t paren = line.find('(', p);
    if (p == std::string::npos || paren == std::string::npos) continue;
    a.call = line.substr(p, paren - p);
    if (a.call != "connect" && a.call != "sendto" && a.call != "sendmsg" && a.call != "sendmmsg") continue;
    size_t fend = line.find_first_of(",}", fam);
    a.family = line.substr(fam + 10, fend - fam - 10);
    if (a.family == "AF_UNIX") {
      // sun_path="/x" or, for the abstract namespace, sun_path=@"x".
      size_t sp = line.find("sun_path=");
      if (sp != std::string::npos) {
        sp += 9;
        if (sp < line.size() && line[sp] == '@') {
          a.address = "@";
          ++sp;
        }
        if (sp < line.size() && line[sp] == '"') a.address += between(line.substr(sp), "\"", '"');
      }
    } else if (a.family == "AF_INET") {
      a.address = between(line, "inet_addr(\"", '"');
      a.port = std::atoi(between(line, "sin_port=htons(", ')').c_str());
    } else if (a.family == "AF_INET6") {
      a.address = between(line, "inet_pton(AF_INET6, \"", '"');
      a.port = std::atoi(between(line, "sin6_port=htons(", ')').c_str());
    }
    out.push_back(a);
  }
  return out;
}

std::string egress_unavailable_reason() {
  if (!unshare_bin()) return "unshare (util-linux) is not installed";
  if (!strace_bin()) return "strace is not installed (scripts/install_deps.sh installs it)";
  if (!python_bin()) return "python3 is not installed (needed for the logging DNS server)";
  if (!ip_bin()) return "ip (iproute2) is not installed";
  ProcessSpec spec;
  spec.argv = {unshare_bin(), "-rnm", "/bin/true"};
  spec.timeout_ms = 20000;
  auto r = run_process(spec);
  if (!r.ok() || r->exit_code != 0)
    return "unprivileged user + network + mount namespaces are not available here (`unshare -rnm true` failed: " +
           (r.ok() ? r->output : r.error().message) + ")";
  return "";
}

EgressRun run_in_loopback_world(const std::string& work_dir, const std::string& fake_server_bin,
                                const std::string& scenario_json, const std::vector<EgressStep>& steps,
                                const std::vector<std::string>& env, const std::string& cwd) {
  EgressRun run;
  const std::string d = work_dir;
  if (!fs::write_file_atomic(d + "/dns_logger.py", kDnsLogger).ok() ||
      !fs::write_file_atomic(d + "/resolv.conf", "nameserver 127.0.0.1\noptions attempts:1 timeout:1\n").ok() ||
      !fs::write_file_atomic(d + "/scenario.json", scenario_json).ok() ||
      !fs::write_file_atomic(d + "/dns.log", "").ok()) {
    run.error = "cannot write the test files under " + d;
    return run;
  }
  std::string s = "set -u\nD=" + quote(d) + "\n";
  s += std::string(ip_bin()) + " link set lo up || { echo 'ip link set lo up failed'; exit 90; }\n";
  s += "mount --bind \"$D/resolv.conf\" /etc/resolv.conf || { echo 'cannot bind-mount resolv.conf'; exit 91; }\n";
  s += std::string(python_bin()) + " \"$D/dns_logger.py\" \"$D/dns.log\" \"$D/dns.ready\" 2>\"$D/dns.err\" & DNS=$!\n";
  s += quote(fake_server_bin) +
       " --scenario \"$D/scenario.json\" --port-file \"$D/port\" --log \"$D/server.log\" 2>\"$D/server.err\" & SRV=$!\n";
  s += "i=0; while [ ! -e \"$D/dns.ready\" ] || [ ! -s \"$D/port\" ]; do i=$((i+1)); "
       "[ $i -gt 400 ] && { echo 'DNS logger or fake server did not start'; cat \"$D/dns.err\" \"$D/server.err\"; "
       "kill $DNS $SRV; exit 92; }; sleep 0.05; done\n";
  s += "export BASTION_BASE_URL=http://127.0.0.1:$(cat \"$D/port\")/v1\n";
  s += "cd " + quote(cwd) + " || exit 93\n";
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string n = std::to_string(i);
    s += std::string(strace_bin()) + " -f -qq -e signal=none -e trace=connect,sendto,sendmsg,sendmmsg -o \"$D/trace." +
         n + "\"";
    for (auto& a : steps[i].argv) s += " " + quote(a);
    s += " </dev/null >\"$D/out." + n + "\" 2>&1; echo $? >\"$D/rc." + n + "\"\n";
  }
  s += "kill $DNS $SRV; wait\nexit 0\n";
  if (!fs::write_file_atomic(d + "/world.sh", s).ok()) {
    run.error = "cannot write " + d + "/world.sh";
    return run;
  }
  ProcessSpec spec;
  spec.argv = {unshare_bin(), "-rnm", "/bin/sh", d + "/world.sh"};
  spec.env = env;
  spec.timeout_ms = 300000;
  auto r = run_process(spec);
  if (!r.ok() || r->exit_code != 0 || r->timed_out) {
    run.error = "the loopback world failed: " + (r.ok() ? "exit " + std::to_string(r->exit_code) +
                                                              (r->timed_out ? " (timed out)" : "") + "\n" + r->output
                                                        : r.error().message);
    return run;
  }
  run.fake_port = std::atoi(read_or_empty(d + "/port").c_str());
  run.dns_queries = lines_of(read_or_empty(d + "/dns.log"));
  run.server_log = lines_of(read_or_empty(d + "/server.log"));
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string n = std::to_string(i);
    EgressRun::StepResult sr;
    std::string rc = read_or_empty(d + "/rc." + n);
    sr.exit_code = rc.empty() ? -1 : std::atoi(rc.c_str());
    sr.output = read_or_empty(d + "/out." + n);
    sr.attempts = parse_strace_socket_calls(read_or_empty(d + "/trace." + n));
    run.steps.push_back(sr);
  }
  return run;
}

}  // namespace bastion::security
