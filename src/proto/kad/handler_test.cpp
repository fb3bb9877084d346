#include "proto/kad/handler.hpp"

#include <gtest/gtest.h>

#include "proto/kad/test_peers.hpp"

namespace ipfsa::proto::kad {
namespace {

using testing::hex;
using testing::id;
using testing::kAddr1;
using testing::kPeerA;
using testing::kProviderKey;
using testing::peer;
using testing::tcp_addr;

const TimePoint t0{std::chrono::hours(1000)};

struct Fixture {
  RoutingTable table{peer(0)};
  ProviderStore providers;
  std::vector<Bytes> self_addrs = {tcp_addr(9000)};
  Server server{table, providers, self_addrs};

  Fixture() {
    for (std::uint32_t n = 1; n <= 100; ++n) {
      std::vector<Bytes> addrs;
      if (n % 10 != 0) addrs.push_back(tcp_addr(static_cast<std::uint16_t>(n)));
      table.try_add(peer(n), addrs, t0);
    }
  }

  Message answer(const Message& request, const wire::PeerId& sender) {
    auto r = handle_request(server, request, sender, t0);
    EXPECT_TRUE(r) << r.error().message();
    EXPECT_TRUE(r && *r);
    return r && *r ? **r : Message{};
  }
};

TEST(KadHandler, FindNodeAnswersTheKClosestWithAddresses) {
  Fixture f;
  const wire::PeerId target = peer(500);
  const wire::PeerId sender = f.table.closest(key_of(target), 1)[0].id;
  Message request = make_request(MessageType::find_node, target.bytes());
  request.cluster_level = 3;
  Message m = f.answer(request, sender);
  EXPECT_EQ(m.type, MessageType::find_node);
  EXPECT_EQ(m.cluster_level, 3);
  EXPECT_TRUE(m.key.empty());  // as js answers
  ASSERT_EQ(m.closer_peers.size(), kBucketSize);
  RoutingTable::ClosestOptions options;
  options.exclude = &sender;
  options.with_addrs_only = true;
  EXPECT_EQ(m.closer_peers, f.table.closest(key_of(target), kBucketSize, options));
  for (const Peer& p : m.closer_peers) {
    EXPECT_NE(p.id, sender);
    EXPECT_FALSE(p.addrs.empty());
  }
  EXPECT_TRUE(m.provider_peers.empty());
}

TEST(KadHandler, FindNodeForOurselvesIncludesUs) {
  Fixture f;
  Message m = f.answer(make_request(MessageType::find_node, peer(0).bytes()), peer(1));
  ASSERT_EQ(m.closer_peers.size(), kBucketSize + 1);
  EXPECT_EQ(m.closer_peers.back().id, peer(0));
  EXPECT_EQ(m.closer_peers.back().addrs, f.self_addrs);
}

TEST(KadHandler, RequestsWithoutKeyAreRefused) {
  Fixture f;
  for (auto type : {MessageType::find_node, MessageType::get_providers, MessageType::get_value,
                    MessageType::add_provider}) {
    auto r = handle_request(f.server, make_request(type, {}), peer(1), t0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Error::protocol_violation);
  }
}

TEST(KadHandler, AddProviderThenGetProviders) {
  Fixture f;
  // js's ADD_PROVIDER from peer A (its own entry, with 2 addresses).
  auto request = decode(
      hex("080212221220bf9466e0bdb8dc4264b9c694aad67addd1625cfbafe7a1757b191bbfe3f804924a3f0a260024"
          "080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c1208047f0000010"
          "60fa1120b040a00000291020fa1cd03"));
  ASSERT_TRUE(request);
  auto none = handle_request(f.server, *request, id(kPeerA), t0);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);  // ADD_PROVIDER has no response
  // The same request relayed by someone else records nobody new.
  ASSERT_TRUE(handle_request(f.server, *request, peer(7), t0));
  EXPECT_EQ(f.providers.size(), 1u);

  Message m = f.answer(make_request(MessageType::get_providers, kProviderKey), peer(3));
  EXPECT_EQ(m.type, MessageType::get_providers);
  EXPECT_EQ(m.key, kProviderKey);
  ASSERT_EQ(m.provider_peers.size(), 1u);
  EXPECT_EQ(m.provider_peers[0].id, id(kPeerA));
  EXPECT_EQ(m.provider_peers[0].addrs, request->provider_peers[0].addrs);
  EXPECT_EQ(m.closer_peers.size(), kBucketSize);
  // Expired: no providers any more, closer peers still.
  auto later = handle_request(f.server, make_request(MessageType::get_providers, kProviderKey),
                              peer(3), t0 + kProviderValidity);
  ASSERT_TRUE(later && *later);
  EXPECT_TRUE((*later)->provider_peers.empty());
  EXPECT_EQ((*later)->closer_peers.size(), kBucketSize);
}

TEST(KadHandler, ProvidersWithoutAddressesAreNotAnswered) {
  Fixture f;
  ASSERT_TRUE(f.providers.add(kProviderKey, peer(5), {}, t0));
  ASSERT_TRUE(f.providers.add(kProviderKey, peer(6), std::vector<Bytes>{kAddr1}, t0));
  Message m = f.answer(make_request(MessageType::get_providers, kProviderKey), peer(3));
  ASSERT_EQ(m.provider_peers.size(), 1u);
  EXPECT_EQ(m.provider_peers[0].id, peer(6));
}

TEST(KadHandler, PingEchoes) {
  Fixture f;
  Message ping;
  ping.type = MessageType::ping;
  ping.cluster_level = 0;
  ping.closer_peers = {Peer{peer(9), {kAddr1}, {}}};
  Message m = f.answer(ping, peer(1));
  EXPECT_EQ(m.type, MessageType::ping);
  EXPECT_EQ(m.cluster_level, 0);
  EXPECT_TRUE(m.closer_peers.empty());
  EXPECT_EQ(encode(m), hex("08055000"));  // what js sends as a PING
}

TEST(KadHandler, GetValueHasNoRecordPutValueIsRefused) {
  Fixture f;
  Message m = f.answer(make_request(MessageType::get_value, to_bytes("/pk/x")), peer(1));
  EXPECT_EQ(m.type, MessageType::get_value);
  EXPECT_EQ(m.key, to_bytes("/pk/x"));
  EXPECT_FALSE(m.record);
  EXPECT_EQ(m.closer_peers.size(), kBucketSize);

  Message put = make_request(MessageType::put_value, to_bytes("/pk/x"));
  put.record = Record{to_bytes("/pk/x"), to_bytes("v"), {}};
  auto r = handle_request(f.server, put, peer(1), t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::unsupported);
}

TEST(KadHandler, AddProviderToAFullStoreIsAnError) {
  Fixture f;
  for (std::uint32_t n = 0; n < kMaxProviderKeys; ++n) {
    const std::string key = "k" + std::to_string(n);
    ASSERT_TRUE(f.providers.add(as_bytes(key), peer(1), std::vector<Bytes>{kAddr1}, t0));
  }
  Message add = make_request(MessageType::add_provider, kProviderKey);
  add.provider_peers = {Peer{peer(2), {kAddr1}, {}}};
  auto r = handle_request(f.server, add, peer(2), t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::limit_exceeded);
}

TEST(KadHandler, LargestAnswerFitsTheMessageBound) {
  // Every address slot at its bound: a full bucket around the key and a full provider key.
  RoutingTable table(peer(0));
  ProviderStore providers;
  std::vector<Bytes> big;
  for (std::size_t i = 0; i < kMaxStoredAddrs; ++i) {
    big.push_back(Bytes(kMaxStoredAddrSize, static_cast<std::uint8_t>(i)));
  }
  for (std::uint32_t n = 1; n < 400; ++n) table.try_add(peer(n), big, t0);
  for (std::uint32_t n = 1; n <= kMaxProvidersPerKey; ++n) {
    ASSERT_TRUE(providers.add(kProviderKey, peer(n), big, t0));
  }
  Server server{table, providers, big};
  auto r = handle_request(server, make_request(MessageType::get_providers, kProviderKey),
                          peer(1000), t0);
  ASSERT_TRUE(r && *r);
  const Bytes body = encode(**r);
  EXPECT_LE(body.size(), kMaxMessageSize);
  auto back = decode(body);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, **r);
}

}  // namespace
}  // namespace ipfsa::proto::kad
