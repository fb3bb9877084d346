#include "proto/dcutr/dcutr.hpp"

#include <gtest/gtest.h>

#include <string>

#include "wire/varint.hpp"

namespace ipfsa::proto::dcutr {
namespace {

using namespace std::chrono_literals;

Bytes hex(std::string_view h) { return *hex_decode(h); }
wire::Multiaddr ma(std::string_view text) { return *wire::Multiaddr::parse(text); }
Bytes join(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  append(out, b);
  return out;
}

constexpr std::string_view kPeerA = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
constexpr std::string_view kPeerB = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

// Encoded by js-libp2p @libp2p/dcutr@3.0.28's codec (protons-runtime 5.6.0), addresses by
// @multiformats/multiaddr 13.0.3:
//   HolePunch { type: CONNECT, observedAddresses: [/ip4/93.184.216.34/tcp/4001,
//                                                  /ip4/93.184.216.34/udp/4001/quic-v1] }
const Bytes kJsConnect = hex("08641208045db8d822060fa1120b045db8d82291020fa1cd03");
const Bytes kJsAddrTcp = hex("045db8d822060fa1");         // /ip4/93.184.216.34/tcp/4001
const Bytes kJsAddrQuic = hex("045db8d82291020fa1cd03");  // .../udp/4001/quic-v1 (we can't parse)
//   HolePunch { type: CONNECT, observedAddresses: [/ip6/2606:4700::1111/tcp/4001] }
const Bytes kJsConnectIp6 = hex("086412142926064700000000000000000000001111060fa1");
//   HolePunch { type: SYNC, observedAddresses: [] }
const Bytes kJsSync = hex("08ac02");

const TimePoint t0 = TimePoint{} + 1000s;

bool nothing_to_send(auto& engine) {
  Bytes out;
  return !engine.poll_transmit(out);
}

Bytes drain(auto& engine) {
  Bytes out;
  while (engine.poll_transmit(out)) {
  }
  return out;
}

// ---- Codec ----

TEST(DcutrCodec, DecodesJsConnectAndKeepsAddressesRaw) {
  auto m = decode(kJsConnect);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->type, Type::connect);
  ASSERT_EQ(m->obs_addrs.size(), 2u);
  EXPECT_EQ(m->obs_addrs[0], kJsAddrTcp);
  EXPECT_EQ(m->obs_addrs[1], kJsAddrQuic);  // /quic-v1 is not ours to parse, but it is kept
}

TEST(DcutrCodec, EncodesJsConnectAndSyncByteForByte) {
  EXPECT_EQ(encode(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp, kJsAddrQuic}}),
            kJsConnect);
  EXPECT_EQ(encode(HolePunch{.type = Type::sync, .obs_addrs = {}}), kJsSync);
  auto sync = decode(kJsSync);
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->type, Type::sync);
  EXPECT_TRUE(sync->obs_addrs.empty());
}

TEST(DcutrCodec, FrameIsUvarintLengthThenBody) {
  const Bytes framed =
      frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp, kJsAddrQuic}});
  EXPECT_EQ(framed, join(Bytes{0x19}, kJsConnect));
  EXPECT_EQ(frame(HolePunch{.type = Type::sync, .obs_addrs = {}}), hex("0308ac02"));
}

TEST(DcutrCodec, RejectsMissingOrUnknownType) {
  EXPECT_EQ(decode(hex("1200")).error(), Error::malformed);            // ObsAddrs only, no type
  EXPECT_EQ(decode({}).error(), Error::malformed);                     // empty message
  EXPECT_EQ(decode(hex("08c801")).error(), Error::unsupported);        // type 200
  EXPECT_EQ(decode(hex("0800")).error(), Error::unsupported);          // type 0 (js's UNUSED)
  EXPECT_EQ(decode(hex("0880808080f001")).error(), Error::malformed);  // type above 32 bits
}

TEST(DcutrCodec, RejectsWrongWireTypesAndBadProtobuf) {
  EXPECT_EQ(decode(hex("0a0164")).error(), Error::malformed);  // type as bytes
  EXPECT_EQ(decode(hex("08640b")).error(), Error::malformed);  // a group (wire type 3)
  EXPECT_EQ(decode(hex("0864ffffffffffffffffffff01")).error(), Error::malformed);  // 11-byte varint
}

TEST(DcutrCodec, RejectsObsAddrsWithWrongWireTypeAndTruncation) {
  EXPECT_EQ(decode(hex("08641005")).error(), Error::malformed);  // ObsAddrs as a varint
  EXPECT_EQ(decode(hex("08641205aabb")).error(), Error::truncated);
  EXPECT_EQ(decode(hex("0864")).value().type, Type::connect);
  EXPECT_EQ(decode(hex("08e4")).error(), Error::truncated);  // varint cut off
}

TEST(DcutrCodec, SkipsUnknownFieldsAndKeepsTheLastType) {
  auto m =
      decode(hex("1a03616263"
                 "0864"
                 "08ac02"
                 "2001"));
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->type, Type::sync);
}

TEST(DcutrCodec, EnforcesItsBounds) {
  // kMaxAddrs entries pass; one more is limit_exceeded.
  HolePunch many{.type = Type::connect, .obs_addrs = std::vector<Bytes>(kMaxAddrs, kJsAddrTcp)};
  ASSERT_TRUE(decode(encode(many)));
  many.obs_addrs.push_back(kJsAddrTcp);
  EXPECT_EQ(decode(encode(many)).error(), Error::limit_exceeded);
  // One entry above kMaxAddrSize.
  HolePunch big{.type = Type::connect, .obs_addrs = {Bytes(kMaxAddrSize + 1, 0x04)}};
  EXPECT_EQ(decode(encode(big)).error(), Error::too_large);
  // A body above kMaxMessageSize, whatever it holds.
  EXPECT_EQ(decode(Bytes(kMaxMessageSize + 1, 0)).error(), Error::too_large);
}

// ---- Addresses ----

TEST(DcutrAddrs, KeepsPublicTcpDropsTheRest) {
  const std::vector<Bytes> obs = {
      kJsAddrTcp,                                   // kept
      kJsAddrQuic,                                  // unparsed
      ma("/ip6/2606:4700::1111/tcp/4001").bytes(),  // kept
      ma("/dns4/example.com/tcp/4001").bytes(),     // kept: names are public
      ma("/ip4/93.184.216.34/tcp/4001/p2p/" + std::string(kPeerA) + "/p2p-circuit")
          .bytes(),                                 // relayed
      ma("/ip4/192.168.1.5/tcp/4001").bytes(),      // private
      ma("/ip4/127.0.0.1/tcp/4001").bytes(),        // loopback
      ma("/ip4/100.64.0.1/tcp/4001").bytes(),       // CGNAT
      ma("/ip6/fe80::1/tcp/4001").bytes(),          // link-local
      ma("/ip6/fd00::1/tcp/4001").bytes(),          // unique local
      ma("/ip4/0.0.0.0/tcp/4001").bytes(),          // unspecified
      ma("/ip6/::/tcp/4001").bytes(),               // unspecified
      ma("/ip4/239.1.2.3/tcp/4001").bytes(),        // multicast
      ma("/ip4/255.255.255.255/tcp/4001").bytes(),  // broadcast
      ma("/ip4/93.184.216.35/tcp/0").bytes(),       // port 0
      ma("/ip4/93.184.216.35/udp/4001").bytes(),    // not TCP
      ma("/ip6/::ffff:10.0.0.1/tcp/4001").bytes(),  // mapped private
      kJsAddrTcp,                                   // duplicate
      Bytes{},                                      // empty
      hex("ff"),                                    // garbage
  };
  const Dialable d = dialable_addrs(obs, AddrFilter{});
  ASSERT_EQ(d.addrs.size(), 3u);
  EXPECT_EQ(d.addrs[0].to_string(), "/ip4/93.184.216.34/tcp/4001");
  EXPECT_EQ(d.addrs[1].to_string(), "/ip6/2606:4700::1111/tcp/4001");
  EXPECT_EQ(d.addrs[2].to_string(), "/dns4/example.com/tcp/4001");
  EXPECT_EQ(d.dropped, obs.size() - 3);
}

TEST(DcutrAddrs, AllowPrivateKeepsLanButNeverUnusable) {
  const std::vector<Bytes> obs = {
      ma("/ip4/192.168.1.5/tcp/4001").bytes(), ma("/ip4/127.0.0.1/tcp/4001").bytes(),
      ma("/ip6/::1/tcp/4001").bytes(),         ma("/ip6/::ffff:10.0.0.1/tcp/4001").bytes(),
      ma("/ip4/0.0.0.0/tcp/4001").bytes(),     ma("/ip6/ff02::1/tcp/4001").bytes(),
  };
  const Dialable d = dialable_addrs(obs, AddrFilter{.remote = std::nullopt, .allow_private = true});
  EXPECT_EQ(d.addrs.size(), 4u);
  EXPECT_EQ(d.dropped, 2u);
}

TEST(DcutrAddrs, DropsAddressesOfAnotherPeer) {
  const auto a = *wire::PeerId::parse(kPeerA);
  const std::vector<Bytes> obs = {
      ma("/ip4/93.184.216.34/tcp/4001/p2p/" + std::string(kPeerA)).bytes(),
      ma("/ip4/93.184.216.34/tcp/4002/p2p/" + std::string(kPeerB)).bytes(),
  };
  const Dialable d = dialable_addrs(obs, AddrFilter{.remote = a, .allow_private = false});
  ASSERT_EQ(d.addrs.size(), 1u);
  EXPECT_EQ(d.addrs[0].peer_id(), a);
  EXPECT_EQ(dialable_addrs(obs, AddrFilter{}).addrs.size(), 2u);  // without a remote: both
}

TEST(DcutrRoles, ResponderAIsTheClientOfThePunchedConnection) {
  static_assert(is_security_initiator(Role::responder));
  static_assert(!is_security_initiator(Role::initiator));
}

// ---- The exchange ----

const std::vector<wire::Multiaddr> kOwnB = {ma("/ip6/2606:4700::1111/tcp/4001")};
const std::vector<wire::Multiaddr> kOwnA = {ma("/ip4/93.184.216.34/tcp/4001")};

TEST(DcutrExchange, FullExchangeWithRtt40ms) {
  Initiator b;
  Responder a(t0);
  ASSERT_TRUE(b.start(kOwnB, t0));
  EXPECT_EQ(b.poll_timeout(), t0 + kStreamTimeout);
  const Bytes connect_b = drain(b);
  // B's CONNECT is what js would send for the same address.
  EXPECT_EQ(connect_b, join(wire::encode_uvarint(kJsConnectIp6.size()), kJsConnectIp6));
  EXPECT_TRUE(nothing_to_send(b));

  // A receives it at +10 ms, learns B's address and answers.
  ASSERT_TRUE(a.handle_input(connect_b, t0 + 10ms));
  auto connect = a.poll();
  ASSERT_TRUE(connect);
  EXPECT_EQ(connect->kind, DcutrEvent::Kind::connect);
  ASSERT_EQ(connect->addrs.size(), 1u);
  EXPECT_EQ(connect->addrs[0], kOwnB[0]);
  EXPECT_FALSE(a.poll());
  EXPECT_TRUE(nothing_to_send(a));  // nothing before respond()
  ASSERT_TRUE(a.respond(kOwnA, t0 + 10ms));
  const Bytes connect_a = drain(a);
  EXPECT_EQ(connect_a, frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp}}));
  EXPECT_EQ(a.poll_timeout(), t0 + kStreamTimeout);

  // A's CONNECT reaches B at +40 ms: RTT 40 ms, SYNC now, dial at +60 ms (RTT/2 later).
  ASSERT_TRUE(b.handle_input(connect_a, t0 + 40ms));
  EXPECT_FALSE(b.poll());
  const Bytes sync = drain(b);
  EXPECT_EQ(sync, join(Bytes{0x03}, kJsSync));
  EXPECT_EQ(b.poll_timeout(), t0 + 60ms);
  b.handle_timeout(t0 + 59ms);
  EXPECT_FALSE(b.poll());
  b.handle_timeout(t0 + 60ms);
  auto dial_b = b.poll();
  ASSERT_TRUE(dial_b);
  EXPECT_EQ(dial_b->kind, DcutrEvent::Kind::dial);
  EXPECT_EQ(dial_b->rtt, 40ms);
  ASSERT_EQ(dial_b->addrs.size(), 1u);
  EXPECT_EQ(dial_b->addrs[0], kOwnA[0]);
  EXPECT_FALSE(b.poll_timeout());
  EXPECT_TRUE(b.at_boundary());

  // The SYNC reaches A at +60 ms: A dials at once, no timer.
  ASSERT_TRUE(a.handle_input(sync, t0 + 60ms));
  auto dial_a = a.poll();
  ASSERT_TRUE(dial_a);
  EXPECT_EQ(dial_a->kind, DcutrEvent::Kind::dial);
  ASSERT_EQ(dial_a->addrs.size(), 1u);
  EXPECT_EQ(dial_a->addrs[0], kOwnB[0]);
  EXPECT_EQ(dial_a->rtt, 50ms);
  EXPECT_FALSE(a.poll_timeout());  // between rounds: the shell decides when the stream ends
  EXPECT_TRUE(a.at_boundary());
}

TEST(DcutrExchange, JsConnectReachesBAndOnlyTcpIsDialled) {
  Initiator b;
  ASSERT_TRUE(b.start(kOwnB, t0));
  drain(b);
  ASSERT_TRUE(b.handle_input(join(Bytes{0x19}, kJsConnect), t0 + 100ms));
  b.handle_timeout(t0 + 150ms);
  auto e = b.poll();
  ASSERT_TRUE(e);
  ASSERT_EQ(e->addrs.size(), 1u);  // the /quic-v1 entry is dropped, not fatal
  EXPECT_EQ(e->addrs[0].bytes(), kJsAddrTcp);
  EXPECT_EQ(e->dropped_addrs, 1u);
}

TEST(DcutrExchange, ZeroRttDialsAtOnce) {
  Initiator b;
  ASSERT_TRUE(b.start(kOwnB, t0));
  drain(b);
  ASSERT_TRUE(
      b.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp}}), t0));
  auto e = b.poll();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, DcutrEvent::Kind::dial);
  EXPECT_EQ(e->rtt, 0ms);
}

TEST(DcutrExchange, ChunkedInputOneByteAtATime) {
  Initiator b;
  Responder a(t0);
  ASSERT_TRUE(b.start(kOwnB, t0));
  for (std::uint8_t byte : drain(b)) ASSERT_TRUE(a.handle_input(ByteView(&byte, 1), t0 + 5ms));
  auto connect = a.poll();
  ASSERT_TRUE(connect);
  EXPECT_EQ(connect->kind, DcutrEvent::Kind::connect);
  ASSERT_TRUE(a.respond(kOwnA, t0 + 5ms));
  const Bytes connect_a = drain(a);
  for (std::size_t i = 0; i < connect_a.size(); ++i) {
    EXPECT_TRUE(nothing_to_send(b));  // no SYNC before the whole CONNECT
    ASSERT_TRUE(b.handle_input(ByteView(&connect_a[i], 1), t0 + 20ms));
    EXPECT_EQ(b.at_boundary(), i + 1 == connect_a.size());
  }
  EXPECT_EQ(b.poll_timeout(), t0 + 30ms);
  const Bytes sync = drain(b);
  ASSERT_TRUE(a.handle_input(ByteView(sync).first(1), t0 + 30ms));
  EXPECT_FALSE(a.poll());
  EXPECT_FALSE(a.at_boundary());
  ASSERT_TRUE(a.handle_input(ByteView(sync).subspan(1), t0 + 30ms));
  auto dial = a.poll();
  ASSERT_TRUE(dial);
  EXPECT_EQ(dial->kind, DcutrEvent::Kind::dial);
}

// ---- Bad order ----

TEST(DcutrOrder, InitiatorRejectsBytesOutOfTurn) {
  {
    Initiator b;  // nothing sent yet: A has nothing to answer
    EXPECT_EQ(b.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp}}), t0)
                  .error(),
              Error::protocol_violation);
    EXPECT_EQ(b.handle_input(Bytes{0x00}, t0).error(), Error::invalid_state);  // final
    EXPECT_EQ(b.start(kOwnB, t0).error(), Error::invalid_state);
  }
  {
    Initiator b;  // A must answer CONNECT with CONNECT, not SYNC
    ASSERT_TRUE(b.start(kOwnB, t0));
    EXPECT_EQ(b.handle_input(frame(HolePunch{.type = Type::sync, .obs_addrs = {}}), t0).error(),
              Error::protocol_violation);
  }
  {
    Initiator b;  // bytes beyond A's CONNECT in the same input
    ASSERT_TRUE(b.start(kOwnB, t0));
    Bytes in = frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp}});
    in.push_back(0x03);
    EXPECT_EQ(b.handle_input(in, t0 + 40ms).error(), Error::protocol_violation);
  }
  {
    Initiator b;  // a CONNECT without addresses
    ASSERT_TRUE(b.start(kOwnB, t0));
    EXPECT_EQ(b.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {}}), t0).error(),
              Error::protocol_violation);
  }
  {
    Initiator b;  // only addresses we cannot dial
    ASSERT_TRUE(b.start(kOwnB, t0));
    EXPECT_EQ(
        b.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrQuic}}), t0)
            .error(),
        Error::unsupported);
  }
  {
    Initiator b;  // undecodable body
    ASSERT_TRUE(b.start(kOwnB, t0));
    EXPECT_EQ(b.handle_input(hex("021200"), t0).error(), Error::malformed);
  }
}

TEST(DcutrOrder, ResponderRejectsMessagesOutOfOrder) {
  {
    Responder a(t0);  // SYNC before any CONNECT
    EXPECT_EQ(a.handle_input(frame(HolePunch{.type = Type::sync, .obs_addrs = {}}), t0).error(),
              Error::protocol_violation);
    EXPECT_EQ(a.respond(kOwnA, t0).error(), Error::invalid_state);
  }
  {
    Responder a(t0);  // respond() with no CONNECT to answer
    EXPECT_EQ(a.respond(kOwnA, t0).error(), Error::invalid_state);
  }
  {
    Responder a(t0);  // SYNC glued to the CONNECT: B cannot have sent it before our answer
    Bytes in = frame(HolePunch{.type = Type::connect, .obs_addrs = {kOwnB[0].bytes()}});
    append(in, frame(HolePunch{.type = Type::sync, .obs_addrs = {}}));
    EXPECT_EQ(a.handle_input(in, t0).error(), Error::protocol_violation);
    EXPECT_FALSE(a.poll());  // the CONNECT's event went with the exchange: nothing to answer
    EXPECT_TRUE(nothing_to_send(a));
  }
  {
    Responder a(t0);  // a second CONNECT where the SYNC belongs
    ASSERT_TRUE(
        a.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp}}), t0));
    ASSERT_TRUE(a.respond(kOwnA, t0));
    EXPECT_EQ(a.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp}}), t0)
                  .error(),
              Error::protocol_violation);
    EXPECT_EQ(a.handle_input(Bytes{0x00}, t0).error(), Error::invalid_state);
  }
  {
    Responder a(t0);  // a CONNECT without addresses
    EXPECT_EQ(a.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {}}), t0).error(),
              Error::protocol_violation);
  }
}

// ---- Limits ----

TEST(DcutrLimits, OversizeLengthPrefixIsRefusedBeforeBuffering) {
  Responder a(t0);
  const Bytes prefix = wire::encode_uvarint(kMaxMessageSize + 1);
  EXPECT_EQ(a.handle_input(prefix, t0).error(), Error::too_large);
  Initiator b;
  ASSERT_TRUE(b.start(kOwnB, t0));
  EXPECT_EQ(b.handle_input(prefix, t0).error(), Error::too_large);
}

TEST(DcutrLimits, MessagesWeSendStayWithinBounds) {
  Initiator b;
  EXPECT_EQ(b.start({}, t0).error(), Error::not_found);
  const std::vector<wire::Multiaddr> relayed = {
      ma("/ip4/93.184.216.34/tcp/4001/p2p/" + std::string(kPeerA) + "/p2p-circuit")};
  EXPECT_EQ(b.start(relayed, t0).error(), Error::not_found);  // relayed ones are left out
  EXPECT_EQ(b.start(std::vector<wire::Multiaddr>(kMaxAddrs + 1, kOwnA[0]), t0).error(),
            Error::limit_exceeded);
  // 100 addresses of ~60 bytes: within kMaxAddrs, above 4 KiB.
  const std::vector<wire::Multiaddr> long_names(
      100, ma("/dns4/" + std::string(50, 'a') + ".example/tcp/4001"));
  EXPECT_EQ(b.start(long_names, t0).error(), Error::too_large);
  EXPECT_TRUE(nothing_to_send(b));
  ASSERT_TRUE(b.start(kOwnB, t0));  // the failed calls changed nothing

  Responder a(t0);
  ASSERT_TRUE(
      a.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp}}), t0));
  EXPECT_EQ(a.respond({}, t0).error(), Error::not_found);
  EXPECT_EQ(a.respond(long_names, t0).error(), Error::too_large);
  ASSERT_TRUE(a.respond(kOwnA, t0));
}

// ---- Timeouts ----

TEST(DcutrTimeout, InitiatorGivesUpWithoutAnAnswer) {
  Initiator b;
  ASSERT_TRUE(b.start(kOwnB, t0));
  drain(b);
  b.handle_timeout(t0 + kStreamTimeout - 1ms);
  EXPECT_FALSE(b.poll());
  b.handle_timeout(t0 + kStreamTimeout);
  auto e = b.poll();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, DcutrEvent::Kind::timed_out);
  EXPECT_FALSE(b.poll_timeout());
  EXPECT_EQ(b.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp}}),
                           t0 + kStreamTimeout)
                .error(),
            Error::invalid_state);
}

TEST(DcutrTimeout, ResponderDeadlineCoversConnectRespondAndSync) {
  {
    Responder a(t0);  // no CONNECT at all
    EXPECT_EQ(a.poll_timeout(), t0 + kStreamTimeout);
    a.handle_timeout(t0 + kStreamTimeout);
    auto e = a.poll();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, DcutrEvent::Kind::timed_out);
  }
  {
    Responder a(t0);  // CONNECT, our answer, then no SYNC
    ASSERT_TRUE(a.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp}}),
                               t0 + 1s));
    a.poll();
    ASSERT_TRUE(a.respond(kOwnA, t0 + 2s));
    EXPECT_EQ(a.poll_timeout(), t0 + kStreamTimeout);
    a.handle_timeout(t0 + kStreamTimeout);
    auto e = a.poll();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, DcutrEvent::Kind::timed_out);
    EXPECT_EQ(a.respond(kOwnA, t0 + kStreamTimeout).error(), Error::invalid_state);
  }
}

// ---- Retries ----

// One round of the exchange between `b` and `a`, starting at `at`, with a 40 ms RTT.
void run_round(Initiator& b, Responder& a, TimePoint at) {
  ASSERT_TRUE(b.start(kOwnB, at));
  ASSERT_TRUE(a.handle_input(drain(b), at + 20ms));
  ASSERT_EQ(a.poll()->kind, DcutrEvent::Kind::connect);
  ASSERT_TRUE(a.respond(kOwnA, at + 20ms));
  ASSERT_TRUE(b.handle_input(drain(a), at + 40ms));
  ASSERT_TRUE(a.handle_input(drain(b), at + 60ms));
  ASSERT_EQ(a.poll()->kind, DcutrEvent::Kind::dial);
  b.handle_timeout(at + 60ms);
  ASSERT_EQ(b.poll()->kind, DcutrEvent::Kind::dial);
}

TEST(DcutrRetry, SameStreamUpToKMaxAttempts) {
  Initiator b;
  Responder a(t0);
  for (std::size_t i = 0; i < kMaxAttempts; ++i) {
    // A waits for a retry with no deadline of its own (a failed dial takes up to kDialTimeout).
    run_round(b, a, t0 + i * (kStreamTimeout + kDialTimeout));
    EXPECT_FALSE(a.poll_timeout());
  }
  EXPECT_EQ(b.attempts(), kMaxAttempts);
  EXPECT_EQ(a.rounds(), kMaxAttempts);
  EXPECT_EQ(b.start(kOwnB, t0 + 1h).error(), Error::invalid_state);
  // A refuses a fourth CONNECT.
  EXPECT_EQ(
      a.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp}}), t0 + 1h)
          .error(),
      Error::limit_exceeded);
}

TEST(DcutrRetry, RetryRoundHasAFreshDeadline) {
  Initiator b;
  Responder a(t0);
  run_round(b, a, t0);
  const TimePoint later = t0 + 1min;  // past the first round's deadline
  ASSERT_TRUE(
      a.handle_input(frame(HolePunch{.type = Type::connect, .obs_addrs = {kJsAddrTcp}}), later));
  EXPECT_EQ(a.poll()->kind, DcutrEvent::Kind::connect);
  EXPECT_EQ(a.poll_timeout(), later + kStreamTimeout);
}

TEST(DcutrRetry, InitiatorCannotStartTwiceInFlight) {
  Initiator b;
  ASSERT_TRUE(b.start(kOwnB, t0));
  EXPECT_EQ(b.start(kOwnB, t0).error(), Error::invalid_state);
  EXPECT_EQ(b.attempts(), 1u);
}

}  // namespace
}  // namespace ipfsa::proto::dcutr
