// Multi-router simulations in memory: 20+ routers on a random graph with a manual clock.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "proto/gossipsub/router.hpp"
#include "proto/gossipsub/router_testing.hpp"

namespace ipfsa::proto::gossipsub {
namespace {

using testing::SimNet;

constexpr std::size_t kNodes = 20;
constexpr std::size_t kLinksPerNode = 6;

// Each node dials kLinksPerNode random others (so every degree is >= kLinksPerNode).
void random_graph(SimNet& net, std::size_t n, std::uint64_t seed, RouterConfig config = {}) {
  for (std::size_t i = 0; i < n; ++i) net.add(config, seed * 1000);
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < n; ++i) {
    std::set<std::size_t> picked;
    while (picked.size() < kLinksPerNode) {
      const std::size_t j = rng() % n;
      if (j != i) picked.insert(j);
    }
    for (auto j : picked) net.connect(i, j);
  }
}

std::size_t degree(const SimNet& net, std::size_t i) {
  std::size_t d = 0;
  for (bool b : net.linked[i]) d += b ? 1 : 0;
  return d;
}

// Per node: how many times each message id was delivered.
std::vector<std::map<Bytes, int>> delivery_counts(const SimNet& net) {
  std::vector<std::map<Bytes, int>> out(net.nodes.size());
  for (std::size_t i = 0; i < net.nodes.size(); ++i) {
    for (const auto& m : net.delivered[i]) ++out[i][m.id];
  }
  return out;
}

void expect_mesh_bounds(SimNet& net, const std::string& topic) {
  const RouterConfig config;
  for (std::size_t i = 0; i < net.nodes.size(); ++i) {
    const auto size = net[i].mesh(topic).size();
    EXPECT_LE(size, config.d_hi) << "node " << i;
    EXPECT_GE(size, std::min(config.d_lo, degree(net, i))) << "node " << i;
  }
}

class GossipsubSimulation : public ::testing::TestWithParam<bool> {};

TEST_P(GossipsubSimulation, EveryMessageReachesEveryoneExactlyOnce) {
  RouterConfig config;
  config.flood_publish = GetParam();
  SimNet net;
  random_graph(net, kNodes, 7, config);
  for (std::size_t i = 0; i < kNodes; ++i) net[i].subscribe("announce");
  net.pump();
  for (int h = 0; h < 5; ++h) net.heartbeat_all();
  expect_mesh_bounds(net, "announce");

  std::mt19937_64 rng(11);
  std::map<Bytes, std::size_t> author;
  for (int k = 0; k < 50; ++k) {
    const std::size_t from = rng() % kNodes;
    auto id = net[from].publish("announce", Bytes(300, static_cast<std::uint8_t>(k)), net.now);
    ASSERT_TRUE(id);
    author[*id] = from;
    net.pump();
    if (k % 10 == 9) net.heartbeat_all();
  }
  for (int h = 0; h < 3; ++h) net.heartbeat_all();  // gossip repairs anything the mesh missed
  const auto counts = delivery_counts(net);
  for (const auto& [id, from] : author) {
    for (std::size_t i = 0; i < kNodes; ++i) {
      auto it = counts[i].find(id);
      const int n = it == counts[i].end() ? 0 : it->second;
      EXPECT_EQ(n, i == from ? 0 : 1) << "node " << i;
    }
  }
  expect_mesh_bounds(net, "announce");
}

INSTANTIATE_TEST_SUITE_P(FloodAndMesh, GossipsubSimulation, ::testing::Bool());

TEST(GossipsubSimulationChurn, MeshDegreesStayWithinBoundsOnADenseGraph) {
  SimNet net;
  for (std::size_t i = 0; i < 30; ++i) net.add({}, 3000);
  for (std::size_t i = 0; i < 30; ++i) {
    for (std::size_t j = i + 1; j < 30; ++j) net.connect(i, j);  // full graph: 29 candidates
  }
  for (std::size_t i = 0; i < 30; ++i) net[i].subscribe("t");
  net.pump();
  // Between heartbeats a mesh may exceed D_hi (outbound GRAFTs are accepted beyond it): the
  // bounds hold right after each router's own heartbeat.
  for (int h = 0; h < 10; ++h) {
    net.now += 1s;
    for (std::size_t i = 0; i < 30; ++i) {
      net[i].handle_timeout(net.now);
      const auto size = net[i].mesh("t").size();
      EXPECT_LE(size, RouterConfig{}.d_hi) << "node " << i;
      EXPECT_GE(size, RouterConfig{}.d_lo) << "node " << i;
    }
    net.pump();
  }
  net.heartbeat_all();
  // Mesh links are symmetric once settled.
  for (std::size_t i = 0; i < 30; ++i) {
    for (const auto& peer : net[i].mesh("t")) {
      const auto j = net.index.at(peer);
      const auto back = net[j].mesh("t");
      EXPECT_NE(std::find(back.begin(), back.end(), net.id(i)), back.end()) << i << "-" << j;
    }
  }
  // Half the nodes leave; the rest repair their meshes at the next heartbeats.
  for (std::size_t i = 0; i < 15; ++i) {
    for (std::size_t j = 0; j < 30; ++j) {
      if (net.linked[i][j]) net.disconnect(i, j);
    }
  }
  for (int h = 0; h < 3; ++h) net.heartbeat_all();
  for (std::size_t i = 15; i < 30; ++i) {
    const auto size = net[i].mesh("t").size();
    EXPECT_GE(size, RouterConfig{}.d_lo);
    EXPECT_LE(size, RouterConfig{}.d_hi);
  }
}

TEST(GossipsubSimulationJoin, LateJoinerGetsAMeshAndMessages) {
  SimNet net;
  random_graph(net, kNodes, 5);
  for (std::size_t i = 0; i < kNodes; ++i) net[i].subscribe("t");
  net.pump();
  for (int h = 0; h < 3; ++h) net.heartbeat_all();
  const std::size_t late = net.add({}, 99);
  for (std::size_t j : {0u, 4u, 9u}) net.connect(late, j);
  net.pump();  // their subscriptions arrive
  net[late].subscribe("t");
  net.pump();
  EXPECT_EQ(net[late].mesh("t").size(), 3u);
  ASSERT_TRUE(net[12].publish("t", to_bytes("welcome"), net.now));
  net.pump();
  ASSERT_EQ(net.delivered[late].size(), 1u);
  EXPECT_EQ(to_string(net.delivered[late][0].data), "welcome");
}

TEST(GossipsubSimulationAbuse, APeerSendingInvalidMessagesIsGraylistedByItsNeighbours) {
  SimNet net;
  random_graph(net, kNodes, 9);
  for (std::size_t i = 0; i < kNodes; ++i) net[i].subscribe("t");
  net.pump();
  for (int h = 0; h < 3; ++h) net.heartbeat_all();
  const std::size_t evil = 3;
  // Node 3 turns every message it sees into an invalid one (the application rejects them).
  net.validator = [&](std::size_t node, const ReceivedMessage& m) -> std::optional<Validation> {
    (void)node;
    return m.author == net.id(evil) ? Validation::reject : Validation::accept;
  };
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(net[evil].publish("t", to_bytes("spam"), net.now));
    net.pump();
  }
  for (std::size_t i = 0; i < kNodes; ++i) {
    if (!net.linked[i][evil]) continue;
    EXPECT_TRUE(net[i].graylisted(net.id(evil))) << "node " << i;
  }
  net.heartbeat_all();
  for (std::size_t i = 0; i < kNodes; ++i) {
    const auto mesh = net[i].mesh("t");
    EXPECT_EQ(std::find(mesh.begin(), mesh.end(), net.id(evil)), mesh.end()) << "node " << i;
  }
  // Good traffic still flows to everyone but the evil node's own neighbours' view of it.
  net.validator = [](std::size_t, const ReceivedMessage&) { return Validation::accept; };
  auto id = net[0].publish("t", to_bytes("good"), net.now);
  ASSERT_TRUE(id);
  net.pump();
  for (std::size_t i = 1; i < kNodes; ++i) {
    if (i == evil) continue;
    EXPECT_EQ(delivery_counts(net)[i][*id], 1) << "node " << i;
  }
}

}  // namespace
}  // namespace ipfsa::proto::gossipsub
