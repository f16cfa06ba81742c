// The index server's frames (cli/index_wire.h) and socket path
// (cli/index_socket.h): round trips with arbitrary bytes, and every kind of
// malformed input decoded to an error rather than a crash; long database
// paths get a socket in a private directory.
#include "cli/index_wire.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "cli/index_socket.h"
#include "temp_dir.h"

namespace bastion::cli {
namespace {

std::string payload_of(const std::string& frame) { return frame.substr(wire::kHeaderBytes); }

TEST(IndexWire, RequestRoundTripsArbitraryBytes) {
  wire::Request r{
      "/repo/root", std::string("issue\0text\xff\n", 12), {"--files", "-k", "5", "", "q\xc3"}};
  std::string frame = wire::encode_request(r);
  auto size = wire::payload_size(frame.substr(0, 8), wire::kRequestMagic, wire::kMaxRequestBytes);
  ASSERT_TRUE(size.ok()) << size.error().message;
  EXPECT_EQ(size.value(), frame.size() - 8);
  auto back = wire::decode_request(payload_of(frame));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->root, r.root);
  EXPECT_EQ(back->stdin_text, r.stdin_text);
  EXPECT_EQ(back->args, r.args);
}

TEST(IndexWire, ReplyRoundTrips) {
  wire::Reply r{wire::Status::kAnswered, 2, "a.py\nb.py\n", std::string("warn\0", 5)};
  auto back = wire::decode_reply(payload_of(wire::encode_reply(r)));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->status, wire::Status::kAnswered);
  EXPECT_EQ(back->exit_code, 2);
  EXPECT_EQ(back->out, r.out);
  EXPECT_EQ(back->err, r.err);
  r.status = wire::Status::kFallback;
  r.exit_code = -1;
  back = wire::decode_reply(payload_of(wire::encode_reply(r)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->status, wire::Status::kFallback);
  EXPECT_EQ(back->exit_code, -1);
}

TEST(IndexWire, HeadersAreCheckedAgainstMagicAndLimit) {
  EXPECT_FALSE(wire::payload_size("GET / HT", wire::kRequestMagic, 100).ok());
  EXPECT_FALSE(wire::payload_size("BXQ1", wire::kRequestMagic, 100).ok());
  auto big = wire::payload_size(std::string("BXQ1\x65\x00\x00\x00", 8), wire::kRequestMagic, 100);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("101 bytes exceeds the limit of 100"), std::string::npos);
  EXPECT_TRUE(
      wire::payload_size(std::string("BXQ1\x64\x00\x00\x00", 8), wire::kRequestMagic, 100).ok());
}

TEST(IndexWire, MalformedPayloadsAreErrors) {
  std::string good = payload_of(wire::encode_request({"/r", "", {"q"}}));
  for (size_t cut = 0; cut < good.size(); ++cut)
    EXPECT_FALSE(wire::decode_request(good.substr(0, cut)).ok()) << cut;
  EXPECT_FALSE(wire::decode_request(good + "x").ok());
  EXPECT_FALSE(wire::decode_request(std::string("\xff\xff\xff\xff", 4)).ok());  // 4G fields
  EXPECT_FALSE(wire::decode_request(std::string("\x01\x00\x00\x00\xff\xff\xff\xff", 8)).ok());
  EXPECT_FALSE(wire::decode_request(payload_of(wire::encode_request({"relative", "", {}}))).ok());
  std::string one_field = std::string("\x01\x00\x00\x00\x02\x00\x00\x00/r", 10);
  EXPECT_FALSE(wire::decode_request(one_field).ok());
  EXPECT_FALSE(wire::decode_reply(good).ok());
  std::string bad_status = payload_of(wire::encode_reply({wire::Status::kAnswered, 0, "", ""}));
  bad_status[8] = '7';
  EXPECT_FALSE(wire::decode_reply(bad_status).ok());
}

TEST(IndexSocketPath, BesideTheDatabaseWhenItFits) {
  auto p = index_socket_path("/home/u/.cache/bastion/index/0123456789abcdef.db", false);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value(), "/home/u/.cache/bastion/index/0123456789abcdef.db.sock");
}

TEST(IndexSocketPath, LongPathsGetAPrivateDirectory) {
  std::string runtime = bastion::testing::temp_dir_removed_at_exit("bastion-sock-test");
  ::setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
  std::string db = "/" + std::string(120, 'd') + "/index/0123456789abcdef.db";
  EXPECT_FALSE(index_socket_path(db, false).ok()) << "missing directory";
  auto p = index_socket_path(db, true);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->rfind(runtime + "/bastion/", 0), 0u) << p.value();
  EXPECT_LE(p->size(), 107u);
  EXPECT_EQ(index_socket_path(db, false).value(), p.value()) << "stable";
  EXPECT_NE(index_socket_path(db + "x", false).value(), p.value());
  struct stat st;
  ASSERT_EQ(::stat((runtime + "/bastion").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  ::chmod((runtime + "/bastion").c_str(), 0755);  // others could reach it: refused
  auto open_dir = index_socket_path(db, true);
  ASSERT_FALSE(open_dir.ok());
  EXPECT_NE(open_dir.error().message.find("mode 0700"), std::string::npos);
  ::unsetenv("XDG_RUNTIME_DIR");
}

}  // namespace
}  // namespace bastion::cli
