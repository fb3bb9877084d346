// Tests of the pure sharing layer: swarm derivation, signed entries, announcements, the cache
// protocol's messages and rendezvous ownership.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "share/announcement.hpp"
#include "share/cache_protocol.hpp"
#include "share/rendezvous.hpp"
#include "share/signed_entry.hpp"
#include "share/swarm.hpp"

namespace ipfsa::share {
namespace {

TEST(Swarm, SecretPrecedenceIsSharedSecretThenGhTokenThenGithubToken) {
  auto all = swarm_secret_from_env(
      env_from({{"CACHE_P2P_SHARED_SECRET", "s"}, {"GH_TOKEN", "g"}, {"GITHUB_TOKEN", "h"}}));
  ASSERT_TRUE(all && *all);
  EXPECT_EQ((*all)->source, SecretSource::shared_secret);
  auto tokens = swarm_secret_from_env(env_from({{"GH_TOKEN", "g"}, {"GITHUB_TOKEN", "h"}}));
  EXPECT_EQ((*tokens)->source, SecretSource::gh_token);
  auto last =
      swarm_secret_from_env(env_from({{"CACHE_P2P_SHARED_SECRET", ""}, {"GITHUB_TOKEN", "h"}}));
  EXPECT_EQ((*last)->source, SecretSource::github_token);
  auto none = swarm_secret_from_env(env_from({}));
  ASSERT_TRUE(none);  // no secret is not a failure
  EXPECT_FALSE(*none);
  auto huge =
      swarm_secret_from_env(env_from({{"GH_TOKEN", std::string(kMaxSecretBytes + 1, 'x')}}));
  EXPECT_FALSE(huge);
  EXPECT_EQ(huge.code(), Error::too_large);
  EXPECT_NE(huge.error().find("GH_TOKEN"), std::string::npos);
}

TEST(Swarm, SameSecretSameSwarmOtherSecretOtherSwarm) {
  const SwarmSecret a{SecretSource::shared_secret, SecretBytes(as_bytes("fleet secret"))};
  const SwarmSecret b{SecretSource::gh_token, SecretBytes(as_bytes("fleet secret"))};
  const SwarmSecret c{SecretSource::shared_secret, SecretBytes(as_bytes("other secret"))};
  const Swarm sa(a), sb(b), sc(c);
  EXPECT_EQ(sa.id(), sb.id());  // the source does not matter, only the bytes
  EXPECT_EQ(sa.pnet_key().view().size(), 32u);
  EXPECT_TRUE(std::equal(sa.pnet_key().view().begin(), sa.pnet_key().view().end(),
                         sb.pnet_key().view().begin()));
  EXPECT_NE(sa.id(), sc.id());
  EXPECT_EQ(sa.id().size(), kSwarmIdBytes * 2);
  EXPECT_EQ(sa.topic(), std::string(kTopicPrefix) + sa.id());
  // The labels separate the keys: the pnet key is not the swarm id's bytes.
  EXPECT_NE(hex_encode(sa.pnet_key().view()).substr(0, sa.id().size()), sa.id());
  EXPECT_EQ(sa.token_fingerprint(as_bytes("tok")), sb.token_fingerprint(as_bytes("tok")));
  EXPECT_NE(sa.token_fingerprint(as_bytes("tok")), sc.token_fingerprint(as_bytes("tok")));
  EXPECT_NE(sa.token_fingerprint(as_bytes("tok")), sa.token_fingerprint(as_bytes("tok2")));
}

TEST(Swarm, DerivationMatchesAnIndependentHkdf) {
  // HKDF-SHA256(salt "ipfs-accelerate/swarm/v1", ikm "fleet secret", info "swarm id"), 16 bytes,
  // computed independently with Python hmac + hashlib per RFC 5869.
  const Swarm s(SwarmSecret{SecretSource::shared_secret, SecretBytes(as_bytes("fleet secret"))});
  EXPECT_EQ(s.id(), "d53574a473675179e0c3a73b7c66e9df");
}

cache::Entry sample_entry() {
  auto e = cache::make_entry(200, {{"etag", "\"abc\""}, {"content-type", "application/json"}},
                             "{\"id\":1}", cache::WallTime(std::chrono::milliseconds(1000)),
                             cache::WallTime(std::chrono::milliseconds(61000)));
  return *e;
}

const std::string kHash(64, 'a');

TEST(SignedEntry, SignedByTheOriginVerifies) {
  const auto key = crypto::Ed25519KeyPair::generate();
  const auto self = wire::PeerId::from_public_key(key.public_key());
  const auto signed_entry = sign_entry(sample_entry(), kHash, key, self);
  EXPECT_EQ(signed_entry->origin, self.to_string());
  EXPECT_TRUE(verify_entry(*signed_entry, kHash));
  // It survives the store's meta encoding.
  auto decoded = cache::decode_meta(cache::encode_meta(*signed_entry), signed_entry->body);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(verify_entry(*decoded, kHash));
}

TEST(SignedEntry, AnyChangeBreaksTheSignature) {
  const auto key = crypto::Ed25519KeyPair::generate();
  const auto self = wire::PeerId::from_public_key(key.public_key());
  const cache::Entry good = *sign_entry(sample_entry(), kHash, key, self);
  EXPECT_EQ(verify_entry(good, std::string(64, 'b')).error(), Error::invalid_signature);
  EXPECT_EQ(verify_entry(good, "not a hash").error(), Error::malformed);
  auto changed = good;
  changed.expires_at += std::chrono::hours(24);  // a member extending an entry's life
  EXPECT_EQ(verify_entry(changed, kHash).error(), Error::invalid_signature);
  changed = good;
  changed.headers[0].value = "\"forged\"";
  EXPECT_EQ(verify_entry(changed, kHash).error(), Error::invalid_signature);
  changed = good;
  changed.body = std::make_shared<const std::string>("{\"id\":2}");  // body not matching the CID
  EXPECT_EQ(verify_entry(changed, kHash).error(), Error::malformed);
  changed = good;
  const auto other = crypto::Ed25519KeyPair::generate();
  changed.origin = wire::PeerId::from_public_key(other.public_key()).to_string();  // claims another origin
  EXPECT_EQ(verify_entry(changed, kHash).error(), Error::invalid_signature);
  changed = good;
  changed.signature.clear();
  EXPECT_EQ(verify_entry(changed, kHash).error(), Error::invalid_signature);
  changed = good;
  changed.origin = "garbage";
  EXPECT_EQ(verify_entry(changed, kHash).error(), Error::malformed);
}

Announcement entry_announcement() {
  return Announcement{kAnnouncementVersion, 1700000000123,
                      EntryAnnouncement{std::string(64, 'c'), "bafkreiexample", "\"e1\"", 1000,
                                        61000, 9, "12D3KooWorigin"}};
}

TEST(Announcement, RoundTripsEveryKind) {
  const Announcement kinds[] = {
      entry_announcement(),
      Announcement{kAnnouncementVersion, 5, Invalidation{"GET api.github.com/repos/o/r"}},
      Announcement{kAnnouncementVersion, 6, RateLimitNotice{std::string(32, 'd'), 1700000900000, "core"}},
      Announcement{kAnnouncementVersion, 7,
                   sign_member_record(crypto::Ed25519KeyPair::generate(), 1700000000000,
                                      {*wire::Multiaddr::tcp("127.0.0.1", 4001)})},
  };
  for (const auto& a : kinds) {
    const Bytes wire = encode_announcement(a);
    EXPECT_LE(wire.size(), kMaxAnnouncementBytes);
    auto back = decode_announcement(wire);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, a);
    for (std::size_t n = 0; n < wire.size(); ++n) {
      EXPECT_FALSE(decode_announcement(ByteView(wire.data(), n))) << n;
    }
  }
}

TEST(Announcement, RejectsMalformedAndOversized) {
  EXPECT_EQ(decode_announcement(Bytes(kMaxAnnouncementBytes + 1, 0)).error(), Error::too_large);
  // Two bodies.
  Bytes two = encode_announcement(entry_announcement());
  const Bytes inv = encode_announcement(Announcement{1, 5, Invalidation{"GET x"}});
  two.insert(two.end(), inv.begin() + 4, inv.end());  // skip version + sent_at of the second
  EXPECT_FALSE(decode_announcement(two));
  // A body of a kind this version does not know: ignored, not penalised.
  Bytes later_kind = encode_announcement(Announcement{1, 5, Invalidation{"GET x"}});
  later_kind[4] = (9 << 3) | 2;  // the body's field number 4 -> 9
  EXPECT_EQ(decode_announcement(later_kind).error(), Error::unsupported);
  // A newer version is unsupported (ignored, not penalised).
  Bytes newer = encode_announcement(entry_announcement());
  newer[1] = 2;
  EXPECT_EQ(decode_announcement(newer).error(), Error::unsupported);
  // An entry without origin.
  auto a = entry_announcement();
  std::get<EntryAnnouncement>(a.body).origin.clear();
  EXPECT_EQ(decode_announcement(encode_announcement(a)).error(), Error::malformed);
  // A key hash that is not 32 bytes.
  std::get<EntryAnnouncement>(a.body) = EntryAnnouncement{"abcd", "bafk", "", 1, 2, 3, "o"};
  EXPECT_EQ(decode_announcement(encode_announcement(a)).error(), Error::malformed);
}

TEST(CacheProtocol, RequestRoundTripsAndEveryPrefixFails) {
  Request q;
  q.key_hash = std::string(64, 'e');
  q.recipe = graphql_recipe("api.github.com/graphql", "query { viewer { login } }", "{\"a\":1}", "Q");
  q.allow_upstream = true;
  q.forward_hops = kMaxForwardHops;
  const Bytes wire = encode_request(q);
  auto back = decode_request(wire);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, q);
  for (std::size_t n = 0; n < wire.size(); ++n) EXPECT_FALSE(decode_request(ByteView(wire.data(), n))) << n;
  Request r;
  r.key_hash = std::string(64, 'f');
  r.recipe = rest_recipe("api.github.com", "/repos/o/r?per_page=5", "");
  auto rb = decode_request(encode_request(r));
  ASSERT_TRUE(rb);
  EXPECT_EQ(*rb, r);
  EXPECT_EQ(rb->recipe.method, "GET");
}

TEST(CacheProtocol, RecipeKeyMatchesTheGatewaysKey) {
  auto direct = cache::rest_key({.method = "GET", .host = "api.github.com", .target = "repos/o/r"});
  auto via = recipe_key(rest_recipe("api.github.com", "repos/o/r", ""));
  ASSERT_TRUE(direct && via);
  EXPECT_EQ(direct->hash, via->hash);
  auto g1 = cache::graphql_key({.query = "query{viewer{login}}"});
  auto g2 = recipe_key(graphql_recipe("api.github.com/graphql", "query { viewer { login } }", "", ""));
  ASSERT_TRUE(g1 && g2);
  EXPECT_EQ(g1->hash, g2->hash);
  EXPECT_FALSE(recipe_key(rest_recipe("api.github.com", "repos/o/r?access_token=x", "")));
}

TEST(CacheProtocol, RequestLimits) {
  EXPECT_EQ(decode_request(Bytes(kMaxRequestBytes + 1, 0)).error(), Error::too_large);
  Request q;
  q.key_hash = std::string(64, 'e');
  q.recipe = rest_recipe("api.github.com", "x", "");
  q.recipe.method = std::string(cache::kMaxMethodBytes + 1, 'G');
  EXPECT_EQ(decode_request(encode_request(q)).error(), Error::too_large);
  q.recipe.method = "GET";
  q.version = 9;
  EXPECT_EQ(decode_request(encode_request(q)).error(), Error::unsupported);
  q.version = 1;
  // A request claiming more forwards than the hop limit could travel in a loop: refused.
  q.forward_hops = kMaxForwardHops + 1;
  EXPECT_EQ(decode_request(encode_request(q)).error(), Error::malformed);
  q.forward_hops = 0;
  q.key_hash = "00";
  EXPECT_EQ(decode_request(encode_request(q)).error(), Error::malformed);
}

TEST(CacheProtocol, ResponseRoundTripsAndRejectsBadStatus) {
  Response p;
  p.status = ResponseStatus::ok;
  p.meta = cache::encode_meta(sample_entry());
  const Bytes wire = encode_response(p);
  auto back = decode_response(wire);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, ResponseStatus::ok);
  EXPECT_EQ(back->meta, p.meta);
  for (std::size_t n = 0; n < wire.size(); ++n) EXPECT_FALSE(decode_response(ByteView(wire.data(), n))) << n;
  Response pending;
  pending.status = ResponseStatus::pending;
  EXPECT_EQ(decode_response(encode_response(pending))->status, ResponseStatus::pending);
  Response bad;
  bad.status = ResponseStatus::ok;  // ok without meta
  EXPECT_EQ(decode_response(encode_response(bad)).error(), Error::malformed);
  Bytes unknown = encode_response(pending);
  unknown[3] = 9;  // status field value
  EXPECT_EQ(decode_response(unknown).error(), Error::malformed);
  Response long_message;
  long_message.status = ResponseStatus::error;
  long_message.message = std::string(kMaxErrorMessageBytes + 1, 'm');
  EXPECT_EQ(decode_response(encode_response(long_message)).error(), Error::too_large);
}

std::vector<wire::PeerId> members(int n) {
  std::vector<wire::PeerId> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(wire::PeerId::from_public_key(crypto::Ed25519KeyPair::generate().public_key()));
  }
  return out;
}

TEST(Rendezvous, EveryOrderAgreesAndOnlyTheLeaversKeysMove) {
  auto m = members(5);
  std::map<std::string, wire::PeerId> owners;
  std::map<std::string, int> per_owner;
  for (int k = 0; k < 500; ++k) {
    const std::string key = cache::key_hash("key " + std::to_string(k));
    auto owner = owner_of(key, m);
    ASSERT_TRUE(owner);
    auto reversed = m;
    std::reverse(reversed.begin(), reversed.end());
    EXPECT_EQ(*owner_of(key, reversed), *owner);
    EXPECT_EQ(rank_members(key, m).front(), *owner);
    owners.emplace(key, *owner);
    ++per_owner[owner->to_string()];
  }
  // Spread: each of 5 members owns a fair share of 500 keys (expected 100).
  EXPECT_EQ(per_owner.size(), 5u);
  for (const auto& [p, n] : per_owner) EXPECT_GT(n, 50) << p;
  // Member 2 leaves: only its keys change owner.
  const auto leaver = m[2];
  m.erase(m.begin() + 2);
  for (const auto& [key, owner] : owners) {
    const auto now = *owner_of(key, m);
    if (!(owner == leaver)) {
      EXPECT_EQ(now, owner);
    }
  }
  EXPECT_FALSE(owner_of("x", {}));
}

}  // namespace
}  // namespace ipfsa::share
