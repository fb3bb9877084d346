// Identify-push through the Host (p2p/identify.cpp): a push that does not parse, or that names
// another peer's key, is dropped with the connection intact; a good push updates RemoteInfo.
#include "p2p/identify.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"
#include "p2p/host.hpp"
#include "p2p/testing/host_harness.hpp"
#include "proto/identify/identify.hpp"
#include "proto/identify/peer_info.hpp"

namespace ipfsa::p2p {
namespace {

using testing::HostFixture;
using testing::Node;
using testing::run_task;
using testing::run_until;

class IdentifyTest : public HostFixture {
 protected:
  // Pushes `bytes` from `from` to `to` on /ipfs/id/push/1.0.0 and half-closes; returns what the
  // listener's side of the stream ended with: an empty end of stream when it took the push, the
  // stream's error when it reset it.
  Result<Bytes> push_raw(Node& from, Node& to, Bytes bytes) {
    auto r = run_task(ctx_, [&]() -> io::Task<Result<Bytes>> {
      std::vector<std::string> protocol{std::string(proto::identify::kPushProtocolId)};
      auto stream = co_await from.host->new_stream(to.host->peer_id(), std::move(protocol));
      if (!stream) co_return stream.error();
      if (auto w = co_await stream->write(bytes); !w) co_return w.error();
      (void)stream->close_write();
      co_return co_await stream->read_to_end(1024);
    }());
    EXPECT_TRUE(r.has_value());
    return r ? std::move(*r) : Result<Bytes>(make_error_code(Error::timeout));
  }

  // A push as `key`'s owner announcing `addr`.
  static Bytes push_message(const crypto::Ed25519KeyPair& key, const std::string& addr) {
    proto::identify::PeerInfo info;
    info.agent_version = "pusher/1.0";
    info.public_key = key.public_key();
    info.listen_addrs = {*wire::Multiaddr::parse(addr)};
    return proto::identify::frame(proto::identify::describe(info, std::nullopt));
  }

  const RemoteInfo& info_of(Node& at, Node& peer) {
    return at.host->connection(peer.host->peer_id())->remote_info();
  }
};

TEST_F(IdentifyTest, MalformedPushIsResetAndTheConnectionKeepsServing) {
  Node& a = make_node();
  Node& b = make_node();
  ASSERT_TRUE(dial(a, b.addr));
  ASSERT_TRUE(run_until(ctx_, [&] { return a.identifies == 1 && b.identifies == 1; }));
  const auto before = info_of(b, a).listen_addrs;

  // A length prefix promising more than kMaxMessageSize, then junk.
  auto ended = push_raw(a, b, Bytes{0xff, 0xff, 0x03, 1, 2, 3});
  EXPECT_FALSE(ended);  // b reset the stream
  EXPECT_EQ(b.identifies, 1);
  EXPECT_EQ(info_of(b, a).listen_addrs, before);
  EXPECT_TRUE(echo_works(a, b));

  // A well-formed push from a afterwards is taken.
  ASSERT_TRUE(push_raw(a, b, push_message(a.host->config().identity, "/ip4/10.1.2.3/tcp/4001")));
  ASSERT_TRUE(run_until(ctx_, [&] { return b.identifies == 2; }));
  EXPECT_EQ(info_of(b, a).agent_version, "pusher/1.0");
  ASSERT_EQ(info_of(b, a).listen_addrs.size(), 1u);
  EXPECT_EQ(info_of(b, a).listen_addrs[0].to_string(), "/ip4/10.1.2.3/tcp/4001");
}

TEST_F(IdentifyTest, PushWithAnotherPeersKeyIsRejectedWithALogLine) {
  Node& a = make_node();
  Node& b = make_node();
  ASSERT_TRUE(dial(a, b.addr));
  ASSERT_TRUE(run_until(ctx_, [&] { return a.identifies == 1 && b.identifies == 1; }));
  const auto before = info_of(b, a);

  test_support::LogCapture log;
  const auto stranger = crypto::Ed25519KeyPair::generate();
  // b reads the push to its end, closes its side, then checks it: the end of stream comes after
  // the verdict.
  ASSERT_TRUE(push_raw(a, b, push_message(stranger, "/ip4/10.9.9.9/tcp/1")));
  EXPECT_EQ(b.identifies, 1);
  EXPECT_EQ(info_of(b, a).listen_addrs, before.listen_addrs);
  EXPECT_EQ(info_of(b, a).agent_version, before.agent_version);
  EXPECT_EQ(log.lines({"identify-push from", a.host->peer_id().to_string(), "rejected"}).size(), 1u);
  EXPECT_TRUE(echo_works(a, b));
}

}  // namespace
}  // namespace ipfsa::p2p
