#include "proto/identify/identify.hpp"

#include <gtest/gtest.h>

#include <string>

#include "wire/length_prefixed.hpp"
#include "wire/varint.hpp"

namespace ipfsa::proto::identify {
namespace {

Bytes hex(std::string_view h) { return *hex_decode(h); }
// One length-delimited field written by hand: tag byte, one-byte length, value.
Bytes field(std::uint8_t tag, ByteView value) {
  Bytes out = {tag, static_cast<std::uint8_t>(value.size())};
  append(out, value);
  return out;
}
Bytes field(std::uint8_t tag, std::string_view value) { return field(tag, as_bytes(value)); }

const Bytes kEd25519Key =  // PublicKey { Type = Ed25519 (1), Data = 32 bytes }
    hex("08011220"
        "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
const Bytes kListen = hex("047f000001060fa1");    // /ip4/127.0.0.1/tcp/4001
const Bytes kObserved = hex("04c0a8010506d0ae");  // /ip4/192.168.1.5/tcp/53422

Identify js_fields() {
  Identify m;
  m.protocol_version = "ipfs/0.1.0";
  m.agent_version = "libp2p/3.3.11 UserAgent=v22.12.0";
  m.public_key = kEd25519Key;
  m.listen_addrs = {kListen};
  m.observed_addr = kObserved;
  m.protocols = {"/ipfs/id/1.0.0", "/ipfs/id/push/1.0.0", "/ipfs/ping/1.0.0", "/meshsub/1.1.0"};
  m.signed_peer_record = hex("0a0b0c");
  return m;
}

// The same message as js-libp2p's generated encoder lays it out: fields 5, 6, 1, 2, 4, 3..., 8.
std::vector<Bytes> js_fields_on_the_wire() {
  return {field(0x2a, "ipfs/0.1.0"),
          field(0x32, "libp2p/3.3.11 UserAgent=v22.12.0"),
          field(0x0a, kEd25519Key),
          field(0x12, kListen),
          field(0x22, kObserved),
          field(0x1a, "/ipfs/id/1.0.0"),
          field(0x1a, "/ipfs/id/push/1.0.0"),
          field(0x1a, "/ipfs/ping/1.0.0"),
          field(0x1a, "/meshsub/1.1.0"),
          field(0x42, hex("0a0b0c"))};
}

Bytes join(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const Bytes& p : parts) append(out, p);
  return out;
}

TEST(Identify, DecodesTheJsLayout) {
  auto m = decode(join(js_fields_on_the_wire()));
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, js_fields());
}

TEST(Identify, EncodesInTheJsLayout) {
  EXPECT_EQ(encode(js_fields()), join(js_fields_on_the_wire()));
}

TEST(Identify, RoundTrips) {
  Identify m = js_fields();
  m.listen_addrs.push_back(
      hex("29"
          "00000000000000000000000000000001"
          "060fa1"));  // ip6 ::1
  m.protocols.push_back("");
  auto back = decode(encode(m));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(Identify, EmptyMessage) {
  EXPECT_TRUE(encode(Identify{}).empty());
  auto m = decode({});
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, Identify{});
  EXPECT_EQ(frame(Identify{}), hex("00"));
}

TEST(Identify, FrameIsLengthPrefixedAndReadable) {
  const Bytes framed = frame(js_fields());
  const Bytes body = encode(js_fields());
  ASSERT_EQ(framed.size(), wire::uvarint_size(body.size()) + body.size());
  wire::LengthPrefixedReader reader(kMaxMessageSize);
  ByteView view(framed);
  auto message = reader.read(view);
  ASSERT_TRUE(message);
  ASSERT_TRUE(message->has_value());
  EXPECT_EQ(**message, body);
  // Every truncated frame is incomplete, never a message.
  for (std::size_t n = 0; n < framed.size(); ++n) {
    wire::LengthPrefixedReader partial(kMaxMessageSize);
    ByteView cut = ByteView(framed).first(n);
    auto r = partial.read(cut);
    ASSERT_TRUE(r) << n;
    EXPECT_FALSE(r->has_value()) << n;
  }
}

TEST(Identify, EveryTruncationFailsOrStopsAtAFieldBoundary) {
  const std::vector<Bytes> fields = js_fields_on_the_wire();
  const Bytes whole = join(fields);
  std::vector<std::size_t> boundaries = {0};
  for (const Bytes& f : fields) boundaries.push_back(boundaries.back() + f.size());
  for (std::size_t n = 0; n < whole.size(); ++n) {
    auto m = decode(ByteView(whole).first(n));
    const bool boundary = std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
    if (boundary) {
      ASSERT_TRUE(m) << n;  // a shorter but valid message: the fields before the cut
      const std::size_t count = static_cast<std::size_t>(
          std::find(boundaries.begin(), boundaries.end(), n) - boundaries.begin());
      EXPECT_EQ(encode(*m), join({fields.begin(), fields.begin() + count})) << n;
    } else {
      ASSERT_FALSE(m) << n;
      EXPECT_EQ(m.error(), Error::truncated) << n;
    }
  }
}

TEST(Identify, UnknownFieldsAreSkipped) {
  Bytes in = join(js_fields_on_the_wire());
  append(in, hex("3801"));        // field 7, varint
  append(in, hex("4a03aabbcc"));  // field 9, bytes
  append(in, hex("7d01020304"));  // field 15, fixed32
  append(in, hex("810101020304050607"
                 "08"));  // field 16, fixed64
  auto m = decode(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, js_fields());
}

TEST(Identify, LastOptionalFieldWins) {
  Bytes in = join({field(0x32, "first"), field(0x32, "second"), field(0x22, hex("01")),
                   field(0x22, hex("02"))});
  auto m = decode(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->agent_version, "second");
  EXPECT_EQ(m->observed_addr, hex("02"));
}

TEST(Identify, KnownFieldWithWrongWireTypeIsMalformed) {
  EXPECT_EQ(decode(hex("0801")).error(), Error::malformed);        // publicKey as a varint
  EXPECT_EQ(decode(hex("1801")).error(), Error::malformed);        // protocols as a varint
  EXPECT_EQ(decode(hex("2d00000000")).error(), Error::malformed);  // protocolVersion fixed32
}

TEST(Identify, MalformedProtobuf) {
  EXPECT_EQ(decode(hex("0b")).error(), Error::malformed);  // group start
  EXPECT_EQ(decode(hex("00")).error(), Error::malformed);  // field number 0
  EXPECT_EQ(decode(hex("0a05aa")).error(), Error::truncated);
}

Bytes long_field(std::uint8_t tag, std::size_t size, std::uint8_t fill = 'a') {
  Bytes out = {tag};
  wire::append_uvarint(out, size);
  out.insert(out.end(), size, fill);
  return out;
}

TEST(Identify, MessageSizeLimit) {
  // Padding in an unknown field: exactly at the limit decodes, one byte more does not.
  const std::size_t pad = kMaxMessageSize - 3;  // tag + 2-byte length
  auto at_limit = decode(long_field(0x4a, pad));
  ASSERT_TRUE(at_limit);
  EXPECT_EQ(decode(long_field(0x4a, pad + 1)).error(), Error::too_large);
}

TEST(Identify, StringAndBytesLimits) {
  ASSERT_TRUE(decode(long_field(0x1a, kMaxProtocolIdSize)));
  EXPECT_EQ(decode(long_field(0x1a, kMaxProtocolIdSize + 1)).error(), Error::too_large);
  ASSERT_TRUE(decode(long_field(0x32, kMaxVersionSize)));
  EXPECT_EQ(decode(long_field(0x32, kMaxVersionSize + 1)).error(), Error::too_large);
  EXPECT_EQ(decode(long_field(0x2a, kMaxVersionSize + 1)).error(), Error::too_large);
  ASSERT_TRUE(decode(long_field(0x12, kMaxAddrSize)));
  EXPECT_EQ(decode(long_field(0x12, kMaxAddrSize + 1)).error(), Error::too_large);
  EXPECT_EQ(decode(long_field(0x22, kMaxAddrSize + 1)).error(), Error::too_large);
}

TEST(Identify, RepeatedFieldCounts) {
  Bytes addrs;
  for (std::size_t i = 0; i < kMaxListenAddrs; ++i) append(addrs, field(0x12, kListen));
  auto ok = decode(addrs);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->listen_addrs.size(), kMaxListenAddrs);
  append(addrs, field(0x12, kListen));
  EXPECT_EQ(decode(addrs).error(), Error::limit_exceeded);

  Bytes protocols;
  for (std::size_t i = 0; i < kMaxProtocols; ++i) append(protocols, field(0x1a, "/p"));
  ASSERT_TRUE(decode(protocols));
  append(protocols, field(0x1a, "/p"));
  EXPECT_EQ(decode(protocols).error(), Error::limit_exceeded);
}

TEST(Identify, MergeFollowsJs) {
  Identify first = js_fields();
  Identify later;
  later.agent_version = "other/1.0";
  later.listen_addrs = {kObserved};
  later.protocols = {"/ipfs/ping/1.0.0", "/new/1.0.0"};
  merge(first, later);
  EXPECT_EQ(first.agent_version, "other/1.0");
  EXPECT_EQ(first.protocol_version, "ipfs/0.1.0");  // absent in `later`: kept
  EXPECT_EQ(first.public_key, kEd25519Key);
  EXPECT_EQ(first.listen_addrs, (std::vector<Bytes>{kListen, kObserved}));
  EXPECT_EQ(first.protocols.size(), 5u);
  EXPECT_EQ(first.protocols.back(), "/new/1.0.0");
}

TEST(Identify, MergeRespectsCounts) {
  Identify into;
  Identify later;
  later.listen_addrs.assign(kMaxListenAddrs, kListen);
  merge(into, later);
  merge(into, later);
  EXPECT_EQ(into.listen_addrs.size(), kMaxListenAddrs);
}

}  // namespace
}  // namespace ipfsa::proto::identify
