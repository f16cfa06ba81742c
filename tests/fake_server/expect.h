// Checks a turn's `expect` assertions against the request the client sent.
// A failure is reported (logged and answered with HTTP 418) rather than
// aborting, so the test driving the client sees exactly which assertion broke.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "http_io.h"
#include "request_view.h"

namespace bastion::fake_server {

// Returns "" when every assertion holds, else a message naming the first
// one that failed and what was actually sent.
std::string check_expect(const nlohmann::json& expect, const HttpRequest& req,
                         const nlohmann::json& body, const RequestView& view);

}  // namespace bastion::fake_server
