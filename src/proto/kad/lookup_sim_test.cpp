// A simulated swarm of 200 members: each has its own routing table and provider store; every
// request a lookup makes is answered by the target's handle_request() through the real codec.
// No clock, no sockets: the network is a queue of requests in flight.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <random>
#include <set>
#include <unordered_map>

#include "proto/kad/handler.hpp"
#include "proto/kad/lookup.hpp"
#include "proto/kad/test_peers.hpp"

namespace ipfsa::proto::kad {
namespace {

using testing::kProviderKey;
using testing::tcp_addr;

const TimePoint t0{std::chrono::hours(1000)};
constexpr std::uint32_t kNodes = 200;

struct Node {
  explicit Node(std::uint32_t n)
      : id(testing::peer(n)), table(id), addrs{tcp_addr(static_cast<std::uint16_t>(n + 1))} {}
  wire::PeerId id;
  RoutingTable table;
  ProviderStore store;
  std::vector<Bytes> addrs;
};

class Swarm {
 public:
  explicit Swarm(std::uint32_t seed) {
    for (std::uint32_t n = 0; n < kNodes; ++n) nodes_.push_back(std::make_unique<Node>(n));
    for (auto& node : nodes_) by_id_.emplace(node->id, node.get());
    // Everyone hears of everyone, in its own order: the buckets keep whom they met first.
    std::mt19937 rng(seed);
    for (auto& node : nodes_) {
      std::vector<Node*> others;
      for (auto& other : nodes_) {
        if (other != node) others.push_back(other.get());
      }
      std::shuffle(others.begin(), others.end(), rng);
      for (Node* other : others) node->table.try_add(other->id, other->addrs, t0);
    }
  }

  Node& node(std::size_t i) { return *nodes_[i]; }
  void take_down(const wire::PeerId& id) { down_.insert(id); }

  // Drives `lookup`, started by `from`, to its end. Returns the number of requests sent.
  std::size_t run(Lookup& lookup, const Node& from) {
    std::deque<Peer> in_flight;
    std::size_t sent = 0;
    for (;;) {
      for (Peer& p : lookup.next()) in_flight.push_back(std::move(p));
      EXPECT_LE(lookup.in_flight(), kAlpha);
      if (in_flight.empty()) break;
      const Peer asked = in_flight.front();
      in_flight.pop_front();
      ++sent;
      EXPECT_FALSE(asked.addrs.empty());  // the shell could dial it
      auto it = by_id_.find(asked.id);
      if (it == by_id_.end() || down_.count(asked.id)) {
        lookup.on_failure(asked.id);
        continue;
      }
      Node& target = *it->second;
      Server server{target.table, target.store, target.addrs};
      // Over the wire: our encoder, then our decoder, as two members would do it.
      auto request = decode(encode(lookup.request()));
      EXPECT_TRUE(request);
      auto answer = handle_request(server, *request, from.id, t0);
      EXPECT_TRUE(answer && *answer);
      auto response = decode(encode(**answer));
      EXPECT_TRUE(response);
      EXPECT_TRUE(lookup.on_response(asked.id, *response));
    }
    EXPECT_TRUE(lookup.done());
    return sent;
  }

  // The k members closest to `target` that are up (or all, with_down), `except` left out, by
  // brute force.
  std::vector<wire::PeerId> true_closest(ByteView target, const wire::PeerId& except,
                                         bool with_down = false) const {
    const Key key = key_of(target);
    std::vector<wire::PeerId> all;
    for (const auto& node : nodes_) {
      if (node->id != except && (with_down || !down_.count(node->id))) all.push_back(node->id);
    }
    std::sort(all.begin(), all.end(), [&](const wire::PeerId& a, const wire::PeerId& b) {
      return closer_to(key, key_of(a), key_of(b));
    });
    all.erase(all.begin() + static_cast<std::ptrdiff_t>(kBucketSize), all.end());
    return all;
  }

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unordered_map<wire::PeerId, Node*> by_id_;
  std::set<wire::PeerId> down_;
};

std::vector<wire::PeerId> ids(const std::vector<Peer>& peers) {
  std::vector<wire::PeerId> out;
  for (const Peer& p : peers) out.push_back(p.id);
  return out;
}

Lookup start(Node& from, ByteView target, LookupKind kind, std::size_t wanted = 0) {
  return Lookup(target, kind, from.id, from.table.closest(key_of(target), kBucketSize), wanted);
}

TEST(KadSwarm, TablesAreKademliaShaped) {
  Swarm swarm(1);
  const RoutingTable& table = swarm.node(0).table;
  EXPECT_EQ(table.bucket_size(0), kBucketSize);  // ~100 candidates, 20 kept
  EXPECT_LT(table.size(), kNodes - 1);           // the far buckets dropped many
  EXPECT_GT(table.size(), 3 * kBucketSize);
}

TEST(KadSwarm, FindNodeFindsTheTrueTwentyClosest) {
  Swarm swarm(2);
  for (std::uint32_t t = 0; t < 10; ++t) {
    const std::string target = "target " + std::to_string(t);
    Node& from = swarm.node(t * 17 % kNodes);
    Lookup lookup = start(from, as_bytes(target), LookupKind::find_node);
    const std::size_t sent = swarm.run(lookup, from);
    EXPECT_EQ(ids(lookup.result().closest), swarm.true_closest(as_bytes(target), from.id))
        << target;
    EXPECT_LT(sent, kNodes / 2) << target;  // a lookup asks a fraction of the swarm
  }
}

TEST(KadSwarm, FindNodeOfAMemberEndsWithThatMember) {
  Swarm swarm(3);
  Node& from = swarm.node(5);
  const wire::PeerId wanted = swarm.node(150).id;
  Lookup lookup = start(from, wanted.bytes(), LookupKind::find_node);
  swarm.run(lookup, from);
  auto r = lookup.result();
  ASSERT_FALSE(r.closest.empty());
  EXPECT_EQ(r.closest[0].id, wanted);
  EXPECT_EQ(r.closest[0].addrs, swarm.node(150).addrs);
}

TEST(KadSwarm, FindNodeRoutesAroundMembersThatAreDown) {
  // 30 members went down but are still in everyone's tables (nobody has pinged them yet). Each
  // answer lists the 20 closest its sender knows, down ones included, so an up member ranked
  // below them may never be named: what a lookup can promise is every up member among the true
  // 20 closest, in order, and only members that answered.
  Swarm swarm(4);
  std::mt19937 rng(4);
  std::set<wire::PeerId> down;
  for (int i = 0; i < 30; ++i) down.insert(swarm.node(1 + rng() % (kNodes - 1)).id);
  for (const auto& id : down) swarm.take_down(id);
  for (std::uint32_t t = 0; t < 5; ++t) {
    const std::string target = "down target " + std::to_string(t);
    Node& from = swarm.node(0);
    Lookup lookup = start(from, as_bytes(target), LookupKind::find_node);
    swarm.run(lookup, from);
    std::vector<wire::PeerId> up_in_top;
    for (const auto& id : swarm.true_closest(as_bytes(target), from.id, /*with_down=*/true)) {
      if (!down.count(id)) up_in_top.push_back(id);
    }
    auto got = ids(lookup.result().closest);
    ASSERT_GE(got.size(), up_in_top.size()) << target;
    got.erase(got.begin() + static_cast<std::ptrdiff_t>(up_in_top.size()), got.end());
    EXPECT_EQ(got, up_in_top) << target;
    for (const auto& id : ids(lookup.result().closest)) EXPECT_FALSE(down.count(id));
  }
}

TEST(KadSwarm, GetProvidersFindsTheProvider) {
  Swarm swarm(5);
  // The provider finds the k closest to the key and announces itself to each.
  Node& provider = swarm.node(17);
  Lookup find = start(provider, kProviderKey, LookupKind::find_node);
  swarm.run(find, provider);
  auto closest = find.result().closest;
  ASSERT_EQ(closest.size(), kBucketSize);
  Message add = make_request(MessageType::add_provider, kProviderKey);
  add.provider_peers = {Peer{provider.id, provider.addrs, {}}};
  const std::vector<wire::PeerId> closest_ids = ids(closest);
  std::size_t recorded = 0;
  for (std::uint32_t n = 0; n < kNodes; ++n) {
    Node& node = swarm.node(n);
    if (std::find(closest_ids.begin(), closest_ids.end(), node.id) == closest_ids.end()) continue;
    Server server{node.table, node.store, node.addrs};
    auto r = handle_request(server, *decode(encode(add)), provider.id, t0);
    ASSERT_TRUE(r);
    EXPECT_FALSE(*r);
    recorded += node.store.size();
  }
  EXPECT_EQ(recorded, kBucketSize);

  // Anyone else finds it, stopping at the first provider...
  Node& seeker = swarm.node(123);
  Lookup quick = start(seeker, kProviderKey, LookupKind::get_providers, 1);
  const std::size_t quick_sent = swarm.run(quick, seeker);
  auto found = quick.result().providers;
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, provider.id);
  EXPECT_EQ(found[0].addrs, provider.addrs);
  // ... or running to the end, which asks more and still reports it once.
  Lookup full = start(seeker, kProviderKey, LookupKind::get_providers);
  const std::size_t full_sent = swarm.run(full, seeker);
  EXPECT_EQ(ids(full.result().providers), std::vector<wire::PeerId>{provider.id});
  EXPECT_LE(quick_sent, full_sent);
  EXPECT_EQ(ids(full.result().closest), swarm.true_closest(kProviderKey, seeker.id));
}

}  // namespace
}  // namespace ipfsa::proto::kad
