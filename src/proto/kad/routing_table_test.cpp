#include "proto/kad/routing_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "proto/kad/test_peers.hpp"

namespace ipfsa::proto::kad {
namespace {

using testing::peer;
using testing::peer_with_cpl;
using testing::tcp_addr;

const TimePoint t0{std::chrono::hours(1000)};

Key key_from_hex(std::string_view h) {
  Key k{};
  Bytes b = testing::hex(h);
  std::copy(b.begin(), b.end(), k.begin());
  return k;
}

TEST(KadDistance, KeyIsSha256OfTheBytes) {
  // sha256("abc")
  EXPECT_EQ(key_of(as_bytes("abc")),
            key_from_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  EXPECT_EQ(key_of(peer(1)), key_of(peer(1).bytes()));
}

TEST(KadDistance, XorAndCommonPrefixLength) {
  Key a{}, b{};
  EXPECT_EQ(common_prefix_length(a, b), 256u);
  b[0] = 0x80;
  EXPECT_EQ(common_prefix_length(a, b), 0u);
  b[0] = 0x01;
  EXPECT_EQ(common_prefix_length(a, b), 7u);
  b[0] = 0;
  b[31] = 0x01;
  EXPECT_EQ(common_prefix_length(a, b), 255u);
  b[3] = 0x10;
  EXPECT_EQ(common_prefix_length(a, b), 27u);
  Key d = xor_distance(a, b);
  EXPECT_EQ(d, b);
  EXPECT_EQ(xor_distance(b, b), Key{});
}

TEST(KadDistance, CloserToComparesXorDistances) {
  Key target{}, a{}, b{};
  a[0] = 0x01;  // distance 0x01...
  b[0] = 0x02;  // distance 0x02...
  EXPECT_TRUE(closer_to(target, a, b));
  EXPECT_FALSE(closer_to(target, b, a));
  EXPECT_FALSE(closer_to(target, a, a));
  target[0] = 0x03;  // now a is at 0x02, b at 0x01
  EXPECT_TRUE(closer_to(target, b, a));
}

TEST(KadRoutingTable, PlacesPeersByCommonPrefixLength) {
  RoutingTable table(peer(0));
  for (std::size_t cpl : {0u, 1u, 2u, 5u, 9u}) {
    wire::PeerId p = peer_with_cpl(table.self_key(), cpl);
    EXPECT_EQ(table.bucket_index(key_of(p)), cpl);
    EXPECT_EQ(table.try_add(p, {}, t0).outcome, AddOutcome::added);
    ASSERT_EQ(table.bucket_size(cpl), 1u) << cpl;
    EXPECT_EQ(table.bucket(cpl)[0].id, p);
  }
  EXPECT_EQ(table.size(), 5u);
  EXPECT_EQ(table.bucket_size(3), 0u);
  EXPECT_EQ(table.bucket_size(kMaxBuckets), 0u);  // out of range: empty, no crash
}

TEST(KadRoutingTable, NeverHoldsItself) {
  RoutingTable table(peer(0));
  EXPECT_EQ(table.try_add(peer(0), {}, t0).outcome, AddOutcome::self);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_FALSE(table.find(peer(0)));
  EXPECT_FALSE(table.remove(peer(0)));
  EXPECT_FALSE(table.mark_alive(peer(0), t0));
}

TEST(KadRoutingTable, UpdateRefreshesAndReplacesAddresses) {
  RoutingTable table(peer(0));
  std::vector<Bytes> first = {tcp_addr(1)};
  ASSERT_EQ(table.try_add(peer(1), first, t0).outcome, AddOutcome::added);
  EXPECT_EQ(table.try_add(peer(1), {}, t0 + 1s).outcome, AddOutcome::updated);
  EXPECT_EQ(table.find(peer(1))->addrs, first);  // none given: kept
  EXPECT_EQ(table.find(peer(1))->last_seen, t0 + 1s);
  std::vector<Bytes> second = {tcp_addr(2), tcp_addr(3)};
  EXPECT_EQ(table.try_add(peer(1), second, t0 + 2s).outcome, AddOutcome::updated);
  EXPECT_EQ(table.find(peer(1))->addrs, second);
  EXPECT_EQ(table.size(), 1u);
}

TEST(KadRoutingTable, AddressesPerPeerAreBounded) {
  RoutingTable table(peer(0));
  std::vector<Bytes> many;
  for (std::uint16_t i = 0; i < 50; ++i) many.push_back(tcp_addr(i));
  table.try_add(peer(1), many, t0);
  EXPECT_EQ(table.find(peer(1))->addrs.size(), kMaxStoredAddrs);
}

TEST(KadRoutingTable, FullBucketReportsTheLeastRecentlySeen) {
  RoutingTable table(peer(0));
  std::vector<wire::PeerId> in_bucket0;
  for (std::uint32_t n = 1; in_bucket0.size() < kBucketSize + 1; ++n) {
    if (table.bucket_index(key_of(peer(n))) == 0) in_bucket0.push_back(peer(n));
  }
  for (std::size_t i = 0; i < kBucketSize; ++i) {
    ASSERT_EQ(table.try_add(in_bucket0[i], {}, t0 + std::chrono::seconds(i)).outcome,
              AddOutcome::added);
  }
  const wire::PeerId& newcomer = in_bucket0[kBucketSize];
  AddResult full = table.try_add(newcomer, {}, t0 + 100s);
  EXPECT_EQ(full.outcome, AddOutcome::bucket_full);
  ASSERT_TRUE(full.ping_candidate);
  EXPECT_EQ(*full.ping_candidate, in_bucket0[0]);  // seen first, at t0
  EXPECT_FALSE(table.find(newcomer));
  EXPECT_EQ(table.bucket_size(0), kBucketSize);

  // It answered the ping: it stays, the next oldest becomes the candidate.
  EXPECT_TRUE(table.mark_alive(in_bucket0[0], t0 + 101s));
  full = table.try_add(newcomer, {}, t0 + 102s);
  EXPECT_EQ(full.outcome, AddOutcome::bucket_full);
  EXPECT_EQ(*full.ping_candidate, in_bucket0[1]);

  // It did not: the shell removes it and the newcomer gets its place.
  EXPECT_TRUE(table.remove(in_bucket0[1]));
  EXPECT_FALSE(table.remove(in_bucket0[1]));
  EXPECT_EQ(table.try_add(newcomer, {}, t0 + 103s).outcome, AddOutcome::added);
  EXPECT_EQ(table.bucket_size(0), kBucketSize);
  EXPECT_EQ(table.size(), kBucketSize);
}

TEST(KadRoutingTable, BucketsAreBoundedInAll) {
  RoutingTable table(peer(0));
  std::size_t full = 0;
  for (std::uint32_t n = 1; n < 3000; ++n) {
    if (table.try_add(peer(n), {}, t0).outcome == AddOutcome::bucket_full) ++full;
  }
  for (std::size_t i = 0; i < kMaxBuckets; ++i) EXPECT_LE(table.bucket_size(i), kBucketSize);
  EXPECT_LE(table.size(), kMaxRoutingTablePeers);
  EXPECT_EQ(table.bucket_size(0), kBucketSize);
  EXPECT_GT(full, 2000u);  // the far buckets filled long ago
}

TEST(KadRoutingTable, ClosestIsSortedAndHonoursOptions) {
  RoutingTable table(peer(0));
  for (std::uint32_t n = 1; n <= 200; ++n) {
    std::vector<Bytes> addrs;
    if (n % 2 == 0) addrs.push_back(tcp_addr(static_cast<std::uint16_t>(n)));
    table.try_add(peer(n), addrs, t0);
  }
  const Key target = key_of(as_bytes("somewhere"));
  // What the table holds, sorted by brute force.
  std::vector<const RoutingTable::Entry*> all;
  for (std::size_t i = 0; i < kMaxBuckets; ++i) {
    for (const auto& e : table.bucket(i)) all.push_back(&e);
  }
  std::sort(all.begin(), all.end(),
            [&](auto* a, auto* b) { return closer_to(target, a->key, b->key); });

  auto closest = table.closest(target, kBucketSize);
  ASSERT_EQ(closest.size(), kBucketSize);
  for (std::size_t i = 0; i < kBucketSize; ++i) EXPECT_EQ(closest[i].id, all[i]->id);

  RoutingTable::ClosestOptions options;
  options.exclude = &all[0]->id;
  options.with_addrs_only = true;
  auto filtered = table.closest(target, kBucketSize, options);
  ASSERT_EQ(filtered.size(), kBucketSize);
  for (const Peer& p : filtered) {
    EXPECT_NE(p.id, all[0]->id);
    EXPECT_FALSE(p.addrs.empty());
  }
  EXPECT_EQ(table.closest(target, 1000).size(), table.size());
  EXPECT_TRUE(RoutingTable(peer(0)).closest(target, 5).empty());
}

}  // namespace
}  // namespace ipfsa::proto::kad
