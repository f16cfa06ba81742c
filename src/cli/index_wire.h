// The index server's wire format: one request and one reply per Unix-socket
// connection, each a frame of byte strings, so paths and output that are not
// UTF-8 travel unchanged and nothing needs escaping:
//
//   frame = magic (4 bytes) | u32 payload size | payload
//   payload = u32 count | count x (u32 size | bytes)        (u32s little-endian)
//
// A request ("BXQ1") holds the client's repository root, its stdin text
// (the query when QUERY is `-`, else empty) and the argv of `bastion search`
// after the subcommand. A reply ("BXR1") holds a status, the exit code, and
// the stdout and stderr bytes. Decoding checks every size against the bytes
// present and the limits below, so a malformed or oversized frame is an
// error value, never a crash or an unbounded allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace bastion::cli::wire {

inline constexpr size_t kHeaderBytes = 8;
inline constexpr uint32_t kMaxRequestBytes = 16u << 20;  // a pasted issue is far smaller
inline constexpr uint32_t kMaxReplyBytes = 512u << 20;
inline constexpr uint32_t kMaxFields = 4096;
inline constexpr std::string_view kRequestMagic = "BXQ1";
inline constexpr std::string_view kReplyMagic = "BXR1";

struct Request {
  std::string root;  // the client's resolved repository root
  std::string stdin_text;
  std::vector<std::string> args;
};

enum class Status : uint8_t {
  kAnswered = 0,  // exit_code/out/err are the command's
  kFallback = 1,  // the client must run the search itself (e.g. dense search configured)
  kError = 2,     // the request was refused (malformed, wrong repository); err says why
};

struct Reply {
  Status status = Status::kAnswered;
  int exit_code = 0;
  std::string out;
  std::string err;
};

std::string encode_request(const Request& request);
std::string encode_reply(const Reply& reply);

// The payload size a header announces, checked against the magic and
// `max_payload`. `header` must hold kHeaderBytes bytes.
Result<uint32_t> payload_size(std::string_view header, std::string_view magic,
                              uint32_t max_payload);

// Decode a payload (the bytes after the header).
Result<Request> decode_request(std::string_view payload);
Result<Reply> decode_reply(std::string_view payload);

}  // namespace bastion::cli::wire
