// fake_model_server --scenario FILE --port-file PATH --log PATH [--port N]
//
// A scripted OpenAI/Anthropic-compatible model server for tests. It listens
// on 127.0.0.1 (a random port unless --port is given), writes the port to the
// port file atomically once listening, logs each request as a JSON line, and
// exits 0 on SIGTERM or SIGINT. See README.md for the scenario format.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "scenario.h"
#include "server.h"

namespace {

void on_terminate(int) { _exit(0); }

int usage(const char* msg) {
  std::fprintf(stderr, "fake_model_server: %s\n", msg);
  std::fprintf(stderr,
               "usage: fake_model_server --scenario FILE --port-file PATH --log PATH [--port N]\n");
  return 2;
}

bool write_port_file(const std::string& path, int port) {
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << port << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace bastion::fake_server;
  std::string scenario_path, port_file, log_path;
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return usage(("missing value for " + a).c_str());
    std::string v = argv[++i];
    if (a == "--scenario") scenario_path = v;
    else if (a == "--port-file") port_file = v;
    else if (a == "--log") log_path = v;
    else if (a == "--port") port = std::atoi(v.c_str());
    else return usage(("unknown option " + a).c_str());
  }
  if (scenario_path.empty() || port_file.empty() || log_path.empty())
    return usage("--scenario, --port-file and --log are required");

  std::ifstream in(scenario_path);
  if (!in) return usage(("cannot read scenario " + scenario_path).c_str());
  std::stringstream ss;
  ss << in.rdbuf();
  Json j = Json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return usage(("scenario is not valid JSON: " + scenario_path).c_str());
  Scenario scenario;
  std::string err = parse_scenario(j, &scenario);
  if (!err.empty()) return usage(("bad scenario: " + err).c_str());

  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGTERM, on_terminate);
  std::signal(SIGINT, on_terminate);

  Server server(std::move(scenario), log_path);
  int bound = 0;
  err = server.listen(port, &bound);
  if (!err.empty()) return usage(err.c_str());
  if (!write_port_file(port_file, bound)) return usage("cannot write the port file");
  server.serve_forever();
  return 1;
}
