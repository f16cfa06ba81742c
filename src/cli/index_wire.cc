#include "cli/index_wire.h"

#include <charconv>

namespace bastion::cli::wire {
namespace {

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t get_u32(std::string_view in, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

std::string frame(std::string_view magic, const std::vector<std::string_view>& fields) {
  std::string payload;
  put_u32(payload, static_cast<uint32_t>(fields.size()));
  for (std::string_view f : fields) {
    put_u32(payload, static_cast<uint32_t>(f.size()));
    payload.append(f);
  }
  std::string out(magic);
  put_u32(out, static_cast<uint32_t>(payload.size()));
  return out + payload;
}

Error malformed(const std::string& why) {
  return make_error(ErrorKind::kBadInput, "malformed frame: " + why);
}

Result<std::vector<std::string_view>> fields_of(std::string_view payload) {
  if (payload.size() < 4) return malformed("no field count");
  uint32_t count = get_u32(payload, 0);
  if (count > kMaxFields) return malformed(std::to_string(count) + " fields");
  std::vector<std::string_view> fields;
  size_t at = 4;
  for (uint32_t i = 0; i < count; ++i) {
    if (payload.size() - at < 4) return malformed("field " + std::to_string(i) + " cut short");
    uint32_t n = get_u32(payload, at);
    at += 4;
    if (payload.size() - at < n) return malformed("field " + std::to_string(i) + " cut short");
    fields.push_back(payload.substr(at, n));
    at += n;
  }
  if (at != payload.size()) return malformed("trailing bytes");
  return fields;
}

}  // namespace

std::string encode_request(const Request& request) {
  std::vector<std::string_view> fields{request.root, request.stdin_text};
  for (auto& a : request.args) fields.push_back(a);
  return frame(kRequestMagic, fields);
}

std::string encode_reply(const Reply& reply) {
  std::string status = std::to_string(static_cast<int>(reply.status));
  std::string code = std::to_string(reply.exit_code);
  return frame(kReplyMagic, {status, code, reply.out, reply.err});
}

Result<uint32_t> payload_size(std::string_view header, std::string_view magic,
                              uint32_t max_payload) {
  if (header.size() < kHeaderBytes || header.substr(0, 4) != magic)
    return malformed("expected a '" + std::string(magic) + "' frame");
  uint32_t n = get_u32(header, 4);
  if (n > max_payload)
    return make_error(ErrorKind::kBadInput, "frame of " + std::to_string(n) +
                                                " bytes exceeds the limit of " +
                                                std::to_string(max_payload));
  return n;
}

Result<Request> decode_request(std::string_view payload) {
  auto fields = fields_of(payload);
  if (!fields.ok()) return fields.error();
  if (fields->size() < 2) return malformed("a request needs a root and stdin");
  Request r;
  r.root = std::string((*fields)[0]);
  r.stdin_text = std::string((*fields)[1]);
  for (size_t i = 2; i < fields->size(); ++i) r.args.emplace_back((*fields)[i]);
  if (r.root.empty() || r.root[0] != '/') return malformed("the root is not an absolute path");
  return r;
}

Result<Reply> decode_reply(std::string_view payload) {
  auto fields = fields_of(payload);
  if (!fields.ok()) return fields.error();
  if (fields->size() != 4) return malformed("a reply has 4 fields");
  int status = -1, code = 0;
  std::string_view s = (*fields)[0], c = (*fields)[1];
  if (std::from_chars(s.data(), s.data() + s.size(), status).ec != std::errc() || status < 0 ||
      status > 2)
    return malformed("bad status");
  if (std::from_chars(c.data(), c.data() + c.size(), code).ec != std::errc())
    return malformed("bad exit code");
  Reply r;
  r.status = static_cast<Status>(status);
  r.exit_code = code;
  r.out = std::string((*fields)[2]);
  r.err = std::string((*fields)[3]);
  return r;
}

}  // namespace bastion::cli::wire
