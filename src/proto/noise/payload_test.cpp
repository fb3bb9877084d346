#include "proto/noise/payload.hpp"

#include <gtest/gtest.h>

#include "wire/protobuf.hpp"

namespace ipfsa::proto::noise {
namespace {

HandshakePayload sample() {
  HandshakePayload p;
  p.identity_key = to_bytes("key-bytes");
  p.identity_sig = to_bytes("signature");
  p.extensions.stream_muxers = {"/yamux/1.0.0", "/mplex/6.7.0"};
  return p;
}

TEST(Payload, RoundTripKeepsEveryField) {
  const HandshakePayload p = sample();
  auto decoded = decode_payload(encode_payload(p));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->identity_key, p.identity_key);
  EXPECT_EQ(decoded->identity_sig, p.identity_sig);
  EXPECT_EQ(decoded->extensions, p.extensions);
}

TEST(Payload, EncodingIsFieldOrderedProtobuf) {
  HandshakePayload p;
  p.identity_key = {0xaa};
  p.identity_sig = {0xbb, 0xcc};
  // 0x0a = field 1 len, 0x12 = field 2 len; no extensions field when there is no muxer.
  EXPECT_EQ(hex_encode(encode_payload(p)), "0a01aa1202bbcc");
  p.extensions.stream_muxers = {"/y"};
  // 0x22 = field 4 len, holding 0x12 (NoiseExtensions field 2) "/y".
  EXPECT_EQ(hex_encode(encode_payload(p)),
            "0a01aa1202bbcc2204"
            "12022f79");
}

TEST(Payload, EveryTruncatedPrefixFailsCleanly) {
  const HandshakePayload full = sample();
  const Bytes encoded = encode_payload(full);
  HandshakePayload identity_only = full;
  identity_only.extensions = {};
  // Protobuf has no end marker: the one prefix ending on a field boundary after both required
  // fields is a valid payload without extensions. Every other prefix must fail.
  const std::size_t boundary = encode_payload(identity_only).size();
  for (std::size_t len = 0; len < encoded.size(); ++len) {
    auto decoded = decode_payload(ByteView(encoded).first(len));
    if (len == boundary) {
      ASSERT_TRUE(decoded);
      EXPECT_TRUE(decoded->extensions.stream_muxers.empty());
    } else {
      EXPECT_FALSE(decoded) << len;
    }
  }
}

TEST(Payload, UnknownAndLegacyFieldsAreSkippedAndCertHashesIgnored) {
  wire::pb::Writer ext;
  ext.bytes(1, to_bytes("certhash"));  // webtransport_certhashes
  ext.string(2, "/yamux/1.0.0");
  ext.varint(9, 7);  // unknown
  wire::pb::Writer w;
  w.bytes(1, to_bytes("k"));
  w.bytes(2, to_bytes("s"));
  w.bytes(3, to_bytes("legacy early data"));
  w.bytes(4, ext.data());
  w.varint(15, 1);
  auto decoded = decode_payload(w.data());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->extensions.stream_muxers, std::vector<std::string>{"/yamux/1.0.0"});
}

TEST(Payload, MissingIdentityFieldsAreAProtocolViolation) {
  wire::pb::Writer only_key;
  only_key.bytes(1, to_bytes("k"));
  EXPECT_EQ(decode_payload(only_key.data()).error(), Error::protocol_violation);
  wire::pb::Writer only_sig;
  only_sig.bytes(2, to_bytes("s"));
  EXPECT_EQ(decode_payload(only_sig.data()).error(), Error::protocol_violation);
  wire::pb::Writer empty_key;
  empty_key.bytes(1, {});
  empty_key.bytes(2, to_bytes("s"));
  EXPECT_EQ(decode_payload(empty_key.data()).error(), Error::protocol_violation);
  EXPECT_EQ(decode_payload({}).error(), Error::protocol_violation);
}

TEST(Payload, KnownFieldsWithTheWrongWireTypeAreMalformed) {
  for (std::uint32_t field : {1u, 2u, 4u}) {
    wire::pb::Writer w;
    w.bytes(1, to_bytes("k"));
    w.bytes(2, to_bytes("s"));
    w.varint(field, 1);
    EXPECT_EQ(decode_payload(w.data()).error(), Error::malformed) << field;
  }
  wire::pb::Writer ext;
  ext.varint(2, 5);
  wire::pb::Writer w;
  w.bytes(1, to_bytes("k"));
  w.bytes(2, to_bytes("s"));
  w.bytes(4, ext.data());
  EXPECT_EQ(decode_payload(w.data()).error(), Error::malformed);
}

Bytes with_extensions(const wire::pb::Writer& ext) {
  wire::pb::Writer w;
  w.bytes(1, to_bytes("k"));
  w.bytes(2, to_bytes("s"));
  w.bytes(4, ext.data());
  return std::move(w).take();
}

TEST(Payload, ExtensionLimits) {
  wire::pb::Writer at_limit, over_limit;
  for (std::size_t i = 0; i < kMaxStreamMuxers; ++i) at_limit.string(2, "/m");
  for (std::size_t i = 0; i <= kMaxStreamMuxers; ++i) over_limit.string(2, "/m");
  EXPECT_TRUE(decode_payload(with_extensions(at_limit)));
  EXPECT_EQ(decode_payload(with_extensions(over_limit)).error(), Error::limit_exceeded);

  wire::pb::Writer longest, too_long;
  longest.string(2, std::string(kMaxStreamMuxerSize, 'm'));
  too_long.string(2, std::string(kMaxStreamMuxerSize + 1, 'm'));
  EXPECT_TRUE(decode_payload(with_extensions(longest)));
  EXPECT_EQ(decode_payload(with_extensions(too_long)).error(), Error::too_large);

  wire::pb::Writer hashes;
  for (std::size_t i = 0; i <= kMaxCertHashes; ++i) hashes.bytes(1, to_bytes("h"));
  EXPECT_EQ(decode_payload(with_extensions(hashes)).error(), Error::limit_exceeded);
}

TEST(Payload, SignatureMessageIsPrefixThenStaticKey) {
  const Bytes key(32, 0x42);
  const Bytes m = static_key_signature_message(key);
  ASSERT_EQ(m.size(), 24 + 32u);
  EXPECT_EQ(to_string(ByteView(m).first(24)), "noise-libp2p-static-key:");
  EXPECT_EQ(Bytes(m.begin() + 24, m.end()), key);
}

}  // namespace
}  // namespace ipfsa::proto::noise
