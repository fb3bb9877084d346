#include "proto/relay/relay.hpp"

#include <gtest/gtest.h>

#include "proto/relay/test_vectors.hpp"
#include "wire/length_prefixed.hpp"
#include "wire/protobuf.hpp"
#include "wire/varint.hpp"

namespace ipfsa::proto::relay {
namespace {

using testing::hex;

// Hex with spaces between fields, for hand-written messages.
Bytes hx(std::string h) {
  std::erase(h, ' ');
  return hex(h);
}

wire::PeerId id(std::string_view multihash_hex) {
  return *wire::PeerId::from_bytes(hex(multihash_hex));
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) append(out, p);
  return out;
}

// ---- js vectors: decode js's bytes, encode ours to the same bytes ----

TEST(RelayCodec, HopReserveMatchesJs) {
  const HopMessage m{.type = HopMessage::Type::reserve};
  EXPECT_EQ(encode_hop(m), hex(testing::kHopReserve));
  auto back = decode_hop(hex(testing::kHopReserve));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(RelayCodec, HopStatusWithReservationAndLimitMatchesJs) {
  const HopMessage m{
      .type = HopMessage::Type::status,
      .reservation = Reservation{.expire = testing::kVoucherExpiration,
                                 .addrs = {hex(testing::kAddrTcp), hex(testing::kAddrQuic)},
                                 .voucher = hex(testing::kVoucher)},
      .limit = Limit{.duration = 120, .data = 131072},
      .status = Status::ok,
  };
  EXPECT_EQ(encode_hop(m), hex(testing::kHopStatusReservation));
  auto back = decode_hop(hex(testing::kHopStatusReservation));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(RelayCodec, HopConnectMatchesJs) {
  const HopMessage m{.type = HopMessage::Type::connect, .peer = Peer{id(testing::kPeerId), {}}};
  EXPECT_EQ(encode_hop(m), hex(testing::kHopConnect));
  auto back = decode_hop(hex(testing::kHopConnect));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);

  const HopMessage with_addrs{
      .type = HopMessage::Type::connect,
      .peer = Peer{id(testing::kPeerId), {hex(testing::kAddrTcp), hex(testing::kAddrQuic)}}};
  EXPECT_EQ(encode_hop(with_addrs), hex(testing::kHopConnectAddrs));
  auto back2 = decode_hop(hex(testing::kHopConnectAddrs));
  ASSERT_TRUE(back2);
  EXPECT_EQ(*back2, with_addrs);
}

TEST(RelayCodec, HopStatusCodesMatchJs) {
  const HopMessage refused{.type = HopMessage::Type::status, .status = Status::no_reservation};
  EXPECT_EQ(encode_hop(refused), hex(testing::kHopStatusNoReservation));
  EXPECT_EQ(*decode_hop(hex(testing::kHopStatusNoReservation)), refused);

  const HopMessage ok{.type = HopMessage::Type::status,
                      .limit = Limit{.duration = 3600, .data = 64 << 20},
                      .status = Status::ok};
  EXPECT_EQ(encode_hop(ok), hex(testing::kHopStatusOkLimit));
  EXPECT_EQ(*decode_hop(hex(testing::kHopStatusOkLimit)), ok);
}

TEST(RelayCodec, StopConnectWithLimitMatchesJs) {
  const StopMessage m{.type = StopMessage::Type::connect,
                      .peer = Peer{id(testing::kInitiatorId), {}},
                      .limit = Limit{.duration = 3600, .data = 64 << 20}};
  EXPECT_EQ(encode_stop(m), hex(testing::kStopConnect));
  auto back = decode_stop(hex(testing::kStopConnect));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(RelayCodec, StopStatusMatchesJs) {
  const StopMessage ok{.type = StopMessage::Type::status, .status = Status::ok};
  EXPECT_EQ(encode_stop(ok), hex(testing::kStopStatus));
  EXPECT_EQ(*decode_stop(hex(testing::kStopStatus)), ok);
  const StopMessage failed{.type = StopMessage::Type::status, .status = Status::connection_failed};
  EXPECT_EQ(encode_stop(failed), hex(testing::kStopStatusFailed));
  EXPECT_EQ(*decode_stop(hex(testing::kStopStatusFailed)), failed);
}

// ---- absent vs zero, round trips, framing ----

TEST(RelayCodec, AbsentFieldsStayAbsentAndZeroStaysZero) {
  auto bare = decode_hop(hex("0802"));  // STATUS with nothing else
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->status);
  EXPECT_FALSE(bare->limit);
  EXPECT_FALSE(bare->reservation);
  EXPECT_FALSE(bare->peer);

  const HopMessage zeros{.type = HopMessage::Type::status,
                         .reservation = Reservation{.expire = 0},
                         .limit = Limit{.duration = 0, .data = 0}};
  auto back = decode_hop(encode_hop(zeros));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, zeros);
  EXPECT_EQ(back->limit->duration, 0u);

  // An empty Limit is present, with both fields absent ("no limit").
  auto empty_limit = decode_hop(hex("08022200"));
  ASSERT_TRUE(empty_limit);
  ASSERT_TRUE(empty_limit->limit);
  EXPECT_EQ(*empty_limit->limit, Limit{});
}

TEST(RelayCodec, RoundTripsEveryField) {
  const HopMessage hop{
      .type = HopMessage::Type::connect,
      .peer = Peer{id(testing::kPeerId), {hex(testing::kAddrQuic), {}}},
      .reservation = Reservation{.expire = ~std::uint64_t{0}, .addrs = {}, .voucher = Bytes{}},
      .limit = Limit{.duration = 0xffffffff, .data = ~std::uint64_t{0}},
      .status = static_cast<Status>(999),  // a code we do not know survives as its number
  };
  auto h = decode_hop(encode_hop(hop));
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, hop);

  const StopMessage stop{.type = StopMessage::Type::status,
                         .peer = Peer{id(testing::kRelayId), {hex(testing::kAddrTcp)}},
                         .limit = Limit{.data = 1},
                         .status = Status::unexpected_message};
  auto s = decode_stop(encode_stop(stop));
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, stop);
}

TEST(RelayCodec, FrameIsLengthPrefixedAndLeavesTheRelayedBytes) {
  const HopMessage ok{.type = HopMessage::Type::status, .status = Status::ok};
  Bytes stream = frame_hop(ok);
  EXPECT_EQ(stream, concat({wire::encode_uvarint(encode_hop(ok).size()), encode_hop(ok)}));
  append(stream, as_bytes("relayed"));
  wire::LengthPrefixedReader reader(kMaxMessageSize);
  ByteView in(stream);
  auto body = reader.read(in);
  ASSERT_TRUE(body && *body);
  EXPECT_EQ(*decode_hop(**body), ok);
  EXPECT_EQ(ipfsa::to_string(in),
            "relayed");  // the relayed connection's first bytes stay with the caller

  const StopMessage stop{.type = StopMessage::Type::status, .status = Status::ok};
  EXPECT_EQ(frame_stop(stop), concat({Bytes{0x04}, hex(testing::kStopStatus)}));
}

TEST(RelayCodec, UnknownFieldsAndRepeatsAreToleratedAsJsDoes) {
  // Unknown varint (field 9), fixed32 (field 10) and len (field 11) fields; status given twice.
  auto m = decode_hop(hx("0802 4807 5501020304 5a0161 2864 28cc01"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, Status::no_reservation);  // the last one wins
}

TEST(RelayCodec, StatusNames) {
  EXPECT_EQ(to_string(Status::ok), "OK");
  EXPECT_EQ(to_string(Status::no_reservation), "NO_RESERVATION");
  EXPECT_EQ(to_string(Status::unexpected_message), "UNEXPECTED_MESSAGE");
  EXPECT_EQ(to_string(static_cast<Status>(7)), "UNKNOWN");
}

// ---- decode errors ----

TEST(RelayCodecErrors, TooLarge) {
  Bytes big = hex("0800");
  big.resize(kMaxMessageSize + 1, 0);  // zero padding would be malformed anyway: size comes first
  EXPECT_EQ(decode_hop(big).error(), Error::too_large);
  EXPECT_EQ(decode_stop(big).error(), Error::too_large);
  // An address above kMaxAddrSize.
  Bytes addr(kMaxAddrSize + 1, 0x04);
  wire::pb::Writer r;
  r.bytes(2, addr);
  wire::pb::Writer hop;
  hop.varint(1, 2);
  hop.bytes(3, r.data());
  EXPECT_EQ(decode_hop(hop.data()).error(), Error::too_large);
}

TEST(RelayCodecErrors, Truncated) {
  const Bytes full = hex(testing::kHopStatusReservation);
  for (std::size_t n : {std::size_t{1}, std::size_t{3}, full.size() - 1}) {
    EXPECT_EQ(decode_hop(ByteView(full).first(n)).error(), Error::truncated) << n;
  }
  const Bytes stop = hex(testing::kStopConnect);
  EXPECT_EQ(decode_stop(ByteView(stop).first(stop.size() - 1)).error(), Error::truncated);
  // A Peer whose own bytes end inside its id field.
  EXPECT_EQ(decode_hop(hx("0801 1203 0a0500")).error(), Error::truncated);
}

TEST(RelayCodecErrors, MissingOrUnknownTypeIsMalformed) {
  EXPECT_EQ(decode_hop({}).error(), Error::malformed);
  // Status without type.
  EXPECT_EQ(decode_hop(hex("2864")).error(), Error::malformed);
  EXPECT_EQ(decode_stop(hex("2064")).error(), Error::malformed);
  // No Type 3 in HopMessage.
  EXPECT_EQ(decode_hop(hex("0803")).error(), Error::malformed);
  // Nor Type 2 in StopMessage.
  EXPECT_EQ(decode_stop(hex("0802")).error(), Error::malformed);
}

TEST(RelayCodecErrors, WrongWireTypeIsMalformed) {
  // Type as bytes.
  EXPECT_EQ(decode_hop(hex("0a0100")).error(), Error::malformed);
  // Peer as varint.
  EXPECT_EQ(decode_hop(hex("08021001")).error(), Error::malformed);
  // Status as bytes.
  EXPECT_EQ(decode_hop(hex("08022a0164")).error(), Error::malformed);
  // Duration as bytes.
  EXPECT_EQ(decode_hop(hx("0802 2202 0a00")).error(), Error::malformed);
  // Limit not a message.
  EXPECT_EQ(decode_stop(hx("0800 1a01 00")).error(), Error::malformed);
  // Addr as varint.
  EXPECT_EQ(decode_hop(hx("0802 1a02 1001")).error(), Error::malformed);
  // Expire as bytes.
  EXPECT_EQ(decode_hop(hx("0802 1a02 0a00")).error(), Error::malformed);
  // Voucher as varint.
  EXPECT_EQ(decode_hop(hx("0802 1a02 1801")).error(), Error::malformed);
}

TEST(RelayCodecErrors, ValuesAbove32BitsAreMalformed) {
  // Type 2^32.
  EXPECT_EQ(decode_hop(hex("088080808010")).error(), Error::malformed);
  // Status 2^32.
  EXPECT_EQ(decode_hop(hx("0802 28 8080808010")).error(), Error::malformed);
  // Duration 2^32.
  EXPECT_EQ(decode_hop(hx("0802 2206 088080808010")).error(), Error::malformed);
}

TEST(RelayCodecErrors, PeerMustHaveAValidId) {
  // No id.
  EXPECT_EQ(decode_hop(hx("0801 1200")).error(), Error::malformed);
  // Addrs only.
  EXPECT_EQ(decode_hop(hx("0801 1202 1200")).error(), Error::malformed);
  // Empty identity.
  EXPECT_EQ(decode_hop(hx("0801 1204 0a020000")).error(), Error::malformed);
  // Not a multihash.
  EXPECT_EQ(decode_hop(hx("0801 1204 0a02ffff")).error(), Error::malformed);
  // An identity multihash whose digest is not a PublicKey.
  EXPECT_EQ(decode_stop(hx("0800 1206 0a040002aabb")).error(), Error::malformed);
  // A peer ID above wire::kMaxPeerIdSize.
  Bytes peer;
  peer.push_back(0x0a);
  append(peer, wire::encode_uvarint(wire::kMaxPeerIdSize + 1));
  peer.resize(peer.size() + wire::kMaxPeerIdSize + 1, 0x12);
  wire::pb::Writer w;
  w.varint(1, 1);
  w.bytes(2, peer);
  EXPECT_EQ(decode_hop(w.data()).error(), Error::malformed);
}

TEST(RelayCodecErrors, TooManyAddrs) {
  const Bytes pid = hex(testing::kPeerId);
  auto peer_with = [&](std::size_t n) {
    wire::pb::Writer p;
    p.bytes(1, pid);
    for (std::size_t i = 0; i < n; ++i) p.bytes(2, {});
    wire::pb::Writer m;
    m.varint(1, 1);
    m.bytes(2, p.data());
    return std::move(m).take();
  };
  auto ok = decode_hop(peer_with(kMaxAddrsPerPeer));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->peer->addrs.size(), kMaxAddrsPerPeer);
  EXPECT_EQ(decode_hop(peer_with(kMaxAddrsPerPeer + 1)).error(), Error::limit_exceeded);

  wire::pb::Writer r;
  for (std::size_t i = 0; i <= kMaxReservationAddrs; ++i) r.bytes(2, {});
  wire::pb::Writer m;
  m.varint(1, 2);
  m.bytes(3, r.data());
  EXPECT_EQ(decode_hop(m.data()).error(), Error::limit_exceeded);
}

// ---- the address helper ----

TEST(RelayAddrs, ParsesWhatWeKnowAndSkipsTheRest) {
  auto parsed = parse_addrs({hex(testing::kAddrTcp), hex(testing::kAddrQuic), {}, hex("ffff")});
  ASSERT_EQ(parsed.addrs.size(), 1u);
  EXPECT_EQ(parsed.addrs[0].bytes(), hex(testing::kAddrTcp));
  EXPECT_EQ(parsed.addrs[0].peer_id(), id(testing::kRelayId));
  EXPECT_EQ(parsed.skipped, 3u);  // /quic-v1, empty, garbage
}

}  // namespace
}  // namespace ipfsa::proto::relay
