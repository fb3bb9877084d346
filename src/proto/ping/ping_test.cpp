#include "proto/ping/ping.hpp"

#include <gtest/gtest.h>

namespace ipfsa::proto::ping {
namespace {

Payload payload(std::uint8_t seed) {
  Payload p;
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(seed * 31 + i * 7);
  return p;
}

const TimePoint t0 = TimePoint{} + std::chrono::seconds(100);

TEST(PingInitiator, SendsThePayload) {
  Initiator ping;
  const Payload p = payload(1);
  EXPECT_EQ(ping.start(p, t0), Bytes(p.begin(), p.end()));
  EXPECT_TRUE(ping.in_flight());
  EXPECT_EQ(ping.deadline(), t0 + kTimeout);
}

TEST(PingInitiator, EchoInEveryTwoChunkSplitGivesTheRtt) {
  const Payload p = payload(2);
  for (std::size_t cut = 0; cut <= kPayloadSize; ++cut) {
    Initiator ping;
    const Bytes sent = ping.start(p, t0);
    auto first = ping.receive(ByteView(sent).first(cut), t0 + std::chrono::milliseconds(3));
    ASSERT_TRUE(first) << cut;
    if (cut < kPayloadSize) {
      EXPECT_FALSE(first->has_value()) << cut;
      EXPECT_TRUE(ping.in_flight());
      auto second = ping.receive(ByteView(sent).subspan(cut), t0 + std::chrono::milliseconds(5));
      ASSERT_TRUE(second) << cut;
      ASSERT_TRUE(second->has_value()) << cut;
      EXPECT_EQ(**second, std::chrono::milliseconds(5));
    } else {
      ASSERT_TRUE(first->has_value());
      EXPECT_EQ(**first, std::chrono::milliseconds(3));
    }
    EXPECT_FALSE(ping.in_flight());
    EXPECT_EQ(ping.deadline(), std::nullopt);
  }
}

TEST(PingInitiator, ByteByByteAndRepeated) {
  Initiator ping;
  for (std::uint8_t round = 0; round < 3; ++round) {
    const TimePoint sent_at = t0 + std::chrono::seconds(round);
    const Bytes sent = ping.start(payload(round), sent_at);
    for (std::size_t i = 0; i < kPayloadSize; ++i) {
      auto r = ping.receive(ByteView(sent).subspan(i, 1), sent_at + std::chrono::microseconds(i));
      ASSERT_TRUE(r);
      EXPECT_EQ(r->has_value(), i + 1 == kPayloadSize);
      if (r->has_value()) {
        EXPECT_EQ(**r, std::chrono::microseconds(kPayloadSize - 1));
      }
    }
  }
}

TEST(PingInitiator, EveryWrongByteIsAViolation) {
  const Payload p = payload(3);
  for (std::size_t i = 0; i < kPayloadSize; ++i) {
    Initiator ping;
    Bytes echo = ping.start(p, t0);
    echo[i] ^= 0x01;
    auto r = ping.receive(echo, t0);
    ASSERT_FALSE(r) << i;
    EXPECT_EQ(r.error(), Error::protocol_violation);
    EXPECT_EQ(ping.receive(ByteView(echo).first(1), t0).error(), Error::invalid_state);
  }
}

TEST(PingInitiator, MismatchDetectedBeforeTheEchoCompletes) {
  Initiator ping;
  Bytes echo = ping.start(payload(4), t0);
  echo[0] ^= 0xff;
  EXPECT_EQ(ping.receive(ByteView(echo).first(1), t0).error(), Error::protocol_violation);
}

TEST(PingInitiator, ExtraOrUnaskedBytesAreAViolation) {
  Initiator idle;
  EXPECT_EQ(idle.receive(Bytes{0}, t0).error(), Error::protocol_violation);

  Initiator ping;
  Bytes echo = ping.start(payload(5), t0);
  echo.push_back(0);
  EXPECT_EQ(ping.receive(echo, t0).error(), Error::protocol_violation);

  Initiator done;
  const Bytes sent = done.start(payload(6), t0);
  ASSERT_TRUE(done.receive(sent, t0));
  EXPECT_EQ(done.receive(sent, t0).error(), Error::protocol_violation);
}

TEST(PingInitiator, EmptyReadIsHarmless) {
  Initiator ping;
  (void)ping.start(payload(7), t0);
  auto r = ping.receive({}, t0);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
}

TEST(PingResponder, EchoesWholeBlocksAcrossChunkings) {
  Bytes stream;
  for (std::uint8_t i = 0; i < 3; ++i) {
    const Payload p = payload(i);
    stream.insert(stream.end(), p.begin(), p.end());
  }
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    Responder echo;
    Bytes out;
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
      const ByteView piece = ByteView(stream).subspan(pos, std::min(chunk, stream.size() - pos));
      const Bytes reply = echo.receive(piece);
      EXPECT_EQ(reply.size() % kPayloadSize, 0u);
      append(out, reply);
      // Never echoes more than complete blocks of what it has seen.
      EXPECT_EQ(out.size(), (pos + piece.size()) / kPayloadSize * kPayloadSize) << chunk;
    }
    EXPECT_EQ(out, stream) << chunk;
    EXPECT_TRUE(echo.at_boundary());
  }
}

TEST(PingResponder, PartialBlockIsHeld) {
  Responder echo;
  EXPECT_TRUE(echo.receive(Bytes(kPayloadSize - 1, 0xaa)).empty());
  EXPECT_FALSE(echo.at_boundary());
  const Bytes out = echo.receive(Bytes{0xbb});
  ASSERT_EQ(out.size(), kPayloadSize);
  EXPECT_EQ(out.back(), 0xbb);
  EXPECT_EQ(out.front(), 0xaa);
  EXPECT_TRUE(echo.at_boundary());
}

TEST(PingLoop, InitiatorAndResponder) {
  Initiator ping;
  Responder echo;
  for (std::uint8_t round = 0; round < 5; ++round) {
    const Bytes sent = ping.start(payload(round), t0);
    const Bytes back = echo.receive(sent);
    auto rtt = ping.receive(back, t0 + std::chrono::milliseconds(round));
    ASSERT_TRUE(rtt);
    ASSERT_TRUE(rtt->has_value());
    EXPECT_EQ(**rtt, std::chrono::milliseconds(round));
  }
}

}  // namespace
}  // namespace ipfsa::proto::ping
