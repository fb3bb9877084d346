#include "share/membership.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "share/rendezvous.hpp"

namespace ipfsa::share {
namespace {

const WallTime kNow = WallTime{std::chrono::milliseconds(1'800'000'000'000)};

std::int64_t ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::vector<wire::Multiaddr> addrs(int port) {
  return {*wire::Multiaddr::tcp("127.0.0.1", static_cast<std::uint16_t>(port)),
          *wire::Multiaddr::tcp("::1", static_cast<std::uint16_t>(port))};
}

TEST(MemberRecord, RoundTripsVerifiesAndEveryPrefixFails) {
  const auto key = crypto::Ed25519KeyPair::generate();
  const auto r = sign_member_record(key, ms(kNow), addrs(4001));
  EXPECT_EQ(r.peer, wire::PeerId::from_public_key(key.public_key()));
  EXPECT_TRUE(verify_member_record(r));
  const Bytes wire = encode_member_record(r);
  auto back = decode_member_record(wire);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, r);
  EXPECT_TRUE(verify_member_record(*back));
  for (std::size_t n = 0; n < wire.size(); ++n) {
    EXPECT_FALSE(decode_member_record(ByteView(wire.data(), n))) << n;
  }
}

TEST(MemberRecord, ASignatureCoversEveryField) {
  const auto key = crypto::Ed25519KeyPair::generate();
  const auto other = crypto::Ed25519KeyPair::generate();
  const auto r = sign_member_record(key, ms(kNow), addrs(4001));
  auto later = r;
  later.issued_at_ms += 1;  // a replayed record made to look newer
  EXPECT_FALSE(verify_member_record(later));
  auto moved = r;
  moved.addrs = addrs(6666);  // someone pointing the swarm at another address
  EXPECT_FALSE(verify_member_record(moved));
  auto leaving = r;
  leaving.leaving = true;  // a forged goodbye
  EXPECT_FALSE(verify_member_record(leaving));
  auto impostor = sign_member_record(other, ms(kNow), addrs(4001));
  impostor.peer = r.peer;  // signed by another key in r's name
  EXPECT_FALSE(verify_member_record(impostor));
}

TEST(MemberRecord, Bounds) {
  const auto key = crypto::Ed25519KeyPair::generate();
  std::vector<wire::Multiaddr> many;
  for (int i = 0; i < 20; ++i) many.push_back(*wire::Multiaddr::tcp("10.0.0.1", 4000 + i));
  const auto r = sign_member_record(key, ms(kNow), many);
  EXPECT_EQ(r.addrs.size(), kMaxMemberAddrs);  // the signer keeps to the bound...
  EXPECT_TRUE(verify_member_record(r));
  // ...and a record over it is refused by the reader.
  auto over = r;
  over.addrs = many;
  EXPECT_EQ(decode_member_record(encode_member_record(over)).error(), Error::too_large);
  EXPECT_EQ(decode_member_record(Bytes(kMaxMemberRecordBytes + 1, 0)).error(), Error::too_large);
  // An address naming a peer is not a listen address.
  auto named = r;
  named.addrs = {addrs(1).front().with_peer_id(r.peer)};
  EXPECT_EQ(decode_member_record(encode_member_record(named)).error(), Error::malformed);
}

struct Fleet {
  std::vector<crypto::Ed25519KeyPair> keys;
  std::vector<MemberRecord> records;
  explicit Fleet(int n, WallTime at = kNow) {
    for (int i = 0; i < n; ++i) {
      keys.push_back(crypto::Ed25519KeyPair::generate());
      records.push_back(sign_member_record(keys.back(), ms(at), addrs(4000 + i)));
    }
  }
  wire::PeerId id(int i) const { return records[static_cast<std::size_t>(i)].peer; }
};

TEST(Membership, MembersHearingTheSameRecordsInAnyOrderAgreeOnEveryOwner) {
  Fleet fleet(20);
  std::vector<std::vector<wire::PeerId>> views;
  std::mt19937 rng(7);
  for (int self = 0; self < 20; ++self) {
    Membership m(fleet.id(self));
    m.set_self(fleet.records[self]);
    auto order = fleet.records;
    std::shuffle(order.begin(), order.end(), rng);
    for (const auto& r : order) m.apply(r, kNow);
    views.push_back(m.members(kNow));
  }
  for (const auto& v : views) {
    ASSERT_EQ(v.size(), 20u);
    EXPECT_EQ(v, views.front());
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
  }
  for (int k = 0; k < 50; ++k) {
    const std::string key = std::string(63, 'a') + static_cast<char>('0' + k % 10) + std::to_string(k);
    const auto owner = owner_of(key, views.front());
    for (const auto& v : views) EXPECT_EQ(owner_of(key, v), owner);
  }
}

TEST(Membership, NewerRecordsRenewOlderOnesAreStaleFutureOnesRefused) {
  Fleet fleet(2);
  Membership m(fleet.id(0));
  EXPECT_EQ(m.apply(fleet.records[1], kNow), Applied::added);
  EXPECT_EQ(m.apply(fleet.records[1], kNow), Applied::stale);  // the same record again
  EXPECT_EQ(m.apply(fleet.records[0], kNow), Applied::stale);  // our own, said by someone else
  const auto later = sign_member_record(fleet.keys[1], ms(kNow) + 5000, addrs(5001));
  EXPECT_EQ(m.apply(later, kNow), Applied::renewed);
  EXPECT_EQ(m.find(fleet.id(1))->addrs, addrs(5001));
  EXPECT_EQ(m.apply(fleet.records[1], kNow), Applied::stale);  // a replay of the older one
  EXPECT_EQ(m.find(fleet.id(1))->addrs, addrs(5001));
  const auto ahead = sign_member_record(
      fleet.keys[1], ms(kNow) + kMaxMemberClockSkew.count() + 1, addrs(5001));
  EXPECT_EQ(m.apply(ahead, kNow), Applied::future);
  EXPECT_EQ(m.size(), 2u);
}

TEST(Membership, DeparturesAreSeenWithinTheTtlOrAtOnceWhenAMemberSaysGoodbye) {
  Fleet fleet(3);
  Membership m(fleet.id(0));
  for (const auto& r : fleet.records) m.apply(r, kNow);
  EXPECT_EQ(m.members(kNow).size(), 3u);
  // Member 2 keeps stating itself, member 1 went silent (a crash).
  const auto tick = [&](std::int64_t at_ms) {
    m.apply(sign_member_record(fleet.keys[2], at_ms, addrs(4002)), kNow);
  };
  for (std::int64_t t = 5000; t < kMemberTtl.count() + 10'000; t += 5000) tick(ms(kNow) + t);
  const WallTime just_before = kNow + kMemberTtl - 1ms;
  EXPECT_EQ(m.members(just_before).size(), 3u);
  EXPECT_EQ(m.members(kNow + kMemberTtl).size(), 2u);  // out of the list the moment it expires
  EXPECT_EQ(m.count(just_before), 3u);
  EXPECT_EQ(m.count(kNow + kMemberTtl), 2u);
  EXPECT_TRUE(m.counted(fleet.id(1), just_before));
  EXPECT_FALSE(m.counted(fleet.id(1), kNow + kMemberTtl));
  EXPECT_TRUE(m.counted(fleet.id(0), kNow + kMemberTtl));  // we are always a member
  EXPECT_EQ(m.expire(kNow + kMemberTtl), 1u);
  EXPECT_EQ(m.find(fleet.id(1)), nullptr);
  // An expired record relayed late does not bring the member back.
  EXPECT_EQ(m.apply(fleet.records[1], kNow + kMemberTtl), Applied::stale);
  // A clean shutdown: gone at once, and a stranger's goodbye adds nothing.
  const auto bye = sign_member_record(fleet.keys[2], ms(kNow) + 30'000, addrs(4002), true);
  EXPECT_EQ(m.apply(bye, kNow + kMemberTtl), Applied::left);
  EXPECT_EQ(m.members(kNow + kMemberTtl), std::vector<wire::PeerId>{fleet.id(0)});
  EXPECT_EQ(m.apply(bye, kNow + kMemberTtl), Applied::stale);
}

TEST(Membership, AFailedDialTakesAMemberOutUntilItStatesItselfAgain) {
  Fleet fleet(3);
  Membership m(fleet.id(0));
  for (const auto& r : fleet.records) m.apply(r, kNow);
  m.mark_unreachable(fleet.id(1));
  m.mark_unreachable(fleet.id(0));  // never ourselves
  EXPECT_EQ(m.members(kNow).size(), 2u);
  EXPECT_EQ(m.count(kNow), 2u);
  EXPECT_FALSE(m.counted(fleet.id(1), kNow));
  EXPECT_TRUE(m.unreachable(fleet.id(1)));
  EXPECT_FALSE(m.unreachable(fleet.id(0)));
  EXPECT_EQ(m.apply(fleet.records[1], kNow), Applied::stale);  // the same record: still out
  EXPECT_EQ(m.members(kNow).size(), 2u);
  EXPECT_EQ(m.apply(sign_member_record(fleet.keys[1], ms(kNow) + 1, addrs(4001)), kNow),
            Applied::renewed);
  EXPECT_EQ(m.members(kNow).size(), 3u);
  EXPECT_TRUE(m.counted(fleet.id(1), kNow));
}

TEST(Membership, TheTableIsBounded) {
  Fleet fleet(6);
  Membership m(fleet.id(0), 4);
  EXPECT_EQ(m.apply(fleet.records[1], kNow), Applied::added);
  EXPECT_EQ(m.apply(fleet.records[2], kNow), Applied::added);
  EXPECT_EQ(m.apply(fleet.records[3], kNow), Applied::added);
  EXPECT_EQ(m.apply(fleet.records[4], kNow), Applied::full);
  EXPECT_EQ(m.size(), 4u);
  // Members already in keep renewing.
  EXPECT_EQ(m.apply(sign_member_record(fleet.keys[3], ms(kNow) + 1, addrs(1)), kNow),
            Applied::renewed);
  EXPECT_EQ(m.records(kNow).size(), 4u);
  EXPECT_EQ(m.records(kNow).front().peer, fleet.id(0)) << "us first";
}

}  // namespace
}  // namespace ipfsa::share
