#include "wire/multiaddr.hpp"

#include <gtest/gtest.h>

#include "wire/cid.hpp"
#include "wire/multihash.hpp"

namespace ipfsa::wire {
namespace {

constexpr std::string_view kQmPeer = "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC";
constexpr std::string_view kEdPeer = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

// Text/binary pairs published with the multiformats multiaddr implementations (go, js, rust,
// cpp test suites); dns4 and the ed25519 /p2p entry follow the README's "Encoding" rules.
struct Vector {
  std::string_view text;
  std::string_view hex;
};
const Vector kVectors[] = {
    {"/ip4/127.0.0.1", "047f000001"},
    {"/ip4/127.0.0.1/tcp/5000", "047f000001061388"},
    {"/ip4/127.0.0.1/udp/1234", "047f000001910204d2"},  // udp is 273 (0x0111) since 2018
    {"/ip4/127.0.0.1/udp/1234/ip4/127.0.0.1/tcp/4321", "047f000001910204d2047f0000010610e1"},
    {"/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095", "29200108a07ac542013ac986fffe317095"},
    {"/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095/tcp/5000",
     "29200108a07ac542013ac986fffe317095061388"},
    {"/ip6/::1/tcp/0",
     "290000000000000000000000000000000106"
     "0000"},
    {"/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
     "a503221220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b"},
    {"/dns4/example.com/tcp/443", "360b6578616d706c652e636f6d0601bb"},
    {"/dnsaddr/bootstrap.libp2p.io", "3813626f6f7473747261702e6c69627032702e696f"},
    {"/udp/65535", "9102ffff"},
};

TEST(Multiaddr, SpecVectors) {
  for (const auto& v : kVectors) {
    SCOPED_TRACE(std::string(v.text));
    auto parsed = Multiaddr::parse(v.text);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(hex_encode(parsed->bytes()), v.hex);
    EXPECT_EQ(parsed->to_string(), v.text);
    auto decoded = Multiaddr::from_bytes(*hex_decode(v.hex));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->to_string(), v.text);
    EXPECT_EQ(*decoded, *parsed);
    EXPECT_EQ(decoded->components(), parsed->components());
  }
}

TEST(Multiaddr, IpfsAliasAndCidPeerIdsPrintAsP2pBase58) {
  const std::string expected = "/ip4/1.2.3.4/tcp/80/p2p/" + std::string(kQmPeer);
  const auto peer = *PeerId::parse(kQmPeer);
  for (const std::string& text : {"/ip4/1.2.3.4/tcp/80/ipfs/" + std::string(kQmPeer),
                                  "/ip4/1.2.3.4/tcp/80/p2p/" + peer.to_cid_string(), expected}) {
    auto ma = Multiaddr::parse(text);
    ASSERT_TRUE(ma) << text;
    EXPECT_EQ(ma->to_string(), expected);
    EXPECT_EQ(ma->peer_id(), peer);
  }
}

TEST(Multiaddr, Ip6TextFormsCanonicalise) {
  EXPECT_EQ(Multiaddr::parse("/ip6/0:0:0:0:0:0:0:1")->to_string(), "/ip6/::1");
  EXPECT_EQ(Multiaddr::parse("/ip6/2001:DB8::0001/udp/1")->to_string(), "/ip6/2001:db8::1/udp/1");
  EXPECT_EQ(Multiaddr::parse("/ip6/::ffff:7f00:1/tcp/111")->to_string(),
            "/ip6/::ffff:127.0.0.1/tcp/111");
  EXPECT_EQ(Multiaddr::parse("/ip6/::ffff:127.0.0.1")->bytes(),
            Multiaddr::parse("/ip6/::ffff:7f00:1")->bytes());
}

TEST(Multiaddr, TrailingSlashRules) {
  EXPECT_EQ(Multiaddr::parse("/ip4/1.2.3.4/tcp/1/")->to_string(), "/ip4/1.2.3.4/tcp/1");
  for (std::string_view bad :
       {"", "/", "//", "ip4/1.2.3.4", "/ip4/1.2.3.4//", "//ip4/1.2.3.4", "/ip4//tcp/1",
        "/ip4/1.2.3.4//tcp/1", "/ip4", "/ip4/", "/tcp", "/ip4/1.2.3.4/tcp", "/ip4/1.2.3.4/tcp/"}) {
    auto r = Multiaddr::parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), Error::malformed) << bad;
  }
}

TEST(Multiaddr, MalformedValues) {
  for (std::string_view bad :
       {"/ip4/::1", "/ip4/256.0.0.1", "/ip4/1.2.3", "/ip4/01.2.3.4", "/ip6/1.2.3.4",
        "/ip6/:::", "/ip6/fe80::1%eth0", "/tcp/65536", "/udp/-1", "/tcp/+80", "/tcp/080", "/tcp/8o",
        "/tcp/123456", "/tcp/ 80", "/p2p/Qm0", "/p2p/12D3KooW", "/ipfs/notapeerid",
        "/p2p/bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"}) {
    EXPECT_FALSE(Multiaddr::parse(bad)) << bad;
  }
  EXPECT_TRUE(Multiaddr::parse("/tcp/0"));
  EXPECT_TRUE(Multiaddr::parse("/tcp/65535"));
}

TEST(Multiaddr, UnknownProtocols) {
  for (std::string_view text :
       {"/quic/1", "/ip5/1.2.3.4", "/ip4/1.2.3.4/sctp/1", "/IP4/1.2.3.4", "/ws/x", "/unix/a"}) {
    auto r = Multiaddr::parse(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error(), Error::unknown_code) << text;
  }
  // Binary: quic (0x01cc) and an unassigned code.
  EXPECT_EQ(Multiaddr::from_bytes(*hex_decode("047f000001cc03")).error(), Error::unknown_code);
  EXPECT_EQ(Multiaddr::from_bytes(*hex_decode("7f")).error(), Error::unknown_code);
}

TEST(Multiaddr, DnsNames) {
  const std::string name(kMaxDnsNameSize, 'a');
  auto ok = Multiaddr::parse("/dns/" + name + "/tcp/1");
  ASSERT_TRUE(ok);
  EXPECT_EQ(Multiaddr::from_bytes(ok->bytes())->to_string(), ok->to_string());
  EXPECT_EQ(Multiaddr::parse("/dns/" + name + "a").error(), Error::too_large);
  // Binary: empty name, a '/' inside, a length above the limit.
  EXPECT_EQ(Multiaddr::from_bytes(*hex_decode("3500")).error(), Error::malformed);
  EXPECT_EQ(Multiaddr::from_bytes(*hex_decode("3503612f62")).error(), Error::malformed);
  Bytes long_name = {0x35};
  append_uvarint(long_name, kMaxDnsNameSize + 1);
  long_name.resize(long_name.size() + kMaxDnsNameSize + 1, 'a');
  EXPECT_EQ(Multiaddr::from_bytes(long_name).error(), Error::too_large);
}

TEST(Multiaddr, BinaryTruncationFailsInsideComponentsOnly) {
  const auto ma = *Multiaddr::parse("/ip6/2001:db8::1/tcp/443/p2p/" + std::string(kEdPeer));
  const Bytes& bytes = ma.bytes();
  // Component boundaries: a cut there is a shorter valid multiaddr; any other cut must fail.
  std::vector<std::size_t> boundaries;
  std::size_t at = 0;
  for (std::size_t i = 0; i < ma.components().size(); ++i) {
    at = Multiaddr::from_components({ma.components().begin(), ma.components().begin() + i + 1})
             .bytes()
             .size();
    boundaries.push_back(at);
  }
  ASSERT_EQ(at, bytes.size());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = Multiaddr::from_bytes(ByteView(bytes).first(n));
    const bool boundary = std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
    EXPECT_EQ(static_cast<bool>(r), boundary) << n;
    if (!r && n > 0) {
      EXPECT_TRUE(r.error() == Error::truncated || r.error() == Error::malformed) << n;
    }
  }
}

TEST(Multiaddr, BinaryMalformed) {
  EXPECT_EQ(Multiaddr::from_bytes({}).error(), Error::malformed);
  // p2p value that is not a peer ID multihash (sha2-256 with a 1-byte digest).
  EXPECT_FALSE(Multiaddr::from_bytes(*hex_decode("a50303120100")));
  // Non-minimal protocol code varint.
  EXPECT_EQ(Multiaddr::from_bytes(*hex_decode("84007f000001")).error(), Error::non_canonical);
  EXPECT_EQ(Multiaddr::from_bytes(Bytes(kMaxMultiaddrSize + 1, 0x04)).error(), Error::too_large);
}

TEST(Multiaddr, ComponentLimit) {
  std::string text;
  for (std::size_t i = 0; i < kMaxMultiaddrComponents; ++i) text += "/tcp/" + std::to_string(i);
  auto at_limit = Multiaddr::parse(text);
  ASSERT_TRUE(at_limit);
  EXPECT_EQ(at_limit->components().size(), kMaxMultiaddrComponents);
  EXPECT_EQ(Multiaddr::parse(text + "/tcp/1").error(), Error::too_large);
  Bytes bytes = at_limit->bytes();
  append(bytes, *hex_decode("060001"));
  EXPECT_EQ(Multiaddr::from_bytes(bytes).error(), Error::too_large);
  EXPECT_EQ(Multiaddr::parse(std::string(kMaxMultiaddrTextSize + 1, '/')).error(),
            Error::too_large);
}

TEST(Multiaddr, BinarySizeLimitInText) {
  // 16 dns components of 255 bytes would be ~4 KiB binary: refused at the 1 KiB bound.
  std::string text;
  for (int i = 0; i < 5; ++i) text += "/dns/" + std::string(kMaxDnsNameSize, 'a');
  EXPECT_EQ(Multiaddr::parse(text).error(), Error::too_large);
}

TEST(Multiaddr, PeerIdHelpers) {
  const auto peer = *PeerId::parse(kEdPeer);
  const auto base = *Multiaddr::parse("/ip4/10.0.0.1/tcp/4001");
  EXPECT_FALSE(base.peer_id());
  const Multiaddr with = base.with_peer_id(peer);
  EXPECT_EQ(with.to_string(), "/ip4/10.0.0.1/tcp/4001/p2p/" + std::string(kEdPeer));
  EXPECT_EQ(with.peer_id(), peer);
  EXPECT_EQ(with.without_peer_id(), base);
  const auto other = *PeerId::parse(kQmPeer);
  EXPECT_EQ(with.with_peer_id(other).to_string(),
            "/ip4/10.0.0.1/tcp/4001/p2p/" + std::string(kQmPeer));
  EXPECT_EQ(base.without_peer_id(), base);
  // from_bytes keeps bytes identical to the re-encoding.
  EXPECT_EQ(Multiaddr::from_bytes(with.bytes())->bytes(), with.bytes());
  // /p2p not at the end is not "the" peer ID.
  EXPECT_FALSE(Multiaddr::parse("/p2p/" + std::string(kQmPeer) + "/tcp/1")->peer_id());
}

TEST(Multiaddr, TcpTarget) {
  auto t = Multiaddr::parse("/ip4/127.0.0.1/tcp/9100")->tcp_target();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TcpTarget::Kind::ip4);
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 9100);
  t = Multiaddr::parse("/ip6/::1/tcp/1/p2p/" + std::string(kEdPeer))->tcp_target();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TcpTarget::Kind::ip6);
  EXPECT_EQ(t->host, "::1");
  t = Multiaddr::parse("/dns6/example.com/tcp/65535")->tcp_target();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TcpTarget::Kind::dns6);
  EXPECT_EQ(t->host, "example.com");
  EXPECT_EQ(t->port, 65535);
  EXPECT_EQ(Multiaddr::parse("/dns/a.b/tcp/1")->tcp_target()->kind, TcpTarget::Kind::dns);
  EXPECT_EQ(Multiaddr::parse("/dns4/a.b/tcp/1")->tcp_target()->kind, TcpTarget::Kind::dns4);
  for (std::string_view no :
       {"/ip4/1.2.3.4/udp/1", "/ip4/1.2.3.4", "/dnsaddr/a.b/tcp/1", "/ip4/1.2.3.4/tcp/1/tcp/2",
        "/tcp/1/ip4/1.2.3.4",
        "/ip4/1.2.3.4/tcp/1/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/tcp/2"}) {
    EXPECT_FALSE(Multiaddr::parse(no)->tcp_target()) << no;
  }
  EXPECT_FALSE(Multiaddr{}.tcp_target());
}

TEST(Multiaddr, TcpFactory) {
  EXPECT_EQ(Multiaddr::tcp("192.168.1.2", 80)->to_string(), "/ip4/192.168.1.2/tcp/80");
  EXPECT_EQ(Multiaddr::tcp("fe80::0:1", 0)->to_string(), "/ip6/fe80::1/tcp/0");
  EXPECT_EQ(Multiaddr::tcp("localhost", 80).error(), Error::malformed);
  EXPECT_EQ(Multiaddr::tcp("1.2.3.4.5", 80).error(), Error::malformed);
}

TEST(Multiaddr, P2pCircuitHasNoValue) {
  // Code 290 (0x0122, uvarint a2 02) and no value: the binary form is the concatenation of the
  // relay's address, a202 and the target's /p2p.
  const std::string relay = "/ip4/127.0.0.1/tcp/4001/p2p/" + std::string(kQmPeer);
  const std::string target = "/p2p/" + std::string(kEdPeer);
  for (const std::string& text : {relay + "/p2p-circuit" + target, relay + "/p2p-circuit"}) {
    SCOPED_TRACE(text);
    auto ma = Multiaddr::parse(text);
    ASSERT_TRUE(ma);
    EXPECT_EQ(ma->to_string(), text);
    auto back = Multiaddr::from_bytes(ma->bytes());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, *ma);
    EXPECT_TRUE(ma->is_relayed());
    EXPECT_FALSE(ma->tcp_target());  // not a direct TCP address
    auto circuit = ma->circuit();
    ASSERT_TRUE(circuit);
    EXPECT_EQ(circuit->relay.to_string(), relay);
  }
  const auto full = *Multiaddr::parse(relay + "/p2p-circuit" + target);
  EXPECT_EQ(hex_encode(full.bytes()), hex_encode(Multiaddr::parse(relay)->bytes()) + "a202" +
                                          hex_encode(Multiaddr::parse(target)->bytes()));
  EXPECT_EQ(full.circuit()->target, *PeerId::parse(kEdPeer));
  EXPECT_EQ(full.peer_id(), *PeerId::parse(kEdPeer));
  EXPECT_FALSE(Multiaddr::parse(relay)->is_relayed());
  // A circuit needs the relay's /p2p right before it, and at most a /p2p after it.
  EXPECT_FALSE(Multiaddr::parse("/ip4/1.2.3.4/tcp/1/p2p-circuit")->circuit());
  EXPECT_FALSE(Multiaddr::parse(relay + "/p2p-circuit/tcp/1")->circuit());
  EXPECT_FALSE(Multiaddr::parse("/p2p-circuit/p2p/" + std::string(kEdPeer))->circuit());
  // "/p2p-circuit/" with a value-like component after it is just the next component's name.
  EXPECT_EQ(Multiaddr::parse(relay + "/p2p-circuit/x").error(), Error::unknown_code);
}

TEST(Multiaddr, EmptyDefault) {
  const Multiaddr empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.to_string(), "");
  EXPECT_TRUE(empty.bytes().empty());
  EXPECT_FALSE(empty.peer_id());
  const auto peer = *PeerId::parse(kEdPeer);
  EXPECT_EQ(empty.with_peer_id(peer).to_string(), "/p2p/" + std::string(kEdPeer));
}

}  // namespace
}  // namespace ipfsa::wire
