// The fake model server: accepts connections on 127.0.0.1, one thread per
// connection, routes OpenAI and Anthropic paths, hands each model request the
// next scenario turn, logs every request as one JSON line, and writes the
// reply with the turn's shaping and faults.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "http_io.h"
#include "reply_plan.h"
#include "scenario.h"

namespace bastion::fake_server {

class Server {
 public:
  Server(Scenario scenario, std::string log_path);

  // Binds 127.0.0.1 on `port` (0 = any free one). "" on success, and
  // *bound_port is set; else an error message.
  std::string listen(int port, int* bound_port);
  // Accepts connections until the process is terminated.
  void serve_forever();

 private:
  void handle_connection(int fd);
  // Answers one request; false when the connection must be closed.
  bool handle(int fd, const HttpRequest& req);
  bool handle_model(int fd, const HttpRequest& req, const nlohmann::json& body, bool anthropic);
  bool send_json(int fd, int status, const WireJson& body, bool anthropic,
                 const std::vector<std::pair<std::string, std::string>>& extra = {});
  void log(const nlohmann::json& line);
  nlohmann::json log_entry(const HttpRequest& req, const nlohmann::json& body) const;

  Scenario scenario_;
  TurnQueue turns_;
  std::string log_path_;
  std::mutex log_mu_;
  int listen_fd_ = -1;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace bastion::fake_server
