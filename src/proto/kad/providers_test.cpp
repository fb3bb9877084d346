#include "proto/kad/providers.hpp"

#include <gtest/gtest.h>

#include "proto/kad/test_peers.hpp"

namespace ipfsa::proto::kad {
namespace {

using testing::kProviderKey;
using testing::peer;
using testing::tcp_addr;

const TimePoint t0{std::chrono::hours(1000)};
const std::vector<Bytes> kAddrs = {tcp_addr(4001)};

std::vector<wire::PeerId> ids(const std::vector<Peer>& peers) {
  std::vector<wire::PeerId> out;
  for (const Peer& p : peers) out.push_back(p.id);
  return out;
}

TEST(KadProviders, Constants) {
  EXPECT_EQ(kProviderValidity, std::chrono::hours(48));
  EXPECT_EQ(kReprovideInterval, std::chrono::hours(22));
  EXPECT_LT(kReprovideInterval * 2, kProviderValidity);  // one missed round is survived
}

TEST(KadProviders, AddGetAndRenew) {
  ProviderStore store;
  EXPECT_EQ(*store.add(kProviderKey, peer(1), kAddrs, t0), ProviderAdd::added);
  EXPECT_EQ(*store.add(kProviderKey, peer(2), {}, t0 + 1s), ProviderAdd::added);
  auto got = store.get(kProviderKey, t0 + 2s);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, peer(1));
  EXPECT_EQ(got[0].addrs, kAddrs);
  EXPECT_TRUE(got[1].addrs.empty());

  std::vector<Bytes> other = {tcp_addr(9)};
  EXPECT_EQ(*store.add(kProviderKey, peer(1), other, t0 + 3s), ProviderAdd::renewed);
  got = store.get(kProviderKey, t0 + 4s);
  EXPECT_EQ(ids(got), (std::vector<wire::PeerId>{peer(2), peer(1)}));  // renewed moves last
  EXPECT_EQ(got[1].addrs, other);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.key_count(), 1u);
  EXPECT_TRUE(store.get(as_bytes("other key"), t0).empty());
}

TEST(KadProviders, RecordsExpireAfterTheValidity) {
  ProviderStore store;
  ASSERT_TRUE(store.add(kProviderKey, peer(1), kAddrs, t0));
  ASSERT_TRUE(store.add(kProviderKey, peer(2), kAddrs, t0 + 1h));
  EXPECT_EQ(store.get(kProviderKey, t0 + kProviderValidity - 1s).size(), 2u);
  EXPECT_EQ(ids(store.get(kProviderKey, t0 + kProviderValidity)),
            std::vector<wire::PeerId>{peer(2)});
  EXPECT_EQ(store.size(), 1u);  // get() dropped it
  // A renewal restarts the validity.
  ASSERT_TRUE(store.add(kProviderKey, peer(2), kAddrs, t0 + 40h));
  EXPECT_EQ(store.get(kProviderKey, t0 + 1h + kProviderValidity).size(), 1u);
  EXPECT_TRUE(store.get(kProviderKey, t0 + 40h + kProviderValidity).empty());
  EXPECT_EQ(store.key_count(), 0u);  // a key left empty goes
}

TEST(KadProviders, ExpireSweepsEveryKey) {
  ProviderStore store;
  ASSERT_TRUE(store.add(as_bytes("a"), peer(1), kAddrs, t0));
  ASSERT_TRUE(store.add(as_bytes("b"), peer(1), kAddrs, t0));
  ASSERT_TRUE(store.add(as_bytes("b"), peer(2), kAddrs, t0 + 10h));
  EXPECT_EQ(store.expire(t0 + kProviderValidity - 1s), 0u);
  EXPECT_EQ(store.expire(t0 + kProviderValidity), 2u);
  EXPECT_EQ(store.key_count(), 1u);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.expire(t0 + 10h + kProviderValidity), 1u);
  EXPECT_EQ(store.key_count(), 0u);
  EXPECT_EQ(store.size(), 0u);
}

TEST(KadProviders, ProvidersPerKeyBound) {
  ProviderStore store;
  for (std::uint32_t n = 0; n < kMaxProvidersPerKey; ++n) {
    ASSERT_EQ(*store.add(kProviderKey, peer(n), kAddrs, t0 + std::chrono::seconds(n)),
              ProviderAdd::added);
  }
  // Full: the newcomer replaces the provider added longest ago (peer 0).
  EXPECT_EQ(*store.add(kProviderKey, peer(100), kAddrs, t0 + 1h), ProviderAdd::replaced);
  auto got = store.get(kProviderKey, t0 + 1h);
  ASSERT_EQ(got.size(), kMaxProvidersPerKey);
  EXPECT_EQ(got.front().id, peer(1));
  EXPECT_EQ(got.back().id, peer(100));
  EXPECT_EQ(store.size(), kMaxProvidersPerKey);
  // An expired record makes room without replacing a live one.
  ProviderStore aging;
  ASSERT_TRUE(aging.add(kProviderKey, peer(0), kAddrs, t0));
  for (std::uint32_t n = 1; n < kMaxProvidersPerKey; ++n) {
    ASSERT_TRUE(aging.add(kProviderKey, peer(n), kAddrs, t0 + 47h));
  }
  EXPECT_EQ(*aging.add(kProviderKey, peer(100), kAddrs, t0 + 48h), ProviderAdd::added);
  EXPECT_EQ(aging.size(), kMaxProvidersPerKey);
}

TEST(KadProviders, KeysBoundAndKeyChecks) {
  ProviderStore store;
  for (std::uint32_t n = 0; n < kMaxProviderKeys; ++n) {
    const std::string key = "key " + std::to_string(n);
    ASSERT_TRUE(store.add(as_bytes(key), peer(1), kAddrs, t0));
  }
  EXPECT_EQ(store.add(as_bytes("one more"), peer(1), kAddrs, t0).error(), Error::limit_exceeded);
  EXPECT_TRUE(store.add(as_bytes("key 0"), peer(2), kAddrs, t0));  // known keys still take more
  EXPECT_EQ(store.key_count(), kMaxProviderKeys);
  store.expire(t0 + kProviderValidity);
  EXPECT_TRUE(store.add(as_bytes("one more"), peer(1), kAddrs, t0 + kProviderValidity));

  EXPECT_EQ(store.add({}, peer(1), kAddrs, t0).error(), Error::malformed);
  EXPECT_EQ(store.add(Bytes(kMaxKeySize + 1, 1), peer(1), kAddrs, t0).error(), Error::too_large);
  EXPECT_TRUE(store.add(Bytes(kMaxKeySize, 1), peer(1), kAddrs, t0 + kProviderValidity));
}

TEST(KadProviders, AddressesPerProviderAreBounded) {
  ProviderStore store;
  std::vector<Bytes> many;
  for (std::uint16_t i = 0; i < 40; ++i) many.push_back(tcp_addr(i));
  ASSERT_TRUE(store.add(kProviderKey, peer(1), many, t0));
  EXPECT_EQ(store.get(kProviderKey, t0)[0].addrs.size(), kMaxStoredAddrs);
}

TEST(KadProviders, AddProviderRecordsOnlyTheSender) {
  ProviderStore store;
  Message request = make_request(MessageType::add_provider, kProviderKey);
  request.provider_peers = {Peer{peer(2), kAddrs, {}}, Peer{peer(1), kAddrs, {}},
                            Peer{peer(1), {tcp_addr(5)}, {}}};
  // peer 3 sent it: no entry names it.
  EXPECT_FALSE(*apply_add_provider(request, peer(3), store, t0));
  EXPECT_EQ(store.size(), 0u);
  // peer 1 sent it: only peer 1 is recorded, once, with its first entry's addresses.
  EXPECT_TRUE(*apply_add_provider(request, peer(1), store, t0));
  auto got = store.get(kProviderKey, t0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, peer(1));
  EXPECT_EQ(got[0].addrs, kAddrs);
}

TEST(KadProviders, AddProviderRuleChecks) {
  ProviderStore store;
  Message no_addrs = make_request(MessageType::add_provider, kProviderKey);
  no_addrs.provider_peers = {Peer{peer(1), {}, {}}};
  EXPECT_FALSE(*apply_add_provider(no_addrs, peer(1), store, t0));  // nobody could reach it
  Message no_key = make_request(MessageType::add_provider, {});
  no_key.provider_peers = {Peer{peer(1), kAddrs, {}}};
  EXPECT_EQ(apply_add_provider(no_key, peer(1), store, t0).error(), Error::protocol_violation);
  Message wrong_type = make_request(MessageType::get_providers, kProviderKey);
  wrong_type.provider_peers = {Peer{peer(1), kAddrs, {}}};
  EXPECT_EQ(apply_add_provider(wrong_type, peer(1), store, t0).error(), Error::protocol_violation);
  EXPECT_EQ(store.size(), 0u);
}

}  // namespace
}  // namespace ipfsa::proto::kad
