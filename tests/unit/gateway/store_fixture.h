// Helpers shared by the gateway store tests: a fresh SQLite file removed
// when the test binary exits, a reservation and a settlement with the usual
// fields filled, and a store opened with one user added.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gateway/gateway_store.h"
#include "temp_dir.h"

namespace bastion::gateway {

inline std::string temp_db() { return bastion::testing::temp_dir_removed_at_exit("bastion-gwstore") + "/gw.db"; }

inline ReserveRequest req(const UserRecord& u, const std::string& id, int64_t est, int64_t now) {
  ReserveRequest r;
  r.request_id = id;
  r.user = u;
  r.model = "m";
  r.endpoint = "/v1/chat/completions";
  r.est_tokens = est;
  r.now = now;
  return r;
}

inline Settlement settle(const std::string& id, int64_t in, int64_t out) {
  Settlement s;
  s.request_id = id;
  s.upstream = "up";
  s.outcome = "ok";
  s.http_status = 200;
  s.usage.input_tokens = in;
  s.usage.output_tokens = out;
  s.usage.reported = true;
  return s;
}

// A store on a fresh (or the given) SQLite file, with `u` added.
inline std::unique_ptr<GatewayStore> open_with_user(const UserRecord& u, const std::string& path = temp_db()) {
  auto s = GatewayStore::open("sqlite://" + path, 2);
  EXPECT_TRUE(s.ok()) << s.error().message;
  if (!s.ok()) return nullptr;
  EXPECT_TRUE((*s)->add_user(u).ok());
  return std::move(*s);
}

}  // namespace bastion::gateway
