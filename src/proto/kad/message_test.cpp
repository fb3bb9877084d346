#include "proto/kad/message.hpp"

#include <gtest/gtest.h>

#include "proto/kad/test_peers.hpp"
#include "wire/length_prefixed.hpp"
#include "wire/protobuf.hpp"

namespace ipfsa::proto::kad {
namespace {

using testing::hex;
using testing::id;
using testing::kAddr1;
using testing::kAddr2;
using testing::kAddr3;
using testing::kPeerA;
using testing::kPeerB;
using testing::kPeerC;
using testing::kProviderKey;

// The vectors below were encoded by js-libp2p @libp2p/kad-dht@16.4.5's codec (message/dht.js,
// protons-runtime@5.6.0), from the peers and addresses in test_peers.hpp.
const Bytes kJsFindNodeRequest =
    hex("08041226002408011220ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1");
const Bytes kJsFindNodeResponse =
    hex("0804423f0a260024080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c12"
        "08047f000001060fa1120b040a00000291020fa1cd03423e0a260024080112208139770ea87d175f56a35466c3"
        "4c7ecccb8d8a91b4ee37a25df60f5b8fc9b39412142900000000000000000000000000000001060fa2");
const Bytes kJsGetProvidersRequest =
    hex("080312221220bf9466e0bdb8dc4264b9c694aad67addd1625cfbafe7a1757b191bbfe3f80492");
const Bytes kJsGetProvidersResponse =
    hex("080312221220bf9466e0bdb8dc4264b9c694aad67addd1625cfbafe7a1757b191bbfe3f80492423e0a26002408"
        "0112208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b39412142900000000000000"
        "000000000000000001060fa24a320a260024080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d9412"
        "1bf3748801b40f6f5c1208047f000001060fa1");
const Bytes kJsAddProviderRequest =
    hex("080212221220bf9466e0bdb8dc4264b9c694aad67addd1625cfbafe7a1757b191bbfe3f804924a3f0a26002408"
        "0112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c1208047f000001060fa1"
        "120b040a00000291020fa1cd03");
// PING with clusterLevel 0.
const Bytes kJsPing = hex("08055000");
// FIND_NODE, clusterLevel -1, key 0102, one closer peer (A, no addrs, connection CONNECTED).
const Bytes kJsClusterAndConnection =
    hex("080450ffffffffffffffffff0112020102422a0a260024080112208a88e3dd7409f195fd52db2d3cba5d72ca67"
        "09bf1d94121bf3748801b40f6f5c1801");
// PUT_VALUE (type omitted) of Record{key "/pk/x", value 090807, timeReceived 2026-01-02...}.
const Bytes kJsPutValue =
    hex("12052f706b2f781a260a052f706b2f7812030908072a18323032362d30312d30325430333a30343a30352e3030"
        "305a");

Message decoded(const Bytes& body) {
  auto m = decode(body);
  EXPECT_TRUE(m) << m.error().message();
  return m ? *m : Message{};
}

// A message body of `count` peers in field `field_number`, each from `make(i)`.
template <class Make>
Bytes peers_field(std::uint32_t field_number, std::size_t count, Make make) {
  Message m;
  for (std::size_t i = 0; i < count; ++i) {
    (field_number == 8 ? m.closer_peers : m.provider_peers).push_back(make(i));
  }
  return encode(m);
}

Peer plain_peer(std::size_t i) {
  return Peer{testing::peer(static_cast<std::uint32_t>(i)), {testing::tcp_addr(4001)}, {}};
}

TEST(KadMessage, DecodesJsFindNodeRequest) {
  Message m = decoded(kJsFindNodeRequest);
  EXPECT_EQ(m.type, MessageType::find_node);
  EXPECT_EQ(m.key, kPeerC);
  EXPECT_TRUE(m.closer_peers.empty());
  EXPECT_FALSE(m.cluster_level);
  EXPECT_EQ(encode(make_request(MessageType::find_node, kPeerC)), kJsFindNodeRequest);
}

TEST(KadMessage, DecodesJsFindNodeResponseWithTwoPeers) {
  Message m = decoded(kJsFindNodeResponse);
  EXPECT_EQ(m.type, MessageType::find_node);
  EXPECT_TRUE(m.key.empty());
  ASSERT_EQ(m.closer_peers.size(), 2u);
  EXPECT_EQ(m.closer_peers[0].id, id(kPeerA));
  EXPECT_EQ(m.closer_peers[0].id.to_base58(),
            "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5");
  EXPECT_EQ(m.closer_peers[0].addrs, (std::vector<Bytes>{kAddr1, kAddr2}));
  EXPECT_FALSE(m.closer_peers[0].connection);
  EXPECT_EQ(m.closer_peers[1].id, id(kPeerB));
  EXPECT_EQ(m.closer_peers[1].addrs, (std::vector<Bytes>{kAddr3}));
  EXPECT_EQ(m.dropped_peers, 0u);

  Message ours;
  ours.type = MessageType::find_node;
  ours.closer_peers = {Peer{id(kPeerA), {kAddr1, kAddr2}, {}}, Peer{id(kPeerB), {kAddr3}, {}}};
  EXPECT_EQ(encode(ours), kJsFindNodeResponse);
}

TEST(KadMessage, ParseAddrsSkipsWhatMultiaddrDoesNotSpeak) {
  Message m = decoded(kJsFindNodeResponse);
  auto addrs = parse_addrs(m.closer_peers[0].addrs);  // /quic-v1 is left out
  ASSERT_EQ(addrs.size(), 1u);
  EXPECT_EQ(addrs[0].to_string(), "/ip4/127.0.0.1/tcp/4001");
  auto v6 = parse_addrs(m.closer_peers[1].addrs);
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].to_string(), "/ip6/::1/tcp/4002");
  EXPECT_TRUE(parse_addrs(std::vector<Bytes>{hex("ff"), Bytes{}}).empty());
}

TEST(KadMessage, DecodesJsGetProviders) {
  Message request = decoded(kJsGetProvidersRequest);
  EXPECT_EQ(request.type, MessageType::get_providers);
  EXPECT_EQ(request.key, kProviderKey);
  EXPECT_EQ(encode(make_request(MessageType::get_providers, kProviderKey)), kJsGetProvidersRequest);

  Message m = decoded(kJsGetProvidersResponse);
  EXPECT_EQ(m.type, MessageType::get_providers);
  EXPECT_EQ(m.key, kProviderKey);
  ASSERT_EQ(m.closer_peers.size(), 1u);
  EXPECT_EQ(m.closer_peers[0].id, id(kPeerB));
  ASSERT_EQ(m.provider_peers.size(), 1u);
  EXPECT_EQ(m.provider_peers[0].id, id(kPeerA));
  EXPECT_EQ(m.provider_peers[0].addrs, (std::vector<Bytes>{kAddr1}));

  Message ours = make_request(MessageType::get_providers, kProviderKey);
  ours.closer_peers = {Peer{id(kPeerB), {kAddr3}, {}}};
  ours.provider_peers = {Peer{id(kPeerA), {kAddr1}, {}}};
  EXPECT_EQ(encode(ours), kJsGetProvidersResponse);
}

TEST(KadMessage, DecodesJsAddProvider) {
  Message m = decoded(kJsAddProviderRequest);
  EXPECT_EQ(m.type, MessageType::add_provider);
  EXPECT_EQ(m.key, kProviderKey);
  EXPECT_TRUE(m.closer_peers.empty());
  ASSERT_EQ(m.provider_peers.size(), 1u);
  EXPECT_EQ(m.provider_peers[0].id, id(kPeerA));
  EXPECT_EQ(m.provider_peers[0].addrs, (std::vector<Bytes>{kAddr1, kAddr2}));

  Message ours = make_request(MessageType::add_provider, kProviderKey);
  ours.provider_peers = {Peer{id(kPeerA), {kAddr1, kAddr2}, {}}};
  EXPECT_EQ(encode(ours), kJsAddProviderRequest);
}

TEST(KadMessage, ClusterLevelAndConnectionAsJsWritesThem) {
  Message ping = decoded(kJsPing);
  EXPECT_EQ(ping.type, MessageType::ping);
  EXPECT_EQ(ping.cluster_level, 0);
  EXPECT_EQ(encode(ping), kJsPing);

  Message m = decoded(kJsClusterAndConnection);
  EXPECT_EQ(m.cluster_level, -1);
  EXPECT_EQ(m.key, hex("0102"));
  ASSERT_EQ(m.closer_peers.size(), 1u);
  EXPECT_EQ(m.closer_peers[0].connection, ConnectionType::connected);
  EXPECT_TRUE(m.closer_peers[0].addrs.empty());
  EXPECT_EQ(encode(m), kJsClusterAndConnection);
}

TEST(KadMessage, DecodesJsPutValueRecord) {
  Message m = decoded(kJsPutValue);
  EXPECT_EQ(m.type, MessageType::put_value);  // 0: absent on the wire
  EXPECT_EQ(m.key, to_bytes("/pk/x"));
  ASSERT_TRUE(m.record);
  EXPECT_EQ(m.record->key, to_bytes("/pk/x"));
  EXPECT_EQ(m.record->value, hex("090807"));
  EXPECT_EQ(m.record->time_received, "2026-01-02T03:04:05.000Z");
  EXPECT_EQ(encode(m), kJsPutValue);
}

TEST(KadMessage, FrameIsLengthPrefixed) {
  Message m = decoded(kJsFindNodeResponse);
  Bytes framed = frame(m);
  wire::LengthPrefixedReader reader(kMaxMessageSize);
  ByteView in = framed;
  auto body = reader.read(in);
  ASSERT_TRUE(body && *body);
  EXPECT_EQ(**body, kJsFindNodeResponse);
  EXPECT_TRUE(in.empty());
}

TEST(KadMessage, RoundTripsEveryField) {
  Message m;
  m.type = MessageType::get_value;
  m.cluster_level = 7;
  m.key = to_bytes("/ipns/key");
  m.record = Record{to_bytes("k"), to_bytes("v"), "2026-12-07T00:00:00Z"};
  m.closer_peers = {Peer{testing::peer(1), {kAddr1}, ConnectionType::can_connect},
                    Peer{testing::peer(2), {}, ConnectionType::cannot_connect}};
  m.provider_peers = {Peer{testing::peer(3), {kAddr2, kAddr3}, ConnectionType::not_connected}};
  EXPECT_EQ(decoded(encode(m)), m);
  for (auto type : {MessageType::put_value, MessageType::get_value, MessageType::add_provider,
                    MessageType::get_providers, MessageType::find_node, MessageType::ping}) {
    m.type = type;
    EXPECT_EQ(decoded(encode(m)).type, type);
  }
}

TEST(KadMessage, InvalidPeerIdsAreDroppedNotFatal) {
  wire::pb::Writer bad_key;  // identity multihash whose digest is not a PublicKey
  bad_key.bytes(1, hex("0003010203"));
  bad_key.bytes(2, kAddr1);
  wire::pb::Writer no_id;
  no_id.bytes(2, kAddr1);
  wire::pb::Writer too_long;  // above wire::kMaxPeerIdSize
  too_long.bytes(1, Bytes(wire::kMaxPeerIdSize + 1, 0x12));
  wire::pb::Writer body;
  body.varint(1, 4);
  body.bytes(8, bad_key.data());
  body.bytes(8, no_id.data());
  body.bytes(8, Bytes{});  // a peer with no fields at all
  body.bytes(9, too_long.data());
  Bytes good;
  {
    Message one;
    one.closer_peers = {plain_peer(1)};
    good = encode(one);
  }
  Bytes all = std::move(body).take();
  append(all, good);
  Message m = decoded(all);
  ASSERT_EQ(m.closer_peers.size(), 1u);
  EXPECT_EQ(m.closer_peers[0], plain_peer(1));
  EXPECT_TRUE(m.provider_peers.empty());
  EXPECT_EQ(m.dropped_peers, 4u);  // bad key, no id, the empty peer, too long
}

TEST(KadMessage, MessageSizeBound) {
  EXPECT_EQ(decode(Bytes(kMaxMessageSize + 1, 0)).error(), Error::too_large);
  // A body of exactly the bound: one unknown bytes field filling it.
  wire::pb::Writer w;
  w.bytes(15, Bytes(kMaxMessageSize - 4, 0xaa));  // tag 1 byte, length 3 bytes
  ASSERT_EQ(w.data().size(), kMaxMessageSize);
  EXPECT_TRUE(decode(w.data()));
}

TEST(KadMessage, KeySizeBound) {
  EXPECT_TRUE(decode(encode(make_request(MessageType::find_node, Bytes(kMaxKeySize, 1)))));
  EXPECT_EQ(decode(encode(make_request(MessageType::find_node, Bytes(kMaxKeySize + 1, 1)))).error(),
            Error::too_large);
  Message m;
  m.record = Record{Bytes(kMaxKeySize + 1, 1), {}, {}};
  EXPECT_EQ(decode(encode(m)).error(), Error::too_large);
}

TEST(KadMessage, CloserPeersBound) {
  auto ok = decode(peers_field(8, kMaxCloserPeers, plain_peer));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->closer_peers.size(), kMaxCloserPeers);
  EXPECT_EQ(decode(peers_field(8, kMaxCloserPeers + 1, plain_peer)).error(), Error::limit_exceeded);
}

TEST(KadMessage, ProviderPeersBeyondTheBoundAreDropped) {
  auto m = decode(peers_field(9, kMaxProviderPeers + 3, plain_peer));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->provider_peers.size(), kMaxProviderPeers);
  EXPECT_EQ(m->provider_peers.back(), plain_peer(kMaxProviderPeers - 1));  // the first ones kept
  EXPECT_EQ(m->dropped_peers, 3u);
}

TEST(KadMessage, AddrsPerPeerAndAddrSizeBounds) {
  auto with_addrs = [](std::size_t count, std::size_t size) {
    return [=](std::size_t i) {
      Peer p = plain_peer(i);
      p.addrs.assign(count, Bytes(size, 0x04));
      return p;
    };
  };
  EXPECT_TRUE(decode(peers_field(8, 1, with_addrs(kMaxAddrsPerPeer, 8))));
  EXPECT_EQ(decode(peers_field(8, 1, with_addrs(kMaxAddrsPerPeer + 1, 8))).error(),
            Error::limit_exceeded);
  EXPECT_TRUE(decode(peers_field(9, 1, with_addrs(1, kMaxAddrSize))));
  EXPECT_EQ(decode(peers_field(9, 1, with_addrs(1, kMaxAddrSize + 1))).error(), Error::too_large);
}

TEST(KadMessage, RecordBounds) {
  Message m;
  m.record = Record{{}, Bytes(kMaxRecordValueSize, 1), std::string(kMaxTimeReceivedSize, 'x')};
  EXPECT_TRUE(decode(encode(m)));
  m.record->value.push_back(1);
  EXPECT_EQ(decode(encode(m)).error(), Error::too_large);
  m.record->value.pop_back();
  m.record->time_received.push_back('x');
  EXPECT_EQ(decode(encode(m)).error(), Error::too_large);
}

TEST(KadMessage, MalformedInputs) {
  EXPECT_EQ(decode(hex("0806")).error(), Error::unsupported);    // MessageType 6
  EXPECT_EQ(decode(hex("0a0100")).error(), Error::malformed);    // type as bytes
  EXPECT_EQ(decode(hex("1001")).error(), Error::malformed);      // key as varint
  EXPECT_EQ(decode(hex("4201")).error(), Error::truncated);      // closer peer cut short
  EXPECT_EQ(decode(hex("42020801")).error(), Error::malformed);  // peer id as varint
  EXPECT_EQ(decode(hex("1a021001")).error(), Error::malformed);  // record key as varint
  EXPECT_EQ(decode(hex("0b")).error(), Error::malformed);        // group wire type
  // Unknown fields of every wire type are skipped; the empty message is PUT_VALUE.
  auto m =
      decode(hex("7801"
                 "79"
                 "0000000000000000"
                 "7d"
                 "00000000"
                 "7a0100"));
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, Message{});
}

TEST(KadMessage, UnknownConnectionTypeReadsAsAbsent) {
  // A peer with connection = 9, by hand.
  wire::pb::Writer peer;
  peer.bytes(1, plain_peer(1).id.bytes());
  peer.varint(3, 9);
  wire::pb::Writer w;
  w.bytes(8, peer.data());
  auto d = decode(w.data());
  ASSERT_TRUE(d);
  ASSERT_EQ(d->closer_peers.size(), 1u);
  EXPECT_FALSE(d->closer_peers[0].connection);
}

TEST(KadMessage, BoundedAddrs) {
  std::vector<Bytes> in = {kAddr1, {}, kAddr1, Bytes(kMaxStoredAddrSize + 1, 4), kAddr2};
  EXPECT_EQ(bounded_addrs(in), (std::vector<Bytes>{kAddr1, kAddr2}));
  std::vector<Bytes> many;
  for (std::uint16_t i = 0; i < 20; ++i) many.push_back(testing::tcp_addr(i));
  auto kept = bounded_addrs(many);
  ASSERT_EQ(kept.size(), kMaxStoredAddrs);
  EXPECT_EQ(kept.front(), many.front());
}

}  // namespace
}  // namespace ipfsa::proto::kad
