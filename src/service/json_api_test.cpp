#include "service/json_api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ipfsa::service {
namespace {

namespace json = boost::json;

node::P2pStatus two_peers() {
  node::P2pStatus s;
  s.enabled = true;
  s.active = true;
  s.status = "active";
  s.peer_id = "12D3KooWSelf";
  s.listen_addrs = {"/ip4/127.0.0.1/tcp/9100/p2p/12D3KooWSelf"};
  node::PeerView a;
  a.peer_id = "12D3KooWA";
  a.addrs = {"/ip4/10.0.0.2/tcp/9105"};
  a.agent = "ipfs-accelerate/0.1";
  a.rtt_ms = 1.5;
  a.connected_since_ms = 1765594800000;  // 2025-12-13T03:00:00Z
  a.entries_served = 4;
  a.found_by = node::FoundBy::mdns;
  node::PeerView b;
  b.peer_id = "12D3KooWB";
  s.peers = {a, b};
  node::RegistryPeerView listed;
  listed.peer_id = "12D3KooWB";
  listed.runner_name = "runner-1";
  listed.listen_port = 9000;
  listed.last_seen = "2025-12-13T03:00:00Z";
  listed.connected = true;
  s.registry_peers = {listed};
  return s;
}

TEST(JsonApi, PeersHasTheSeedKeysAndDetails) {
  auto doc = json::parse(peers_json(two_peers(), 1765594800000)).as_object();
  EXPECT_EQ(doc.at("enabled"), true);
  EXPECT_EQ(doc.at("active"), true);
  EXPECT_EQ(doc.at("peer_count"), 2);
  EXPECT_EQ(doc.at("peer_id"), "12D3KooWSelf");
  EXPECT_EQ(doc.at("status"), "active");
  EXPECT_EQ(doc.at("listen_addrs").as_array().size(), 1u);
  const auto& peers = doc.at("peers").as_array();
  ASSERT_EQ(peers.size(), 2u);
  for (const auto& p : peers) {
    for (auto key : {"peer_id", "runner_name", "listen_port", "last_seen"}) {
      EXPECT_TRUE(p.as_object().contains(key)) << key;
    }
  }
  const auto& a = peers[0].as_object();
  EXPECT_EQ(a.at("listen_port"), 9105);  // from its address
  EXPECT_EQ(a.at("runner_name"), "");
  EXPECT_EQ(a.at("last_seen"), "2025-12-13T03:00:00Z");
  EXPECT_EQ(a.at("connected_since"), "2025-12-13T03:00:00Z");
  EXPECT_EQ(a.at("rtt_ms"), 1.5);
  EXPECT_EQ(a.at("found_by"), "mdns");
  EXPECT_EQ(a.at("entries_served"), 4);
  const auto& b = peers[1].as_object();
  EXPECT_EQ(b.at("runner_name"), "runner-1");  // from the registry entry
  EXPECT_EQ(b.at("listen_port"), 9000);
  EXPECT_TRUE(b.at("rtt_ms").is_null());
  EXPECT_EQ(doc.at("registry_peers").as_array().size(), 1u);
}

TEST(JsonApi, PeersWhenDisabled) {
  node::P2pStatus s;
  s.status = "disabled by CACHE_ENABLE_P2P";
  auto doc = json::parse(peers_json(s, 0)).as_object();
  EXPECT_EQ(doc.at("enabled"), false);
  EXPECT_EQ(doc.at("active"), false);
  EXPECT_EQ(doc.at("peer_count"), 0);
  EXPECT_TRUE(doc.at("peers").as_array().empty());
  EXPECT_EQ(doc.at("status"), "disabled by CACHE_ENABLE_P2P");
}

TEST(JsonApi, CacheStatsHasTheSeedKeysAndEveryCounter) {
  cache::CacheStats c;
  c.hits = 17;
  c.misses = 3;
  c.api_calls_made_rest = 2;
  c.api_calls_made_graphql = 1;
  c.hit_rate = 0.85;
  c.total_entries = 150;
  c.total_size_bytes = 2621440;  // 2.5 MiB
  auto doc = json::parse(cache_stats_json(c, two_peers())).as_object();
  EXPECT_EQ(doc.at("available"), true);
  EXPECT_EQ(doc.at("total_entries"), 150);
  EXPECT_EQ(doc.at("total_size_mb"), 2.5);
  EXPECT_EQ(doc.at("hit_rate"), 0.85);
  EXPECT_EQ(doc.at("p2p_enabled"), true);
  EXPECT_EQ(doc.at("p2p_peers"), 2);
  EXPECT_EQ(doc.at("hits"), 17);
  EXPECT_EQ(doc.at("api_calls_made"), 3);
  for (auto key : {"misses", "peer_hits", "expirations", "evictions", "api_calls_made_rest",
                   "api_calls_made_graphql", "api_calls_saved", "revalidations_304", "stale_served",
                   "coalesced", "total_size_bytes"}) {
    EXPECT_TRUE(doc.contains(key)) << key;
  }
}

TEST(JsonApi, HistoryRingIsBounded) {
  StatsHistory history(3, 30);
  for (int i = 0; i < 5; ++i) {
    cache::CacheStats c;
    c.api_calls_saved = static_cast<std::uint64_t>(i);
    c.api_calls_made_rest = 10;
    c.peer_hits = 1;
    c.hit_rate = 0.5;
    history.add(1000 * i, c);
  }
  EXPECT_EQ(history.size(), 3u);
  auto doc = json::parse(history.to_json()).as_object();
  EXPECT_EQ(doc.at("interval_s"), 30);
  const auto& points = doc.at("points").as_array();
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].at("t"), 2000);  // the oldest two were dropped
  EXPECT_EQ(points[2].at("t"), 4000);
  EXPECT_EQ(points[2].at("calls_saved"), 4);
  EXPECT_EQ(points[2].at("calls_made"), 10);
  EXPECT_EQ(points[2].at("peer_hits"), 1);
  EXPECT_EQ(points[2].at("hit_rate"), 0.5);
}

}  // namespace
}  // namespace ipfsa::service
