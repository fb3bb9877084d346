// Circuit relay v2 between in-process Hosts on loopback: a relay R, a client A that reserves on
// it (and, unless a test says so, does not listen at all: R is its only way in), peers that reach
// A through R; the relay's limits; a direct connection replacing a relayed one. Every wait is on
// an event, bounded only to catch a hang.
#include "p2p/relay.hpp"

#include <gtest/gtest.h>

#include "crypto/random.hpp"
#include "p2p/testing/host_harness.hpp"

namespace ipfsa::p2p {
namespace {

using testing::HostFixture;
using testing::kEchoProtocol;
using testing::Node;
using testing::run_task;
using testing::run_until;

class RelayTest : public HostFixture {
 protected:
  ~RelayTest() override {
    clients_.clear();
    servers_.clear();
  }

  RelayServer& serve(Node& n, proto::relay::Limits limits = {}) {
    servers_.push_back(std::make_unique<RelayServer>(*n.host, limits));
    servers_.back()->start();
    return *servers_.back();
  }

  RelayClient& client(Node& n, Node& relay, RelayClient::Config config = {}) {
    clients_.push_back(std::make_unique<RelayClient>(*n.host, config));
    clients_.back()->add_candidate(relay.host->peer_id(), relay.addr);
    clients_.back()->start();
    return *clients_.back();
  }

  // A's address through its reservation, with A's /p2p.
  static wire::Multiaddr circuit_to(Node& n) {
    EXPECT_FALSE(n.host->relay_addrs().empty());
    return n.host->relay_addrs().front().with_peer_id(n.host->peer_id());
  }

  bool reserved(Node& n) {
    return run_until(ctx_, [&] { return !n.host->relay_addrs().empty(); });
  }

  std::vector<std::unique_ptr<RelayServer>> servers_;
  std::vector<std::unique_ptr<RelayClient>> clients_;
};

TEST_F(RelayTest, AClientWithoutAListenerIsReachedThroughItsReservation) {
  Node& r = make_node();
  Node& a = make_node(testing::test_config(), /*listen=*/false);
  Node& b = make_node();
  RelayServer& relay = serve(r);
  RelayClient& reservations = client(a, r);
  ASSERT_TRUE(reserved(a));

  // A advertises <R's address>/p2p/R/p2p-circuit, and its reservation names R and a future expiry.
  const auto advertised = a.host->relay_addrs().front();
  ASSERT_TRUE(advertised.circuit());
  EXPECT_EQ(advertised.circuit()->relay, r.addr);
  ASSERT_EQ(reservations.reservations().size(), 1u);
  EXPECT_EQ(reservations.reservations().front().relay, r.host->peer_id());
  ASSERT_TRUE(reservations.reservations().front().limit);
  EXPECT_EQ(reservations.reservations().front().limit->data, proto::relay::kCircuitData);
  EXPECT_TRUE(std::find(a.host->listen_addrs().begin(), a.host->listen_addrs().end(),
                        advertised) != a.host->listen_addrs().end());
  EXPECT_EQ(relay.stats().reservations, 1u);

  auto c = dial(b, circuit_to(a));
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE((*c)->relayed());
  EXPECT_EQ((*c)->remote_peer(), a.host->peer_id());
  EXPECT_EQ((*c)->remote_addr(), circuit_to(a));
  // Streams both ways, identify over the circuit (A tells B its relayed address).
  EXPECT_TRUE(echo_works(b, a));
  EXPECT_TRUE(echo_works(a, b));
  ASSERT_TRUE(run_until(ctx_, [&] { return (*c)->remote_info().identified; }));
  const auto& a_addrs = (*c)->remote_info().listen_addrs;
  EXPECT_TRUE(std::find(a_addrs.begin(), a_addrs.end(), advertised) != a_addrs.end());
  auto at_a = a.host->connection(b.host->peer_id());
  ASSERT_TRUE(at_a);
  EXPECT_TRUE(at_a->relayed());
  EXPECT_EQ(at_a->direction(), Direction::inbound);
  ASSERT_TRUE(at_a->remote_addr().circuit());
  EXPECT_EQ(at_a->remote_addr().peer_id(), b.host->peer_id());
  EXPECT_EQ(relay.stats().circuits, 1u);
  EXPECT_EQ(relay.stats().counters.circuits_opened, 1u);

  // A megabyte each way goes through (flow control end to end over two Yamux layers).
  const Bytes big = crypto::random_bytes(1 << 20);
  auto back = echo(b, a, big);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, big);

  // Dialling A by its peer ID finds the relayed address in the address book.
  (*c)->close(Error::session_closed);
  ASSERT_TRUE(run_until(ctx_, [&] { return relay.stats().circuits == 0; }));
  EXPECT_TRUE(echo_works(b, a));
}

TEST_F(RelayTest, ThePrivateNetworkAppliesInsideTheCircuit) {
  const SecretBytes psk = crypto::random_secret(32);
  auto with_psk = [&] {
    auto c = testing::test_config();
    c.psk = psk;
    return c;
  };
  Node& r = make_node(with_psk());
  Node& a = make_node(with_psk(), /*listen=*/false);
  Node& b = make_node(with_psk());
  serve(r);
  client(a, r);
  ASSERT_TRUE(reserved(a));
  auto c = dial(b, circuit_to(a));
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE((*c)->relayed());
  EXPECT_TRUE(echo_works(b, a));
  EXPECT_TRUE(echo_works(a, b));
}

TEST_F(RelayTest, ACircuitToAPeerWithoutAReservationIsRefused) {
  Node& r = make_node();
  Node& c = make_node();
  Node& b = make_node();
  RelayServer& relay = serve(r);
  ASSERT_TRUE(dial(c, r.addr));  // connected to R, but no reservation
  const auto via_r = wire::Multiaddr::from_components([&] {
    auto comps = r.addr.components();
    comps.push_back({wire::Protocol::p2p_circuit, {}});
    comps.push_back({wire::Protocol::p2p, c.host->peer_id().bytes()});
    return comps;
  }());
  auto dialled = dial(b, via_r);
  ASSERT_FALSE(dialled);
  EXPECT_EQ(dialled.error(), Error::refused);
  EXPECT_EQ(relay.stats().counters.circuits_no_reservation, 1u);
  EXPECT_EQ(relay.stats().circuits, 0u);
}

TEST_F(RelayTest, TheDataLimitCutsTheCircuitAndANewOneWorks) {
  Node& r = make_node();
  Node& a = make_node(testing::test_config(), false);
  Node& b = make_node();
  proto::relay::Limits limits;
  limits.circuit_data = 256 * 1024;
  RelayServer& relay = serve(r, limits);
  client(a, r);
  ASSERT_TRUE(reserved(a));
  auto c = dial(b, circuit_to(a));
  ASSERT_TRUE(c);
  const Bytes big = crypto::random_bytes(1 << 20);  // beyond the limit
  auto back = echo(b, a, big);
  EXPECT_FALSE(back && *back == big);
  ASSERT_TRUE(run_until(ctx_, [&] { return !(*c)->is_open(); }));
  EXPECT_EQ(relay.stats().circuits_cut_data, 1u);
  ASSERT_TRUE(run_until(ctx_, [&] { return relay.stats().circuits == 0; }));
  EXPECT_TRUE(echo_works(b, a));  // a fresh circuit, a fresh budget
}

TEST_F(RelayTest, TheDurationLimitCutsTheCircuit) {
  Node& r = make_node();
  Node& a = make_node(testing::test_config(), false);
  Node& b = make_node();
  proto::relay::Limits limits;
  limits.circuit_duration = std::chrono::seconds(1);
  RelayServer& relay = serve(r, limits);
  client(a, r);
  ASSERT_TRUE(reserved(a));
  auto c = dial(b, circuit_to(a));
  ASSERT_TRUE(c);
  EXPECT_TRUE(echo_works(b, a));
  ASSERT_TRUE(run_until(ctx_, [&] { return !(*c)->is_open(); }));
  EXPECT_EQ(relay.stats().circuits_cut_duration, 1u);
}

TEST_F(RelayTest, ReservationsPerAddressAndInAllAreBounded) {
  Node& r = make_node();
  proto::relay::Limits limits;
  limits.max_reservations_per_ip = 2;
  RelayServer& relay = serve(r, limits);
  std::vector<Node*> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(&make_node(testing::test_config(), false));
  std::vector<std::unique_ptr<RelayClient>> reservers;
  int ok = 0;
  int busy = 0;
  for (Node* n : clients) {
    reservers.push_back(std::make_unique<RelayClient>(*n->host, RelayClient::Config{}));
    n->host->address_book().add(r.host->peer_id(), {r.addr.without_peer_id()});
    auto result = run_task(ctx_, reservers.back()->reserve(r.host->peer_id()));
    ASSERT_TRUE(result);
    if (*result) ++ok;
    if (!*result && result->error() == Error::peer_busy) ++busy;
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(busy, 1);
  EXPECT_EQ(relay.stats().reservations, 2u);
  EXPECT_EQ(relay.stats().counters.refused_ip_full, 1u);
  // A renewal does not count twice.
  ASSERT_TRUE(*run_task(ctx_, reservers.front()->reserve(r.host->peer_id())));
  EXPECT_EQ(relay.stats().reservations, 2u);
  EXPECT_EQ(relay.stats().counters.reservations_renewed, 1u);
}

TEST_F(RelayTest, AReservationEndsWithTheClientsConnection) {
  Node& r = make_node();
  Node& a = make_node(testing::test_config(), false);
  RelayServer& relay = serve(r);
  client(a, r);
  ASSERT_TRUE(reserved(a));
  ASSERT_EQ(relay.stats().reservations, 1u);
  a.host->connection(r.host->peer_id())->close(Error::session_closed);
  ASSERT_TRUE(run_until(ctx_, [&] {
    return relay.stats().reservations == 0 && a.host->relay_addrs().empty();
  }));
}

TEST_F(RelayTest, NoReservationOrCircuitOverARelayedConnection) {
  Node& r = make_node();
  Node& a = make_node(testing::test_config(), false);
  Node& b = make_node(testing::test_config(), false);
  serve(r);
  client(a, r);
  ASSERT_TRUE(reserved(a));
  auto c = dial(b, circuit_to(a));
  ASSERT_TRUE(c);
  // A as a relay, reached by B over the circuit: it refuses, whatever B asks.
  RelayServer& at_a = serve(a);
  RelayClient chained(*b.host, RelayClient::Config{});
  auto result = run_task(ctx_, chained.reserve(a.host->peer_id()));
  ASSERT_TRUE(result);
  EXPECT_FALSE(*result);
  EXPECT_EQ(at_a.stats().reservations, 0u);
}

TEST_F(RelayTest, ADirectConnectionReplacesTheRelayedOneWhichTakesOverWhenItCloses) {
  Node& r = make_node();
  Node& a = make_node();  // listens too: B can reach it both ways
  Node& b = make_node();
  serve(r);
  client(a, r);
  ASSERT_TRUE(reserved(a));
  auto relayed = dial(b, circuit_to(a));
  ASSERT_TRUE(relayed && (*relayed)->relayed());
  const int disconnects_before = b.disconnects;

  auto direct = dial(b, a.addr);
  ASSERT_TRUE(direct) << direct.error().message();
  EXPECT_FALSE((*direct)->relayed());
  EXPECT_EQ(b.host->connection(a.host->peer_id()), *direct);
  EXPECT_EQ(b.host->fallback(a.host->peer_id()), *relayed);
  EXPECT_TRUE((*relayed)->is_open());
  EXPECT_EQ(b.disconnects, disconnects_before + 1);  // the layers above left the relayed one
  EXPECT_TRUE(echo_works(b, a));
  // A dial of the relayed address now returns the direct connection.
  EXPECT_EQ(*dial(b, circuit_to(a)), *direct);

  (*direct)->close(Error::session_closed);
  ASSERT_TRUE(run_until(ctx_, [&] { return b.host->connection(a.host->peer_id()) == *relayed; }));
  EXPECT_EQ(b.host->fallback(a.host->peer_id()), nullptr);
  EXPECT_TRUE(echo_works(b, a));
}

}  // namespace
}  // namespace ipfsa::p2p
