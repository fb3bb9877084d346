#include "proto/mdns/discovery.hpp"

#include <gtest/gtest.h>

#include "proto/mdns/test_vectors.hpp"

namespace ipfsa::proto::mdns {
namespace {

Bytes H(std::string_view hex) { return *hex_decode(hex); }
wire::PeerId id(std::string_view text) { return *wire::PeerId::parse(text); }
wire::Multiaddr ma(std::string_view text) { return *wire::Multiaddr::parse(text); }

const wire::PeerId kSelf = id("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
const wire::PeerId kJs = id(testing::kJsPeerId);
const std::string kName(kPeerNameLength, 'p');

TEST(MdnsDiscovery, QueryIsWhatJsSends) { EXPECT_EQ(build_query(), H(testing::kJsQueryHex)); }

TEST(MdnsDiscovery, MatchesServiceQueries) {
  auto js = decode(H(testing::kJsQueryHex));
  ASSERT_TRUE(js);
  auto match = match_service_query(*js);
  ASSERT_TRUE(match);
  EXPECT_FALSE(match->unicast);

  Message m;
  m.questions.push_back({"_services._dns-sd._udp.local", type::kPtr, kClassIn, false});
  EXPECT_FALSE(match_service_query(m));
  m.questions.push_back({"_P2P._udp.local", type::kAny, kClassAny, true});  // QU, ANY, case
  ASSERT_TRUE(match_service_query(m));
  EXPECT_TRUE(match_service_query(m)->unicast);
  m.questions[1].type = type::kA;
  EXPECT_FALSE(match_service_query(m));
  m.questions[1].type = type::kPtr;
  m.questions[1].qclass = 3;  // CHAOS
  EXPECT_FALSE(match_service_query(m));
  m.questions[1].qclass = kClassIn;
  m.flags = flag::kResponse;  // responses are never queries
  EXPECT_FALSE(match_service_query(m));
}

TEST(MdnsDiscovery, ParsesJsResponse) {
  auto m = decode(H(testing::kJsResponseHex));
  ASSERT_TRUE(m);
  auto peers = parse_response(*m, kSelf);
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].id, kJs);
  ASSERT_EQ(peers[0].addrs.size(), 1u);
  EXPECT_EQ(peers[0].addrs[0].to_string(), testing::kJsPeerAddr);
  // The js peer hears its own response too: as `self`, it learns nothing.
  EXPECT_TRUE(parse_response(*m, kJs).empty());
}

TEST(MdnsDiscovery, ResponseLayoutAndRoundTrip) {
  const std::vector<wire::Multiaddr> addrs = {
      ma("/ip4/192.168.1.5/tcp/4001"),
      ma("/ip6/fe80::1/tcp/4001"),
      ma("/ip4/10.0.0.1/tcp/4001/p2p/" + kSelf.to_string()),  // kept
      ma("/ip4/10.0.0.2/tcp/4001/p2p/" + kJs.to_string()),    // skipped
      ma("/ip4/192.168.1.5/tcp/4001"),                        // duplicate
      ma("/dns4/" + std::string(230, 'd') + "/tcp/1")};       // > 255
  auto bytes = build_response(kName, kSelf, addrs);
  ASSERT_TRUE(bytes) << bytes.error().message();
  auto m = decode(*bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->flags, flag::kResponse | flag::kAuthoritative);
  ASSERT_EQ(m->answers.size(), 1u);
  EXPECT_EQ(m->answers[0].name, kServiceName);
  EXPECT_EQ(m->answers[0].ttl, kRecordTtlSeconds);
  const std::string instance = kName + "._p2p._udp.local";
  EXPECT_EQ(std::get<PtrData>(m->answers[0].data).target, instance);
  // TXT, then SRV and one A/AAAA per distinct IP (for DNS-SD resolvers such as go-libp2p's).
  ASSERT_EQ(m->additionals.size(), 5u);
  EXPECT_EQ(m->additionals[0].name, instance);
  EXPECT_EQ(m->additionals[1].name, instance);
  EXPECT_EQ(std::get<SrvData>(m->additionals[1].data), (SrvData{0, 0, 4001, kName + ".local"}));
  EXPECT_EQ(m->additionals[2].name, kName + ".local");
  EXPECT_EQ(std::get<AData>(m->additionals[2].data).address,
            (std::array<std::uint8_t, 4>{192, 168, 1, 5}));
  EXPECT_EQ(std::get<AaaaData>(m->additionals[3].data).address[0], 0xfe);
  EXPECT_EQ(std::get<AData>(m->additionals[4].data).address,
            (std::array<std::uint8_t, 4>{10, 0, 0, 1}));
  const auto& strings = std::get<TxtData>(m->additionals[0].data).strings;
  ASSERT_EQ(strings.size(), 3u);
  EXPECT_EQ(to_string(strings[0]), "dnsaddr=/ip4/192.168.1.5/tcp/4001/p2p/" + kSelf.to_string());
  EXPECT_EQ(to_string(strings[1]), "dnsaddr=/ip6/fe80::1/tcp/4001/p2p/" + kSelf.to_string());

  auto peers = parse_response(*m, kJs);
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].id, kSelf);
  EXPECT_EQ(peers[0].addrs,
            (std::vector<wire::Multiaddr>{addrs[0], addrs[1], addrs[2].without_peer_id()}));
  EXPECT_TRUE(parse_response(*m, kSelf).empty());
  for (std::size_t n = 0; n < bytes->size(); ++n) {
    EXPECT_EQ(decode(ByteView(*bytes).first(n)).error(), Error::truncated) << n;
  }
}

TEST(MdnsDiscovery, LegacyResponseEchoesTheQuery) {
  Message query;
  query.id = 0x4242;
  query.questions.push_back({"other.local", type::kA, kClassIn, false});
  query.questions.push_back({"_p2p._udp.local", type::kPtr, kClassIn, true});
  const std::vector<wire::Multiaddr> addrs = {ma("/ip4/192.168.1.5/tcp/4001")};
  auto bytes = build_legacy_response(query, kName, kSelf, addrs);
  ASSERT_TRUE(bytes) << bytes.error().message();
  auto m = decode(*bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->id, 0x4242);
  EXPECT_EQ(m->questions,
            (std::vector<Question>{{"_p2p._udp.local", type::kPtr, kClassIn, false}}));
  ASSERT_EQ(m->additionals.size(), 3u);  // TXT, SRV, A
  for (const auto* section : {&m->answers, &m->additionals}) {
    for (const auto& r : *section) EXPECT_EQ(r.ttl, kLegacyTtlSeconds);
  }
  EXPECT_EQ(parse_response(*m, kJs).at(0).id, kSelf);
  query.questions.pop_back();
  EXPECT_EQ(build_legacy_response(query, kName, kSelf, addrs).error(), Error::invalid_state);
}

TEST(MdnsDiscovery, ResponseNeedsAnAddress) {
  EXPECT_EQ(build_response(kName, kSelf, {}).error(), Error::invalid_state);
  const std::vector<wire::Multiaddr> other = {ma("/ip4/1.2.3.4/tcp/1/p2p/" + kJs.to_string())};
  EXPECT_EQ(build_response(kName, kSelf, other).error(), Error::invalid_state);
  const std::vector<wire::Multiaddr> one = {ma("/ip4/1.2.3.4/tcp/1")};
  EXPECT_EQ(build_response(std::string(64, 'p'), kSelf, one).error(), Error::malformed);
}

TEST(MdnsDiscovery, AnnouncesAtMostTheLimit) {
  std::vector<wire::Multiaddr> addrs;
  for (int port = 1; port <= 40; ++port) {
    addrs.push_back(*wire::Multiaddr::tcp("::1", static_cast<std::uint16_t>(port)));
  }
  auto bytes = build_response(kName, kSelf, addrs);
  ASSERT_TRUE(bytes);
  EXPECT_LE(bytes->size(), kMaxMdnsPacketBytes);
  auto m = decode(*bytes);
  EXPECT_EQ(std::get<TxtData>(m->additionals[0].data).strings.size(), kMaxAddrsPerPeer);
  EXPECT_EQ(parse_response(*m, kJs).at(0).addrs.size(), kMaxAddrsPerPeer);
  EXPECT_EQ(m->additionals.size(), 3u);  // TXT, SRV, one AAAA for ::1
}

TEST(MdnsDiscovery, HostRecordsAreBoundedAndGiveWayToTheTxt) {
  std::vector<wire::Multiaddr> addrs;
  for (int i = 1; i <= 40; ++i) {
    addrs.push_back(*wire::Multiaddr::tcp("10.0.0." + std::to_string(i), 1));
  }
  auto m = decode(*build_response(kName, kSelf, addrs));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->additionals.size(), 2 + kMaxHostAddressRecords);
  // Longest label, 32 addresses whose strings fill 255 bytes: no room for SRV/A, TXT intact.
  const std::string name63(63, 'n');
  addrs.clear();
  const std::string suffix = "/p2p/" + kSelf.to_string();
  for (int i = 0; i < 40; ++i) {
    std::string host(
        255 - std::string("dnsaddr=/ip4/1.2.3.4/tcp/1/dns4/.x").size() - suffix.size() - 2, 'h');
    auto ma = wire::Multiaddr::parse("/ip4/1.2.3." + std::to_string(i) + "/tcp/1/dns4/" + host +
                                     std::to_string(i % 10) + ".x");
    ASSERT_TRUE(ma) << i;
    addrs.push_back(*ma);
  }
  auto bytes = build_response(name63, kSelf, addrs);
  ASSERT_TRUE(bytes) << bytes.error().message();
  auto big = decode(*bytes);
  ASSERT_TRUE(big);
  ASSERT_EQ(big->additionals.size(), 1u);
  EXPECT_EQ(std::get<TxtData>(big->additionals[0].data).strings.size(), kMaxAddrsPerPeer);
}

Record ptr(std::string target) {
  return {std::string(kServiceName), type::kPtr, kClassIn, false, 120, PtrData{std::move(target)}};
}
Record txt(std::string name, std::vector<std::string> strings) {
  TxtData data;
  for (auto& s : strings) data.strings.push_back(to_bytes(s));
  return {std::move(name), type::kTxt, kClassIn, false, 120, std::move(data)};
}

TEST(MdnsDiscovery, ParseSkipsWhatIsNotAPeerAddress) {
  const std::string js = "/p2p/" + kJs.to_string();
  Message m;
  m.flags = flag::kResponse;
  m.answers.push_back(ptr("a._p2p._udp.local"));
  m.additionals.push_back(txt("A._P2P._udp.local",  // names compare case-insensitively
                              {"other=1", "dnsaddr=/ip4/1.1.1.1/tcp/1",  // no /p2p/
                               "dnsaddr=garbage", "dnsaddr=/ip4/1.1.1.1/tcp/2" + js,
                               "dnsaddr=/ip4/1.1.1.1/tcp/3/p2p/" + kSelf.to_string(),  // mismatch
                               "dnsaddr=/ip4/1.1.1.1/tcp/2" + js}));                   // duplicate
  m.additionals.push_back(txt("b._p2p._udp.local", {"dnsaddr=/ip4/9.9.9.9/tcp/9" + js}));
  auto peers = parse_response(m, kSelf);
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].id, kJs);
  EXPECT_EQ(peers[0].addrs, std::vector<wire::Multiaddr>{ma("/ip4/1.1.1.1/tcp/2")});

  m.answers[0].ttl = 0;  // a goodbye
  EXPECT_TRUE(parse_response(m, kSelf).empty());
  m.answers[0] = ptr("c._p2p._udp.local");  // a PTR whose target has no TXT
  EXPECT_TRUE(parse_response(m, kSelf).empty());
  m.answers[0] = ptr("b._p2p._udp.local");
  m.answers[0].name = "_other._udp.local";  // another service
  EXPECT_TRUE(parse_response(m, kSelf).empty());
  m.answers[0] = ptr("b._p2p._udp.local");
  m.flags = 0;  // a query carrying records
  EXPECT_TRUE(parse_response(m, kSelf).empty());
}

TEST(MdnsDiscovery, ParseBoundsPeersPerResponse) {
  Message m;
  m.flags = flag::kResponse;
  const std::string js = "/p2p/" + kJs.to_string();
  // Distinct instances, all naming the same peer: reported once.
  for (int i = 0; i < 3; ++i) {
    const std::string instance = "i" + std::to_string(i) + "._p2p._udp.local";
    m.answers.push_back(ptr(instance));
    m.answers.push_back(txt(instance, {"dnsaddr=/ip4/1.1.1.1/tcp/2" + js}));
  }
  EXPECT_EQ(parse_response(m, kSelf).size(), 1u);
  // Many peers: at most kMaxPeersPerResponse.
  m.answers.clear();
  for (std::size_t i = 0; i < kMaxPeersPerResponse + 2; ++i) {
    std::array<std::uint8_t, 32> seed{};
    seed[0] = static_cast<std::uint8_t>(i + 1);
    Bytes key = {0x08, 0x01, 0x12, 0x20};
    key.insert(key.end(), seed.begin(), seed.end());
    Bytes mh = {0x00, static_cast<std::uint8_t>(key.size())};
    append(mh, key);
    auto peer = wire::PeerId::from_bytes(mh);
    if (!peer) continue;  // not every 32-byte string is a valid Ed25519 point
    const std::string instance = "p" + std::to_string(i) + "._p2p._udp.local";
    m.answers.push_back(ptr(instance));
    m.answers.push_back(txt(instance, {"dnsaddr=/ip4/1.1.1.1/tcp/2/p2p/" + peer->to_string()}));
  }
  const auto n = m.answers.size() / 2;
  ASSERT_GT(n, kMaxPeersPerResponse);
  EXPECT_EQ(parse_response(m, kSelf).size(), kMaxPeersPerResponse);
}

TEST(MdnsDiscovery, PeerNamesUseTheJsAlphabet) {
  Bytes random(kPeerNameLength);
  for (std::size_t i = 0; i < random.size(); ++i) random[i] = static_cast<std::uint8_t>(i * 37);
  const auto name = peer_name_from(random);
  ASSERT_EQ(name.size(), kPeerNameLength);
  for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << c;
  EXPECT_EQ(peer_name_from(Bytes{0, 25, 26, 35, 36}), "az09a");
}

}  // namespace
}  // namespace ipfsa::proto::mdns
