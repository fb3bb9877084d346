#include "proto/identify/peer_info.hpp"

#include <gtest/gtest.h>

namespace ipfsa::proto::identify {
namespace {

Bytes hex(std::string_view h) { return *hex_decode(h); }

// RFC 8032 section 7.1, tests 1 and 2: valid Ed25519 public keys.
const crypto::PublicKey kKey{
    crypto::KeyType::ed25519,
    hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")};
const crypto::PublicKey kOtherKey{
    crypto::KeyType::ed25519,
    hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")};

const wire::PeerId kRemote = wire::PeerId::from_public_key(kKey);
const wire::PeerId kOther = wire::PeerId::from_public_key(kOtherKey);

wire::Multiaddr addr(std::string_view text) { return *wire::Multiaddr::parse(text); }

Identify message_from_remote() {
  Identify m;
  m.protocol_version = "ipfs/0.1.0";
  m.agent_version = "libp2p/3.3.11";
  m.public_key = crypto::encode_public_key(kKey);
  m.listen_addrs = {addr("/ip4/127.0.0.1/tcp/4001").bytes(), addr("/ip6/::1/tcp/4001").bytes()};
  m.observed_addr = addr("/ip4/192.168.1.5/tcp/53422").bytes();
  m.protocols = {"/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"};
  return m;
}

TEST(IdentifyInterpret, AcceptsTheRemotesOwnKey) {
  auto info = interpret(message_from_remote(), kRemote, Exchange::identify);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->public_key, kKey);
  ASSERT_EQ(info->listen_addrs.size(), 2u);
  EXPECT_EQ(info->listen_addrs[0].to_string(), "/ip4/127.0.0.1/tcp/4001");
  EXPECT_EQ(info->listen_addrs[1].to_string(), "/ip6/::1/tcp/4001");
  EXPECT_EQ(info->dropped_listen_addrs, 0u);
  ASSERT_TRUE(info->observed_addr);
  EXPECT_EQ(info->observed_addr->to_string(), "/ip4/192.168.1.5/tcp/53422");
  EXPECT_EQ(info->protocols, message_from_remote().protocols);
  EXPECT_EQ(info->agent_version, "libp2p/3.3.11");
  EXPECT_EQ(info->protocol_version, "ipfs/0.1.0");
}

TEST(IdentifyInterpret, AnotherPeersKeyIsAMismatch) {
  auto info = interpret(message_from_remote(), kOther, Exchange::identify);
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error(), Error::peer_id_mismatch);
  EXPECT_EQ(interpret(message_from_remote(), kOther, Exchange::push).error(),
            Error::peer_id_mismatch);
}

TEST(IdentifyInterpret, KeyRequiredForIdentifyOptionalForPush) {
  Identify m = message_from_remote();
  m.public_key.reset();
  EXPECT_EQ(interpret(m, kRemote, Exchange::identify).error(), Error::protocol_violation);
  auto pushed = interpret(m, kRemote, Exchange::push);
  ASSERT_TRUE(pushed);
  EXPECT_FALSE(pushed->public_key);
  EXPECT_EQ(pushed->listen_addrs.size(), 2u);
}

TEST(IdentifyInterpret, UndecodableKeyIsAnError) {
  Identify m = message_from_remote();
  m.public_key = hex("0801");  // Data missing
  EXPECT_FALSE(interpret(m, kRemote, Exchange::identify));
  m.public_key = hex("08011202aabb");  // a 2-byte Ed25519 key
  EXPECT_FALSE(interpret(m, kRemote, Exchange::identify));
}

TEST(IdentifyInterpret, UnusableAddressesAreDropped) {
  Identify m = message_from_remote();
  m.listen_addrs.push_back({});             // empty
  m.listen_addrs.push_back(hex("ffff"));    // unknown code / junk
  m.listen_addrs.push_back(hex("047f00"));  // truncated ip4
  m.listen_addrs.push_back(addr("/ip4/10.0.0.1/tcp/1").with_peer_id(kOther).bytes());
  m.listen_addrs.push_back(addr("/ip4/10.0.0.2/tcp/2").with_peer_id(kRemote).bytes());
  m.observed_addr = hex("ffff");
  auto info = interpret(m, kRemote, Exchange::identify);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->dropped_listen_addrs, 4u);
  ASSERT_EQ(info->listen_addrs.size(), 3u);
  EXPECT_EQ(info->listen_addrs[2].peer_id(), kRemote);
  EXPECT_FALSE(info->observed_addr);
}

TEST(IdentifyDescribe, RoundTripsThroughTheWire) {
  PeerInfo self;
  self.protocol_version = std::string(kDefaultProtocolVersion);
  self.agent_version = "ipfs-accelerate/0.1.0";
  self.public_key = kKey;
  self.listen_addrs = {addr("/ip4/0.0.0.0/tcp/4001").with_peer_id(kRemote)};
  self.protocols = {std::string(kProtocolId), std::string(kPushProtocolId)};
  const auto observed = addr("/ip4/1.2.3.4/tcp/5");
  const Identify m = describe(self, observed);
  EXPECT_EQ(m.public_key, crypto::encode_public_key(kKey));
  // /p2p is stripped from what we advertise.
  ASSERT_EQ(m.listen_addrs.size(), 1u);
  EXPECT_EQ(m.listen_addrs[0], addr("/ip4/0.0.0.0/tcp/4001").bytes());
  EXPECT_EQ(m.observed_addr, observed.bytes());

  auto decoded = decode(encode(m));
  ASSERT_TRUE(decoded);
  auto info = interpret(*decoded, kRemote, Exchange::identify);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->public_key, kKey);
  EXPECT_EQ(info->listen_addrs, std::vector<wire::Multiaddr>{addr("/ip4/0.0.0.0/tcp/4001")});
  EXPECT_EQ(info->observed_addr, observed);
  EXPECT_EQ(info->protocols, self.protocols);
  EXPECT_EQ(info->agent_version, self.agent_version);
}

TEST(IdentifyDescribe, NoObservedAddress) {
  PeerInfo self;
  EXPECT_FALSE(describe(self, std::nullopt).observed_addr);
  EXPECT_TRUE(encode(describe(self, std::nullopt)).empty());
}

}  // namespace
}  // namespace ipfsa::proto::identify
