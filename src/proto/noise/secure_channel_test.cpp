// Transport framing: round trips of awkward sizes through random chunkings, frame layout,
// tampering, replay, truncation, buffering bounds and nonce exhaustion.
#include "proto/noise/secure_channel.hpp"

#include <gtest/gtest.h>

#include <random>

#include "proto/noise/handshake.hpp"
#include "proto/noise/test_keys.hpp"

namespace ipfsa::proto::noise {
namespace {

using testing::key32;
using testing::kNow;
using testing::next_message;

// The two ends of a connection after a real libp2p handshake (a = initiator, b = responder).
struct Link {
  SecureChannel a;
  SecureChannel b;
};
Link make_link() {
  static const auto alice = testing::identity(1);
  static const auto bob = testing::identity(2);
  Handshake i(Role::initiator, alice, key32(1), key32(2), std::nullopt);
  Handshake r(Role::responder, bob, key32(3), key32(4), std::nullopt);
  EXPECT_TRUE(r.handle_input(*next_message(i), kNow));
  EXPECT_TRUE(i.handle_input(*next_message(r), kNow));
  EXPECT_TRUE(r.handle_input(*next_message(i), kNow));
  auto ri = std::move(i).finish();
  auto rr = std::move(r).finish();
  EXPECT_TRUE(ri && rr);
  return {std::move(ri->channel), std::move(rr->channel)};
}

Bytes pattern(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 131 + (i >> 8));
  return b;
}

// Feeds `wire` to `channel` in random pieces (sizes 0 .. max_piece).
Result<Bytes> feed(SecureChannel& channel, ByteView wire, std::mt19937& rng,
                   std::size_t max_piece) {
  Bytes out;
  std::uniform_int_distribution<std::size_t> piece(0, max_piece);
  while (!wire.empty()) {
    const std::size_t n = std::min(piece(rng), wire.size());
    if (auto ok = channel.decrypt(wire.first(n), out); !ok) return ok.error();
    wire = wire.subspan(n);
  }
  return out;
}

class RoundTrip : public ::testing::TestWithParam<std::size_t> {};

TEST_P(RoundTrip, SurvivesAnyChunking) {
  const std::size_t size = GetParam();
  const Bytes plain = pattern(size);
  std::mt19937 rng(static_cast<unsigned>(size));
  for (std::size_t max_piece : {std::size_t{1}, std::size_t{7}, std::size_t{4096},
                                std::size_t{70000}, std::size_t{1} << 21}) {
    if (size > 100000 && max_piece == 1) continue;  // byte-at-a-time 1 MiB is just slow
    auto link = make_link();
    Bytes wire;
    link.a.encrypt(plain, wire);
    const std::size_t frames = (size + kMaxPlaintextSize - 1) / kMaxPlaintextSize;
    EXPECT_EQ(wire.size(), size + frames * (kFrameHeaderSize + kTagSize));
    EXPECT_EQ(link.a.send_cipher().nonce(), frames);
    auto got = feed(link.b, wire, rng, max_piece);
    ASSERT_TRUE(got) << max_piece;
    EXPECT_EQ(*got, plain) << max_piece;
    EXPECT_EQ(link.b.buffered(), 0u);
    EXPECT_EQ(link.b.receive_cipher().nonce(), frames);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, RoundTrip,
                         ::testing::Values(1, kMaxPlaintextSize, kMaxPlaintextSize + 1,
                                           std::size_t{1} << 20));

TEST(SecureChannel, FrameLayoutAtTheSizeLimit) {
  auto link = make_link();
  Bytes wire;
  link.a.encrypt(pattern(kMaxPlaintextSize), wire);
  ASSERT_EQ(wire.size(), kMaxFrameSize);
  EXPECT_EQ(load_be16(wire.data()), kMaxMessageSize);  // 0xffff: the largest Noise message

  wire.clear();
  link.a.encrypt(pattern(kMaxPlaintextSize + 1), wire);
  ASSERT_EQ(wire.size(), kMaxFrameSize + kFrameHeaderSize + 1 + kTagSize);
  EXPECT_EQ(load_be16(wire.data()), kMaxMessageSize);
  EXPECT_EQ(load_be16(wire.data() + kMaxFrameSize), 1 + kTagSize);
}

TEST(SecureChannel, EncryptAppendsAndEmptyInputAddsNothing) {
  auto link = make_link();
  Bytes wire = to_bytes("prefix");
  link.a.encrypt({}, wire);
  EXPECT_EQ(to_string(wire), "prefix");
  link.a.encrypt(to_bytes("abc"), wire);
  EXPECT_EQ(wire.size(), 6 + kFrameHeaderSize + 3 + kTagSize);
  EXPECT_EQ(to_string(ByteView(wire).first(6)), "prefix");
}

TEST(SecureChannel, BothDirectionsAreIndependent) {
  auto link = make_link();
  Bytes ab, ba, out;
  link.a.encrypt(to_bytes("to b"), ab);
  link.b.encrypt(to_bytes("to a"), ba);
  EXPECT_NE(Bytes(ab.begin() + 2, ab.end()), Bytes(ba.begin() + 2, ba.end()));
  ASSERT_TRUE(link.b.decrypt(ab, out));
  ASSERT_TRUE(link.a.decrypt(ba, out));
  EXPECT_EQ(to_string(out), "to bto a");
  // A frame reflected back to its sender does not decrypt (distinct keys per direction).
  auto link2 = make_link();
  Bytes mine;
  link2.a.encrypt(to_bytes("x"), mine);
  EXPECT_EQ(link2.a.decrypt(mine, out).error(), Error::decrypt_failed);
}

TEST(SecureChannel, ReplayedFrameIsRejectedAndTheErrorIsSticky) {
  auto link = make_link();
  Bytes f1, f2, out;
  link.a.encrypt(to_bytes("one"), f1);
  link.a.encrypt(to_bytes("two"), f2);
  ASSERT_TRUE(link.b.decrypt(f1, out));
  EXPECT_EQ(link.b.decrypt(f1, out).error(), Error::decrypt_failed);
  EXPECT_TRUE(link.b.has_failed());
  EXPECT_EQ(link.b.decrypt(f2, out).error(), Error::decrypt_failed);
  EXPECT_EQ(to_string(out), "one");
}

TEST(SecureChannel, EveryTamperedByteIsDetected) {
  Bytes wire;
  make_link().a.encrypt(to_bytes("attack at dawn"), wire);
  for (std::size_t pos = 0; pos < wire.size(); ++pos) {
    auto link = make_link();
    Bytes bad = wire;
    bad[pos] ^= 0x01;
    Bytes out;
    auto ok = link.b.decrypt(bad, out);
    // No plaintext is ever released. A changed length leaves the frame incomplete (buffered,
    // waiting for bytes that would then fail to authenticate); any other byte fails at once.
    EXPECT_TRUE(out.empty()) << pos;
    if (pos >= kFrameHeaderSize) {
      EXPECT_EQ(ok.error(), Error::decrypt_failed) << pos;
    }
  }
}

TEST(SecureChannel, FramesShorterThanATagFail) {
  for (std::uint16_t length = 0; length < kTagSize; ++length) {
    auto link = make_link();
    Bytes frame(kFrameHeaderSize + length, 0);
    store_be16(frame.data(), length);
    Bytes out;
    EXPECT_EQ(link.b.decrypt(frame, out).error(), Error::decrypt_failed) << length;
  }
}

TEST(SecureChannel, EveryTruncationIsBufferedNotDecrypted) {
  Bytes wire;
  make_link().a.encrypt(pattern(100), wire);
  for (std::size_t len = 0; len < wire.size(); ++len) {
    auto link = make_link();
    Bytes out;
    ASSERT_TRUE(link.b.decrypt(ByteView(wire).first(len), out));
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(link.b.buffered(), len);
    ASSERT_TRUE(link.b.decrypt(ByteView(wire).subspan(len), out));
    EXPECT_EQ(out, pattern(100));
    EXPECT_EQ(link.b.buffered(), 0u);
  }
}

TEST(SecureChannel, BufferingIsBoundedByOneFrame) {
  auto link = make_link();
  Bytes header(2);
  store_be16(header.data(), 0xffff);
  Bytes out;
  ASSERT_TRUE(link.b.decrypt(header, out));
  ASSERT_TRUE(link.b.decrypt(Bytes(kMaxMessageSize - 1, 0), out));
  EXPECT_EQ(link.b.buffered(), kMaxFrameSize - 1);
  // The next byte completes the (garbage) frame, which then fails to authenticate.
  EXPECT_EQ(link.b.decrypt(Bytes(1, 0), out).error(), Error::decrypt_failed);
  EXPECT_EQ(link.b.buffered(), 0u);
}

TEST(SecureChannel, ReceiveNonceExhaustionIsAnError) {
  auto link = make_link();
  link.a.set_nonces_for_testing(kReservedNonce - 1, 0);
  link.b.set_nonces_for_testing(0, kReservedNonce - 1);
  Bytes wire, out;
  link.a.encrypt(to_bytes("last"), wire);
  ASSERT_TRUE(link.b.decrypt(wire, out));
  EXPECT_EQ(to_string(out), "last");
  EXPECT_TRUE(link.a.send_cipher().exhausted());
  EXPECT_EQ(link.b.decrypt(wire, out).error(), Error::limit_exceeded);
}

TEST(SecureChannelDeathTest, SendNonceExhaustionNeverReusesANonce) {
  auto link = make_link();
  link.a.set_nonces_for_testing(kReservedNonce, 0);
  Bytes wire;
  EXPECT_DEATH(link.a.encrypt(to_bytes("x"), wire), "");
}

}  // namespace
}  // namespace ipfsa::proto::noise
