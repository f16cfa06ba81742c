#include "cli/index_client.h"

#include <cstdlib>
#include <cstring>

#include "cli/embeddings_setup.h"
#include "cli/index_socket.h"
#include "cli/index_wire.h"
#include "index/index_open.h"
#include "index/index_store.h"
#include "util/fs.h"

namespace bastion::cli {
namespace {

// Long enough for a refresh after a big checkout; a server that hangs
// longer than this is given up on and the search runs here.
constexpr int kReplyTimeoutMs = 600 * 1000;
constexpr int kSendTimeoutMs = 5 * 1000;

}  // namespace

bool index_server_disabled(const SearchArgs& parsed) {
  if (parsed.no_server) return true;
  const char* env = std::getenv("BASTION_INDEX_SERVER");
  return env && (std::strcmp(env, "0") == 0 || std::strcmp(env, "off") == 0);
}

std::optional<CommandOutput> search_via_server(const SearchArgs& parsed,
                                               const std::vector<std::string>& args,
                                               const std::string& stdin_text) {
  if (index_server_disabled(parsed) || !fs::is_directory(parsed.dir)) return std::nullopt;
  std::string root = index::repo_root_for(parsed.dir);
  if (fs::exists(dense_store_path(root))) return std::nullopt;
  auto path = index_socket_path(index::default_db_path(root), /*create_dir=*/false);
  if (!path.ok()) return std::nullopt;
  auto fd = connect_unix(path.value());
  if (!fd.ok()) return std::nullopt;  // ENOENT, ECONNREFUSED (stale socket), EACCES...
  set_socket_timeouts(fd->get(), kReplyTimeoutMs, kSendTimeoutMs);
  wire::Request request{root, stdin_text, args};
  if (!send_all(fd->get(), wire::encode_request(request)).ok()) return std::nullopt;
  auto payload = read_frame(fd->get(), wire::kReplyMagic, wire::kMaxReplyBytes);
  if (!payload.ok()) return std::nullopt;  // the server died or hung mid-answer
  auto reply = wire::decode_reply(payload.value());
  if (!reply.ok() || reply->status != wire::Status::kAnswered) return std::nullopt;
  return CommandOutput{reply->exit_code, std::move(reply->out), std::move(reply->err)};
}

}  // namespace bastion::cli
