// Host: dialling, identify, the address book, one connection per peer, ping. In-process on
// loopback, one io_context, every wait bounded.
#include <gtest/gtest.h>

#include <algorithm>

#include "p2p/host.hpp"
#include "p2p/testing/host_harness.hpp"
#include "proto/identify/identify.hpp"
#include "proto/ping/ping.hpp"

namespace ipfsa::p2p {
namespace {

using testing::HostFixture;
using testing::kEchoProtocol;
using testing::Node;
using testing::run_task;
using testing::run_until;

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool contains(const std::vector<wire::Multiaddr>& v, const wire::Multiaddr& m) {
  return std::find(v.begin(), v.end(), m) != v.end();
}

class HostConnectTest : public HostFixture {};

TEST_F(HostConnectTest, DialWithPeerIdConnectsAndIdentifiesBothSides) {
  Node& a = make_node(testing::test_config("agent-a/1"));
  Node& b = make_node(testing::test_config("agent-b/2"));
  b.host->set_stream_handler("/only-on-b/1.0.0", [](Stream s) -> io::Task<void> {
    s.reset();
    co_return;
  });

  auto c = dial(a, b.addr);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ((*c)->remote_peer(), b.host->peer_id());
  EXPECT_EQ((*c)->direction(), Direction::outbound);
  ASSERT_TRUE(run_until(ctx_, [&] {
    return a.connects == 1 && b.connects == 1 && a.identifies == 1 && b.identifies == 1;
  }));

  auto ab = a.host->connection(b.host->peer_id());
  auto ba = b.host->connection(a.host->peer_id());
  ASSERT_TRUE(ab && ba);
  EXPECT_EQ(ab, *c);
  EXPECT_EQ(ba->direction(), Direction::inbound);

  const auto& info_b = ab->remote_info();  // what a learned about b
  EXPECT_TRUE(info_b.identified);
  EXPECT_EQ(info_b.agent_version, "agent-b/2");
  EXPECT_EQ(info_b.protocol_version, kProtocolVersion);
  EXPECT_TRUE(contains(info_b.protocols, "/only-on-b/1.0.0"));
  EXPECT_TRUE(contains(info_b.protocols, kEchoProtocol));
  EXPECT_TRUE(contains(info_b.protocols, proto::identify::kProtocolId));
  EXPECT_TRUE(contains(info_b.protocols, proto::ping::kProtocolId));
  EXPECT_TRUE(contains(info_b.listen_addrs, b.addr.without_peer_id()));
  // How b sees a: a's outbound (ephemeral) address.
  ASSERT_TRUE(info_b.observed_addr);
  EXPECT_EQ(*info_b.observed_addr, ba->remote_addr());
  EXPECT_NE(*info_b.observed_addr, a.addr.without_peer_id());

  const auto& info_a = ba->remote_info();  // what b learned about a
  EXPECT_TRUE(info_a.identified);
  EXPECT_EQ(info_a.agent_version, "agent-a/1");
  EXPECT_FALSE(contains(info_a.protocols, "/only-on-b/1.0.0"));
  EXPECT_TRUE(contains(info_a.protocols, kEchoProtocol));
  EXPECT_TRUE(contains(info_a.listen_addrs, a.addr.without_peer_id()));
  // How a sees b: b's listen address (a dialled it).
  ASSERT_TRUE(info_a.observed_addr);
  EXPECT_EQ(*info_a.observed_addr, b.addr.without_peer_id());

  // Address books: each side knows the other's listen address.
  EXPECT_TRUE(contains(a.host->address_book().addrs(b.host->peer_id()), b.addr.without_peer_id()));
  EXPECT_TRUE(contains(b.host->address_book().addrs(a.host->peer_id()), a.addr.without_peer_id()));

  EXPECT_TRUE(echo_works(a, b));
  EXPECT_TRUE(echo_works(b, a));  // b reuses the inbound connection
  EXPECT_EQ(a.host->connections().size(), 1u);
  EXPECT_EQ(b.host->connections().size(), 1u);
}

TEST_F(HostConnectTest, DisconnectIsSeenOnBothSidesAndDialByPeerIdUsesTheAddressBook) {
  Node& a = make_node();
  Node& b = make_node();
  auto c = dial(a, b.addr);
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_TRUE(run_until(ctx_, [&] { return a.identifies == 1 && b.identifies == 1; }));

  (*c)->close(make_error_code(Error::session_closed));
  ASSERT_TRUE(run_until(ctx_, [&] { return a.disconnects == 1 && b.disconnects == 1; }));
  EXPECT_FALSE((*c)->is_open());
  EXPECT_TRUE(a.host->connections().empty());
  EXPECT_TRUE(run_until(ctx_, [&] { return b.host->connections().empty(); }));
  EXPECT_EQ(a.host->connection(b.host->peer_id()), nullptr);

  // Redial by peer ID only: the address comes from the address book (dial target + identify).
  auto again = run_task(ctx_, a.host->dial(b.host->peer_id()));
  ASSERT_TRUE(again);
  ASSERT_TRUE(*again) << again->error().message();
  EXPECT_NE(**again, *c);
  EXPECT_TRUE((**again)->is_open());
  ASSERT_TRUE(run_until(ctx_, [&] { return a.connects == 2 && b.connects == 2; }));
  EXPECT_TRUE(echo_works(a, b));

  // An unknown peer has no addresses.
  Node& lonely = make_node(testing::test_config(), false);
  auto unknown = run_task(ctx_, a.host->dial(lonely.host->peer_id()));
  ASSERT_TRUE(unknown);
  ASSERT_FALSE(*unknown);
  EXPECT_EQ(unknown->error(), Error::not_found);
}

TEST_F(HostConnectTest, DialWithoutPeerIdLearnsTheIdentity) {
  Node& a = make_node();
  Node& b = make_node();
  auto c = dial(a, b.addr.without_peer_id());
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ((*c)->remote_peer(), b.host->peer_id());
  EXPECT_EQ(a.host->connection(b.host->peer_id()), *c);
  ASSERT_TRUE(run_until(ctx_, [&] { return b.connects == 1 && a.identifies == 1; }));
  EXPECT_TRUE(echo_works(a, b));
}

TEST_F(HostConnectTest, WrongPeerIdFailsWithMismatchAndLeavesNoConnection) {
  Node& a = make_node();
  Node& b = make_node();
  Node& c = make_node(testing::test_config(), false);
  auto r = dial(a, b.addr.with_peer_id(c.host->peer_id()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::peer_id_mismatch);
  EXPECT_TRUE(a.host->connections().empty());
  EXPECT_EQ(a.host->connection(c.host->peer_id()), nullptr);
  EXPECT_EQ(a.host->connection(b.host->peer_id()), nullptr);
  EXPECT_EQ(a.connects, 0);
  // b's half of the handshake fails too (a hangs up before its last message).
  testing::run_for(ctx_, std::chrono::milliseconds(100));
  EXPECT_TRUE(b.host->connections().empty());
  EXPECT_EQ(b.connects, 0);
  // Nothing was recorded for the peer we wrongly expected.
  EXPECT_TRUE(a.host->address_book().addrs(c.host->peer_id()).empty());

  // The right ID still works afterwards.
  auto ok = dial(a, b.addr);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ((*ok)->remote_peer(), b.host->peer_id());
}

TEST_F(HostConnectTest, DialingOurselvesIsRefused) {
  Node& a = make_node();
  auto r = dial(a, a.addr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::invalid_state);
}

TEST_F(HostConnectTest, DialingTwiceReturnsTheSameConnection) {
  Node& a = make_node();
  Node& b = make_node();
  auto first = dial(a, b.addr);
  ASSERT_TRUE(first) << first.error().message();
  auto second = dial(a, b.addr);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(*first, *second);
  // Without /p2p the host cannot know in advance: it connects, learns the ID, keeps the old one.
  auto third = dial(a, b.addr.without_peer_id());
  ASSERT_TRUE(third) << third.error().message();
  EXPECT_EQ(*first, *third);
  EXPECT_TRUE((*first)->is_open());
  // b dropped the third dial's duplicate connection once a hung up on it.
  EXPECT_EQ(a.host->connections().size(), 1u);
  EXPECT_TRUE(run_until(ctx_, [&] { return b.host->connections().size() == 1; }));
  EXPECT_EQ(a.connects, 1);
  EXPECT_TRUE(echo_works(a, b));
}

TEST_F(HostConnectTest, ConcurrentDialsFromOneSideEndWithOneConnection) {
  Node& a = make_node();
  Node& b = make_node();
  std::vector<std::optional<Result<std::shared_ptr<Connection>>>> results(4);
  for (auto& slot : results) {
    io::asio::co_spawn(
        ctx_,
        [&, target = b.addr.without_peer_id()]() -> io::Task<void> {
          slot.emplace(co_await a.host->dial(target));
        },
        io::asio::detached);
  }
  ASSERT_TRUE(run_until(ctx_, [&] {
    return std::all_of(results.begin(), results.end(), [](auto& r) { return r.has_value(); });
  }));
  for (auto& r : results) {
    ASSERT_TRUE(*r) << r->error().message();
    EXPECT_EQ(**r, *results[0].value());
  }
  EXPECT_EQ(a.host->connections().size(), 1u);
  EXPECT_TRUE(run_until(ctx_, [&] { return b.host->connections().size() == 1; }));
  EXPECT_TRUE(echo_works(a, b));
  EXPECT_TRUE(echo_works(b, a));
}

TEST_F(HostConnectTest, SimultaneousDialBothSidesAgreeOnOneConnection) {
  for (int round = 0; round < 5; ++round) {
    Node& a = make_node();
    Node& b = make_node();
    std::optional<Result<std::shared_ptr<Connection>>> ra, rb;
    io::asio::co_spawn(
        ctx_, [&]() -> io::Task<void> { ra.emplace(co_await a.host->dial(b.addr)); },
        io::asio::detached);
    io::asio::co_spawn(
        ctx_, [&]() -> io::Task<void> { rb.emplace(co_await b.host->dial(a.addr)); },
        io::asio::detached);
    ASSERT_TRUE(run_until(ctx_, [&] { return ra && rb; }));
    ASSERT_TRUE(*ra) << ra->error().message();
    ASSERT_TRUE(*rb) << rb->error().message();
    // Each dial returns its own connection at first; each side then sees the other's dial
    // arrive and keeps the one dialled by the smaller peer ID. Wait until both sides hold exactly
    // that one (a side that kept the other, or both, never gets there).
    const bool a_dials = a.host->peer_id() < b.host->peer_id();
    const auto settled = [&](Host& host, Direction kept) {
      auto cs = host.connections();
      return cs.size() == 1 && cs[0]->direction() == kept;
    };
    ASSERT_TRUE(run_until(ctx_, [&] {
      return settled(*a.host, a_dials ? Direction::outbound : Direction::inbound) &&
             settled(*b.host, a_dials ? Direction::inbound : Direction::outbound);
    })) << "round " << round;

    auto ab = a.host->connections();
    auto ba = b.host->connections();
    ASSERT_EQ(ab.size(), 1u) << "round " << round;
    ASSERT_EQ(ba.size(), 1u) << "round " << round;
    // The kept connection is the one dialled by the smaller peer ID, on both sides.
    EXPECT_EQ(ab[0]->direction(), a_dials ? Direction::outbound : Direction::inbound);
    EXPECT_EQ(ba[0]->direction(), a_dials ? Direction::inbound : Direction::outbound);
    // Same TCP connection: the dialler's view of the remote is the listener's port, and the
    // listener saw the dialler's ephemeral port (which is not the dialler's listen port).
    auto& dialer_side = a_dials ? ab[0] : ba[0];
    auto& listener_side = a_dials ? ba[0] : ab[0];
    Node& listener = a_dials ? b : a;
    Node& dialer = a_dials ? a : b;
    EXPECT_EQ(dialer_side->remote_addr(), listener.addr.without_peer_id());
    EXPECT_NE(listener_side->remote_addr(), dialer.addr.without_peer_id());
    EXPECT_TRUE(echo_works(a, b)) << "round " << round;
    EXPECT_TRUE(echo_works(b, a)) << "round " << round;
    EXPECT_EQ(a.host->connections().size(), 1u);
    EXPECT_EQ(b.host->connections().size(), 1u);
  }
}

TEST_F(HostConnectTest, ANewListenerIsPushedToConnectedPeers) {
  Node& a = make_node();
  Node& b = make_node();
  ASSERT_TRUE(dial(a, b.addr));
  ASSERT_TRUE(run_until(ctx_, [&] { return a.identifies == 1 && b.identifies == 1; }));
  // b starts a second listener: a learns it through /ipfs/id/push/1.0.0 (a second identify
  // event on a, none on b), and its address book has both addresses.
  auto second = b.host->listen(*wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
  ASSERT_TRUE(second) << second.error().message();
  ASSERT_TRUE(run_until(ctx_, [&] { return a.identifies == 2; }));
  auto ab = a.host->connection(b.host->peer_id());
  ASSERT_TRUE(ab);
  EXPECT_TRUE(contains(ab->remote_info().listen_addrs, *second));
  EXPECT_TRUE(contains(ab->remote_info().listen_addrs, b.addr.without_peer_id()));
  EXPECT_TRUE(contains(a.host->address_book().addrs(b.host->peer_id()), *second));
  EXPECT_EQ(b.identifies, 1);
}

TEST_F(HostConnectTest, PingReportsCountPositiveRtts) {
  Node& a = make_node();
  Node& b = make_node();
  ASSERT_TRUE(dial(a, b.addr));
  std::vector<int> seqs;
  std::vector<Duration> rtts;
  auto r = run_task(ctx_, a.host->ping(b.host->peer_id(), 3, std::chrono::milliseconds(5),
                                       [&](int seq, Result<Duration> rtt) {
                                         seqs.push_back(seq);
                                         if (rtt) rtts.push_back(*rtt);
                                       }));
  ASSERT_TRUE(r);
  EXPECT_TRUE(*r) << r->error().message();
  EXPECT_EQ(seqs, (std::vector<int>{1, 2, 3}));
  ASSERT_EQ(rtts.size(), 3u);
  for (auto d : rtts) {
    EXPECT_GT(d, Duration::zero());
    EXPECT_LT(d, std::chrono::seconds(5));
  }
}

TEST_F(HostConnectTest, PingAnUnreachablePeerFails) {
  Node& a = make_node();
  Node& b = make_node(testing::test_config(), false);
  int calls = 0;
  auto r = run_task(ctx_, a.host->ping(b.host->peer_id(), 2, std::chrono::milliseconds(5),
                                       [&](int, Result<Duration>) { ++calls; }));
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace ipfsa::p2p
