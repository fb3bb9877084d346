#include "proto/kad/lookup.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "proto/kad/test_peers.hpp"

namespace ipfsa::proto::kad {
namespace {

using testing::peer;
using testing::tcp_addr;

const Bytes kTarget = to_bytes("lookup target");

Peer with_addr(std::uint32_t n) {
  return Peer{peer(n), {tcp_addr(static_cast<std::uint16_t>(n))}, {}};
}

std::vector<Peer> peers(std::uint32_t from, std::uint32_t to) {
  std::vector<Peer> out;
  for (std::uint32_t n = from; n < to; ++n) out.push_back(with_addr(n));
  return out;
}

// `list` sorted by distance to kTarget.
std::vector<Peer> sorted(std::vector<Peer> list) {
  const Key target = key_of(kTarget);
  std::sort(list.begin(), list.end(), [&](const Peer& a, const Peer& b) {
    return closer_to(target, key_of(a.id), key_of(b.id));
  });
  return list;
}

TEST(KadLookup, RequestNamesTheKindAndTarget) {
  Lookup find(kTarget, LookupKind::find_node, peer(0), {});
  EXPECT_EQ(find.request().type, MessageType::find_node);
  EXPECT_EQ(find.request().key, kTarget);
  EXPECT_EQ(find.target_key(), key_of(kTarget));
  Lookup providers(kTarget, LookupKind::get_providers, peer(0), {});
  EXPECT_EQ(providers.request().type, MessageType::get_providers);
}

TEST(KadLookup, NoSeedsIsDoneAtOnce) {
  Lookup lookup(kTarget, LookupKind::find_node, peer(0), {});
  EXPECT_TRUE(lookup.done());
  EXPECT_TRUE(lookup.next().empty());
  EXPECT_TRUE(lookup.result().closest.empty());
}

TEST(KadLookup, AtMostAlphaInFlightClosestFirst) {
  const std::vector<Peer> seeds = peers(1, 11);
  Lookup lookup(kTarget, LookupKind::find_node, peer(0), seeds);
  const std::vector<Peer> order = sorted(seeds);
  auto first = lookup.next();
  ASSERT_EQ(first.size(), kAlpha);
  for (std::size_t i = 0; i < kAlpha; ++i) EXPECT_EQ(first[i].id, order[i].id);
  EXPECT_EQ(first[0].addrs, order[0].addrs);
  EXPECT_EQ(lookup.in_flight(), kAlpha);
  EXPECT_TRUE(lookup.next().empty());  // the window is full
  EXPECT_TRUE(lookup.on_response(first[0].id, {}, {}));
  auto second = lookup.next();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, order[kAlpha].id);
}

TEST(KadLookup, SelfAndDuplicatesAreNeverCandidates) {
  std::vector<Peer> seeds = {with_addr(0), with_addr(1), with_addr(1), with_addr(2)};
  Lookup lookup(kTarget, LookupKind::find_node, peer(0), seeds);
  EXPECT_EQ(lookup.candidate_count(), 2u);
  auto asked = lookup.next();
  ASSERT_EQ(asked.size(), 2u);
  // An answer naming us and the peers already known adds nothing.
  EXPECT_TRUE(lookup.on_response(asked[0].id, std::vector<Peer>{with_addr(0), with_addr(2)}, {}));
  EXPECT_EQ(lookup.candidate_count(), 2u);
}

TEST(KadLookup, ResponsesOnlyFromPeersInFlight) {
  Lookup lookup(kTarget, LookupKind::find_node, peer(0), peers(1, 5));
  EXPECT_FALSE(lookup.on_response(peer(99), {}, {}));  // never heard of
  auto asked = lookup.next();
  // A known candidate that was not asked yet.
  const std::vector<Peer> order = sorted(peers(1, 5));
  EXPECT_FALSE(lookup.on_response(order[3].id, {}, {}));
  EXPECT_FALSE(lookup.on_failure(order[3].id));
  EXPECT_TRUE(lookup.on_response(asked[0].id, {}, {}));
  EXPECT_FALSE(lookup.on_response(asked[0].id, {}, {}));  // twice
  EXPECT_FALSE(lookup.on_failure(asked[0].id));
  EXPECT_TRUE(lookup.on_failure(asked[1].id));
  EXPECT_FALSE(lookup.on_failure(asked[1].id));
}

TEST(KadLookup, EndsWhenEveryoneKnownAnswered) {
  Lookup lookup(kTarget, LookupKind::find_node, peer(0), peers(1, 6));
  std::size_t answered = 0;
  while (!lookup.done()) {
    auto batch = lookup.next();
    ASSERT_FALSE(batch.empty());
    for (const Peer& p : batch) {
      EXPECT_TRUE(lookup.on_response(p.id, {}, {}));
      ++answered;
    }
  }
  EXPECT_EQ(answered, 5u);
  auto r = lookup.result();
  ASSERT_EQ(r.closest.size(), 5u);
  const std::vector<Peer> order = sorted(peers(1, 6));
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(r.closest[i].id, order[i].id);
}

TEST(KadLookup, FailedPeersAreLeftOutOfTheResult) {
  Lookup lookup(kTarget, LookupKind::find_node, peer(0), peers(1, 6));
  const std::vector<Peer> order = sorted(peers(1, 6));
  while (!lookup.done()) {
    for (const Peer& p : lookup.next()) {
      if (p.id == order[0].id) {
        lookup.on_failure(p.id);
      } else {
        lookup.on_response(p.id, {}, {});
      }
    }
  }
  auto r = lookup.result();
  ASSERT_EQ(r.closest.size(), 4u);
  EXPECT_EQ(r.closest[0].id, order[1].id);
}

TEST(KadLookup, DoneWhenTheKClosestAnsweredEvenIfFartherArePending) {
  // 30 seeds: once the 20 closest answered, the 10 farther are never asked.
  Lookup lookup(kTarget, LookupKind::find_node, peer(0), peers(1, 31));
  std::size_t asked = 0;
  while (!lookup.done()) {
    for (const Peer& p : lookup.next()) {
      lookup.on_response(p.id, {}, {});
      ++asked;
    }
  }
  EXPECT_EQ(asked, kBucketSize);
  EXPECT_EQ(lookup.result().closest.size(), kBucketSize);
}

TEST(KadLookup, CloserPeersPerAnswerAreBounded) {
  Lookup lookup(kTarget, LookupKind::find_node, peer(0), peers(1, 2));
  auto asked = lookup.next();
  ASSERT_EQ(asked.size(), 1u);
  ASSERT_TRUE(lookup.on_response(asked[0].id, peers(100, 100 + kMaxCloserPeers), {}));
  EXPECT_EQ(lookup.candidate_count(), 1 + kMaxCloserPerAnswer);
}

TEST(KadLookup, CandidatesAreBounded) {
  Lookup lookup(kTarget, LookupKind::find_node, peer(0), peers(1, 4));
  std::uint32_t next_id = 1000;
  for (int round = 0; round < 100 && !lookup.done(); ++round) {
    for (const Peer& p : lookup.next()) {
      lookup.on_response(p.id, peers(next_id, next_id + kBucketSize), {});
      next_id += kBucketSize;
      EXPECT_LE(lookup.candidate_count(), kMaxLookupCandidates);
    }
  }
  EXPECT_EQ(lookup.candidate_count(), kMaxLookupCandidates);
}

TEST(KadLookup, ProvidersAreCollectedOnceWithoutSelf) {
  Lookup lookup(kTarget, LookupKind::get_providers, peer(0), peers(1, 4));
  auto asked = lookup.next();
  ASSERT_EQ(asked.size(), 3u);
  lookup.on_response(asked[0].id, {}, std::vector<Peer>{with_addr(50), with_addr(0)});
  lookup.on_response(asked[1].id, {}, std::vector<Peer>{with_addr(50), with_addr(51)});
  auto r = lookup.result();
  ASSERT_EQ(r.providers.size(), 2u);
  EXPECT_EQ(r.providers[0], with_addr(50));
  EXPECT_EQ(r.providers[1], with_addr(51));
  EXPECT_FALSE(lookup.done());  // wanted 0: runs to the end
}

TEST(KadLookup, WantedProvidersEndTheLookupEarly) {
  Lookup lookup(kTarget, LookupKind::get_providers, peer(0), peers(1, 10), 1);
  auto asked = lookup.next();
  lookup.on_response(asked[0].id, {}, {});
  EXPECT_FALSE(lookup.done());
  lookup.on_response(asked[1].id, {}, std::vector<Peer>{with_addr(77)});
  EXPECT_TRUE(lookup.done());
  EXPECT_TRUE(lookup.next().empty());
  EXPECT_EQ(lookup.result().providers.size(), 1u);
}

TEST(KadLookup, ProvidersPerLookupAreBounded) {
  Lookup lookup(kTarget, LookupKind::get_providers, peer(0), peers(1, 4));
  auto asked = lookup.next();
  lookup.on_response(asked[0].id, {}, peers(1000, 1000 + kMaxLookupProviders));
  lookup.on_response(asked[1].id, {}, peers(5000, 5010));
  EXPECT_EQ(lookup.result().providers.size(), kMaxLookupProviders);
}

TEST(KadLookup, FindNodeIgnoresProviders) {
  Lookup lookup(kTarget, LookupKind::find_node, peer(0), peers(1, 2), 1);
  auto asked = lookup.next();
  lookup.on_response(asked[0].id, {}, std::vector<Peer>{with_addr(5)});
  EXPECT_TRUE(lookup.result().providers.empty());
}

}  // namespace
}  // namespace ipfsa::proto::kad
