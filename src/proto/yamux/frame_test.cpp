#include "proto/yamux/frame.hpp"

#include <gtest/gtest.h>

namespace ipfsa::proto::yamux {
namespace {

Bytes unhex(std::string_view s) { return hex_decode(s).value(); }

struct Vector {
  const char* hex;
  Header header;
};
// Header layout from the spec "Framing" section: version, type, flags (BE u16), id, length.
const Vector kVectors[] = {
    {"000000000000000100000005", {FrameType::data, 0, 1, 5}},
    {"000100010000000300000000", {FrameType::window_update, kFlagSyn, 3, 0}},
    {"000100020000000200040000", {FrameType::window_update, kFlagAck, 2, 256 * 1024}},
    {"00020001000000000000002a", {FrameType::ping, kFlagSyn, 0, 42}},
    {"000200020000000000000000", {FrameType::ping, kFlagAck, 0, 0}},
    {"000300000000000000000001", {FrameType::go_away, 0, 0, kGoAwayProtocolError}},
    {"00010008fffffffffffffffe", {FrameType::window_update, kFlagRst, 0xffffffff, 0xfffffffe}},
    {"0000000f8000000112345678", {FrameType::data, 0xf, 0x80000001, 0x12345678}},
    {"0000fff000000001ffffffff", {FrameType::data, 0xfff0, 1, 0xffffffff}},
};

TEST(YamuxFrame, Vectors) {
  for (const auto& v : kVectors) {
    const Bytes bytes = unhex(v.hex);
    auto decoded = decode_header(bytes);
    ASSERT_TRUE(decoded) << v.hex;
    EXPECT_EQ(*decoded, v.header) << v.hex;
    Bytes encoded;
    append_header(encoded, v.header);
    EXPECT_EQ(hex_encode(encoded), v.hex);
  }
}

TEST(YamuxFrame, FlagBitsMatchSpec) {
  auto h = decode_header(unhex("0001000f0000000100000000")).value();
  EXPECT_TRUE(h.has(kFlagSyn));
  EXPECT_TRUE(h.has(kFlagAck));
  EXPECT_TRUE(h.has(kFlagFin));
  EXPECT_TRUE(h.has(kFlagRst));
  h = decode_header(unhex("000100040000000100000000")).value();
  EXPECT_TRUE(h.has(kFlagFin));
  EXPECT_FALSE(h.has(kFlagSyn) || h.has(kFlagAck) || h.has(kFlagRst));
}

TEST(YamuxFrame, EveryTruncatedPrefixFails) {
  for (const auto& v : kVectors) {
    const Bytes bytes = unhex(v.hex);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      auto decoded = decode_header(ByteView(bytes).first(n));
      ASSERT_FALSE(decoded) << v.hex << " " << n;
      EXPECT_EQ(decoded.error(), Error::truncated);
    }
  }
}

TEST(YamuxFrame, ExtraBytesAreIgnored) {
  const Bytes bytes = unhex("000000000000000100000003616263");
  auto decoded = decode_header(bytes);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->length, 3u);
}

TEST(YamuxFrame, RejectsVersionAndType) {
  for (int version = 1; version < 256; version += 17) {
    Bytes bytes = unhex("000000000000000100000000");
    bytes[0] = static_cast<std::uint8_t>(version);
    EXPECT_EQ(decode_header(bytes).error(), Error::protocol_violation) << version;
  }
  for (int type = 4; type < 256; ++type) {
    Bytes bytes = unhex("000000000000000100000000");
    bytes[1] = static_cast<std::uint8_t>(type);
    EXPECT_EQ(decode_header(bytes).error(), Error::protocol_violation) << type;
  }
}

}  // namespace
}  // namespace ipfsa::proto::yamux
