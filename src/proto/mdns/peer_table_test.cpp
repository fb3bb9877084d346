#include "proto/mdns/peer_table.hpp"

#include <gtest/gtest.h>

namespace ipfsa::proto::mdns {
namespace {

wire::Multiaddr tcp(std::uint16_t port) { return *wire::Multiaddr::tcp("127.0.0.1", port); }

// Distinct valid peer IDs: identity multihashes of Ed25519 keys (seeds that are valid points).
std::vector<wire::PeerId> peers(std::size_t n) {
  std::vector<wire::PeerId> out;
  for (int i = 1; out.size() < n && i < 10000; ++i) {
    Bytes mh = {0x00, 36, 0x08, 0x01, 0x12, 0x20};
    Bytes key(32, 0);
    store_be16(key.data(), static_cast<std::uint16_t>(i));
    append(mh, key);
    if (auto id = wire::PeerId::from_bytes(mh)) out.push_back(*id);
  }
  return out;
}

TEST(PeerTable, ReportsNewPeersChangedAddressesAndAfterTheInterval) {
  const auto ids = peers(1);
  ASSERT_EQ(ids.size(), 1u);
  PeerTable table(std::chrono::seconds(60));
  const TimePoint t0{};
  EXPECT_TRUE(table.observe({ids[0], {tcp(1), tcp(2)}}, t0));
  EXPECT_FALSE(table.observe({ids[0], {tcp(2), tcp(1)}}, t0 + 10s));  // same set, other order
  EXPECT_TRUE(table.observe({ids[0], {tcp(1)}}, t0 + 20s));           // changed
  EXPECT_FALSE(table.observe({ids[0], {tcp(1)}}, t0 + 79s));
  EXPECT_TRUE(table.observe({ids[0], {tcp(1)}}, t0 + 80s));  // 60 s after the last report
  EXPECT_FALSE(table.observe({ids[0], {tcp(1)}}, t0 + 81s));
  EXPECT_EQ(table.size(), 1u);
}

TEST(PeerTable, EvictsThePeerSeenLongestAgo) {
  const auto ids = peers(4);
  ASSERT_EQ(ids.size(), 4u);
  PeerTable table(std::chrono::seconds(60), 3);
  const TimePoint t0{};
  EXPECT_TRUE(table.observe({ids[0], {tcp(1)}}, t0));
  EXPECT_TRUE(table.observe({ids[1], {tcp(1)}}, t0 + 1s));
  EXPECT_TRUE(table.observe({ids[2], {tcp(1)}}, t0 + 2s));
  EXPECT_FALSE(table.observe({ids[0], {tcp(1)}}, t0 + 3s));  // ids[1] is now the oldest
  EXPECT_TRUE(table.observe({ids[3], {tcp(1)}}, t0 + 4s));
  EXPECT_EQ(table.size(), 3u);
  EXPECT_FALSE(table.contains(ids[1]));
  EXPECT_TRUE(table.contains(ids[0]));
  EXPECT_TRUE(table.observe({ids[1], {tcp(1)}}, t0 + 5s));  // forgotten: new again
}

TEST(PeerTable, DefaultBound) {
  const auto ids = peers(kMaxPeers + 1);
  ASSERT_EQ(ids.size(), kMaxPeers + 1);
  PeerTable table;
  TimePoint t{};
  for (const auto& id : ids) EXPECT_TRUE(table.observe({id, {tcp(1)}}, t += 1s));
  EXPECT_EQ(table.size(), kMaxPeers);
  EXPECT_FALSE(table.contains(ids[0]));
}

}  // namespace
}  // namespace ipfsa::proto::mdns
