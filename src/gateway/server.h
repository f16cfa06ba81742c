// The gateway's HTTP server: Boost.Beast over Asio, one coroutine per
// client connection, so ten thousand open SSE streams cost memory, not
// threads. Database work runs on a small worker pool. Upstream replies are
// relayed as they arrive (chunk by chunk, never buffered whole).
//
// All of Beast lives in server.cc (Beast costs ~36 s of compile per file);
// this header stays light.
#pragma once

#include <memory>

#include "gateway/gateway.h"
#include "util/result.h"

namespace bastion::gateway {

class Server {
 public:
  // Binds the listen address from the config (port 0 = any free port).
  static Result<std::unique_ptr<Server>> create(Gateway& gateway);
  ~Server();

  int port() const;
  // Serves until stop() or SIGTERM/SIGINT (when handle_signals), then drains
  // in-flight requests and streams for up to drain_seconds.
  void run(bool handle_signals);
  // Starts a graceful shutdown; safe from any thread.
  void stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bastion::gateway
