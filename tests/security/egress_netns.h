// A loopback-only world for egress tests: runs programs inside a fresh user +
// network + mount namespace whose only interface is `lo`, with
// /etc/resolv.conf bind-mounted to point at a DNS server on 127.0.0.1:53 that
// logs every query it gets, and with every connect()/sendto() traced by
// strace. Whatever Bastion tries to reach shows up in those two logs, whether
// or not the attempt could succeed, so a test can assert on attempts and not
// only on what got through.
//
// Everything runs in one shell script inside the namespace (the loopback of
// a network namespace is only reachable from inside it): the DNS logger, the
// fake model server, then each step under strace, in order.
#pragma once

#include <string>
#include <vector>

namespace bastion::security {

// One traced socket call: connect, or a send with an explicit address.
struct SocketAttempt {
  int pid = 0;
  std::string call;    // "connect", "sendto", "sendmsg"
  std::string family;  // "AF_INET", "AF_INET6", "AF_UNIX", ...
  std::string address; // IP, or the unix socket path
  int port = 0;
  std::string line;    // the raw strace line, for messages
};

// Parses strace output (`strace -f -o FILE`), keeping only calls that carry
// an address.
std::vector<SocketAttempt> parse_strace_socket_calls(const std::string& text);

// Why the namespace world cannot be built here ("" when it can): no
// unshare/strace/python3/ip, or unprivileged user namespaces disabled.
std::string egress_unavailable_reason();

struct EgressStep {
  std::string name;               // file-name safe
  std::vector<std::string> argv;  // argv[0] = program path
};

struct EgressRun {
  std::string error;  // set when the world could not be built
  int fake_port = 0;
  std::vector<std::string> dns_queries;  // "name qtype", one per query
  struct StepResult {
    int exit_code = -1;
    std::string output;  // stdout + stderr
    std::vector<SocketAttempt> attempts;
  };
  std::vector<StepResult> steps;        // one per EgressStep, in order
  std::vector<std::string> server_log;  // the fake server's request log lines
};

// Runs `steps` in the loopback world, in `cwd`, with exactly `env` plus
// BASTION_BASE_URL=http://127.0.0.1:<fake port>/v1. `scenario_json` is the
// fake server's scenario. `work_dir` holds the scripts and logs.
EgressRun run_in_loopback_world(const std::string& work_dir, const std::string& fake_server_bin,
                                const std::string& scenario_json, const std::vector<EgressStep>& steps,
                                const std::vector<std::string>& env, const std::string& cwd);

}  // namespace bastion::security
