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

// start() and the bytes poll_transmit() then hands out.
Bytes start(Initiator& ping, const Payload& p, TimePoint now) {
  ping.start(p, now);
  Bytes out;
  EXPECT_TRUE(ping.poll_transmit(out));
  EXPECT_FALSE(ping.poll_transmit(out));  // one payload per start()
  return out;
}

// The round trip an `rtt` event reports, if one is queued.
std::optional<Duration> rtt(Initiator& ping) {
  auto e = ping.poll();
  if (!e) return std::nullopt;
  EXPECT_EQ(e->kind, PingEvent::Kind::rtt);
  EXPECT_FALSE(ping.poll());
  return e->rtt;
}

Bytes echo_of(Responder& echo, ByteView in) {
  EXPECT_TRUE(echo.handle_input(in, t0));
  Bytes out;
  const auto t = echo.poll_transmit(out);
  EXPECT_EQ(t.has_value(), !out.empty());
  if (t) {
    EXPECT_EQ(t->size, out.size());
  }
  return out;
}

TEST(PingInitiator, SendsThePayload) {
  Initiator ping;
  const Payload p = payload(1);
  EXPECT_EQ(start(ping, p, t0), Bytes(p.begin(), p.end()));
  EXPECT_TRUE(ping.in_flight());
  EXPECT_EQ(ping.poll_timeout(), t0 + kTimeout);
  EXPECT_FALSE(ping.poll());
}

TEST(PingInitiator, PollTransmitAppends) {
  Initiator ping;
  ping.start(payload(1), t0);
  Bytes out{0xee};
  const auto t = ping.poll_transmit(out);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->size, kPayloadSize);
  EXPECT_EQ(out.size(), 1 + kPayloadSize);
  EXPECT_EQ(out.front(), 0xee);
}

TEST(PingInitiator, EchoInEveryTwoChunkSplitGivesTheRtt) {
  const Payload p = payload(2);
  for (std::size_t cut = 0; cut <= kPayloadSize; ++cut) {
    Initiator ping;
    const Bytes sent = start(ping, p, t0);
    ASSERT_TRUE(ping.handle_input(ByteView(sent).first(cut), t0 + std::chrono::milliseconds(3)))
        << cut;
    if (cut < kPayloadSize) {
      EXPECT_FALSE(rtt(ping)) << cut;
      EXPECT_TRUE(ping.in_flight());
      ASSERT_TRUE(ping.handle_input(ByteView(sent).subspan(cut), t0 + std::chrono::milliseconds(5)))
          << cut;
      EXPECT_EQ(rtt(ping), std::chrono::milliseconds(5)) << cut;
    } else {
      EXPECT_EQ(rtt(ping), std::chrono::milliseconds(3));
    }
    EXPECT_FALSE(ping.in_flight());
    EXPECT_EQ(ping.poll_timeout(), std::nullopt);
  }
}

TEST(PingInitiator, ByteByByteAndRepeated) {
  Initiator ping;
  for (std::uint8_t round = 0; round < 3; ++round) {
    const TimePoint sent_at = t0 + std::chrono::seconds(round);
    const Bytes sent = start(ping, payload(round), sent_at);
    for (std::size_t i = 0; i < kPayloadSize; ++i) {
      ASSERT_TRUE(
          ping.handle_input(ByteView(sent).subspan(i, 1), sent_at + std::chrono::microseconds(i)));
      const auto r = rtt(ping);
      EXPECT_EQ(r.has_value(), i + 1 == kPayloadSize);
      if (r) {
        EXPECT_EQ(*r, std::chrono::microseconds(kPayloadSize - 1));
      }
    }
  }
}

TEST(PingInitiator, EveryWrongByteIsAViolation) {
  const Payload p = payload(3);
  for (std::size_t i = 0; i < kPayloadSize; ++i) {
    Initiator ping;
    Bytes echo = start(ping, p, t0);
    echo[i] ^= 0x01;
    auto r = ping.handle_input(echo, t0);
    ASSERT_FALSE(r) << i;
    EXPECT_EQ(r.error(), Error::protocol_violation);
    EXPECT_EQ(ping.handle_input(ByteView(echo).first(1), t0).error(), Error::invalid_state);
    EXPECT_FALSE(ping.poll());
  }
}

TEST(PingInitiator, MismatchDetectedBeforeTheEchoCompletes) {
  Initiator ping;
  Bytes echo = start(ping, payload(4), t0);
  echo[0] ^= 0xff;
  EXPECT_EQ(ping.handle_input(ByteView(echo).first(1), t0).error(), Error::protocol_violation);
}

TEST(PingInitiator, ExtraOrUnaskedBytesAreAViolation) {
  Initiator idle;
  EXPECT_EQ(idle.handle_input(Bytes{0}, t0).error(), Error::protocol_violation);

  Initiator ping;
  Bytes echo = start(ping, payload(5), t0);
  echo.push_back(0);
  EXPECT_EQ(ping.handle_input(echo, t0).error(), Error::protocol_violation);

  Initiator done;
  const Bytes sent = start(done, payload(6), t0);
  ASSERT_TRUE(done.handle_input(sent, t0));
  EXPECT_EQ(done.handle_input(sent, t0).error(), Error::protocol_violation);
}

TEST(PingInitiator, EmptyReadIsHarmless) {
  Initiator ping;
  (void)start(ping, payload(7), t0);
  ASSERT_TRUE(ping.handle_input({}, t0));
  EXPECT_FALSE(ping.poll());
}

TEST(PingInitiator, TimesOutAtItsDeadlineOnly) {
  Initiator ping;
  const Bytes sent = start(ping, payload(8), t0);
  ASSERT_TRUE(ping.handle_input(ByteView(sent).first(5), t0));
  ping.handle_timeout(t0 + kTimeout - std::chrono::nanoseconds(1));  // early: nothing is due
  EXPECT_FALSE(ping.poll());
  EXPECT_TRUE(ping.in_flight());
  ping.handle_timeout(t0 + kTimeout);
  auto e = ping.poll();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, PingEvent::Kind::timed_out);
  EXPECT_FALSE(ping.in_flight());
  EXPECT_EQ(ping.poll_timeout(), std::nullopt);
  // A late echo after the timeout is refused, and a second timeout reports nothing.
  EXPECT_EQ(ping.handle_input(ByteView(sent).subspan(5), t0 + kTimeout).error(),
            Error::invalid_state);
  ping.handle_timeout(t0 + 2 * kTimeout);
  EXPECT_FALSE(ping.poll());
}

TEST(PingInitiator, AnsweredPingDoesNotTimeOut) {
  Initiator ping;
  const Bytes sent = start(ping, payload(9), t0);
  ASSERT_TRUE(ping.handle_input(sent, t0));
  EXPECT_TRUE(rtt(ping));
  ping.handle_timeout(t0 + 2 * kTimeout);
  EXPECT_FALSE(ping.poll());
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
      const Bytes reply = echo_of(echo, piece);
      EXPECT_EQ(reply.size() % kPayloadSize, 0u);
      append(out, reply);
      // Never echoes more than complete blocks of what it has seen.
      EXPECT_EQ(out.size(), (pos + piece.size()) / kPayloadSize * kPayloadSize) << chunk;
    }
    EXPECT_EQ(out, stream) << chunk;
    EXPECT_TRUE(echo.at_boundary());
    EXPECT_FALSE(echo.poll());
    EXPECT_FALSE(echo.poll_timeout());
  }
}

TEST(PingResponder, PartialBlockIsHeld) {
  Responder echo;
  EXPECT_TRUE(echo_of(echo, Bytes(kPayloadSize - 1, 0xaa)).empty());
  EXPECT_FALSE(echo.at_boundary());
  const Bytes out = echo_of(echo, Bytes{0xbb});
  ASSERT_EQ(out.size(), kPayloadSize);
  EXPECT_EQ(out.back(), 0xbb);
  EXPECT_EQ(out.front(), 0xaa);
  EXPECT_TRUE(echo.at_boundary());
}

TEST(PingLoop, InitiatorAndResponder) {
  Initiator ping;
  Responder echo;
  for (std::uint8_t round = 0; round < 5; ++round) {
    const Bytes sent = start(ping, payload(round), t0);
    const Bytes back = echo_of(echo, sent);
    ASSERT_TRUE(ping.handle_input(back, t0 + std::chrono::milliseconds(round)));
    EXPECT_EQ(rtt(ping), std::chrono::milliseconds(round));
  }
}

}  // namespace
}  // namespace ipfsa::proto::ping
