#include "proto/yamux/session.hpp"

#include <gtest/gtest.h>

#include "proto/yamux/test_util.hpp"

namespace ipfsa::proto::yamux {
namespace {

using namespace testing;
using Kind = Event::Kind;

// Literal frames (spec "Framing"): version 00, type, flags, stream id, length.
constexpr const char* kSyn1 = "00 01 0001 00000001 00000000";        // WINDOW_UPDATE+SYN id 1
constexpr const char* kAck1 = "00 01 0002 00000001 00000000";        // WINDOW_UPDATE+ACK id 1
constexpr const char* kGoAwayProtocol = "000300000000000000000001";  // GoAway(1)

TEST(YamuxSession, ClientOpensOddStreamsWithWindowUpdateSyn) {
  Session s(Role::client, quiet_config(), kT0);
  EXPECT_FALSE(s.has_outgoing());
  EXPECT_EQ(s.open_stream().value(), 1u);
  EXPECT_EQ(s.open_stream().value(), 3u);
  EXPECT_EQ(drain_hex(s),
            "000100010000000100000000"
            "000100010000000300000000");
  EXPECT_EQ(s.stream_count(), 2u);
  EXPECT_EQ(s.send_window(1), kInitialWindow);
  EXPECT_EQ(s.receive_window(1), kInitialWindow);
  // The peer's ACK changes nothing visible.
  ASSERT_TRUE(feed(s, "000100020000000100000000"));
  EXPECT_TRUE(drain_events(s).empty());
}

TEST(YamuxSession, ServerOpensEvenStreams) {
  Session s(Role::server, quiet_config(), kT0);
  EXPECT_EQ(s.open_stream().value(), 2u);
  EXPECT_EQ(s.open_stream().value(), 4u);
  EXPECT_EQ(drain_hex(s),
            "000100010000000200000000"
            "000100010000000400000000");
}

TEST(YamuxSession, InboundSynOnWindowUpdateIsAcked) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, kSyn1));
  auto events = drain_events(s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::inbound_stream);
  EXPECT_EQ(events[0].stream, 1u);
  EXPECT_EQ(drain_hex(s), hex_encode(unhex(kAck1)));
  EXPECT_EQ(s.stream_count(), 1u);
}

TEST(YamuxSession, InboundSynOnDataDeliversPayload) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, "00 00 0001 00000003 00000005 68656c6c6f"));
  auto events = drain_events(s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::inbound_stream);
  EXPECT_EQ(events[1].kind, Kind::data);
  EXPECT_EQ(events[1].stream, 3u);
  EXPECT_EQ(to_string(events[1].data), "hello");
  EXPECT_EQ(drain_hex(s), "000100020000000300000000");
}

TEST(YamuxSession, SynWithWindowIncreaseGrowsSendWindow) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, "00 01 0001 00000001 00100000"));  // SYN + 1 MiB more
  EXPECT_EQ(s.send_window(1), kInitialWindow + 0x100000u);
}

struct BadInput {
  Role role;
  const char* hex;
  Error error;
};

TEST(YamuxSession, ProtocolErrorsQueueGoAwayAndAreFatal) {
  const BadInput cases[] = {
      {Role::server, "01 01 0001 00000001 00000000", Error::protocol_violation},  // version 1
      {Role::server, "00 04 0000 00000000 00000000", Error::protocol_violation},  // type 4
      {Role::server, "00 ff 0000 00000001 00000000", Error::protocol_violation},  // type 255
      {Role::server, "00 01 0001 00000002 00000000", Error::protocol_violation},  // our parity
      {Role::client, "00 01 0001 00000001 00000000", Error::protocol_violation},  // our parity
      {Role::server, "00 00 0001 00000000 00000000", Error::protocol_violation},  // data on id 0
      {Role::server, "00 01 0000 00000000 00000001", Error::protocol_violation},  // update id 0
      {Role::server, "00 02 0001 00000001 00000000", Error::protocol_violation},  // ping on id 1
      {Role::server, "00 03 0000 00000001 00000000", Error::protocol_violation},  // go away id 1
      {Role::server, "00 02 0000 00000000 00000007", Error::protocol_violation},  // ping no flag
      {Role::server, "00 02 0004 00000000 00000007", Error::protocol_violation},  // ping FIN
      // A second SYN for a live stream id reuses it.
      {Role::server,
       "00 01 0001 00000001 00000000"
       "00 01 0001 00000001 00000000",
       Error::protocol_violation},
      // Window overflow past 2^32 - 1.
      {Role::server,
       "00 01 0001 00000001 00000000"
       "00 01 0000 00000001 ffffffff",
       Error::protocol_violation},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.hex);
    Session s(c.role, quiet_config(), kT0);
    auto r = feed(s, c.hex);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), c.error);
    EXPECT_EQ(s.error(), c.error);
    const std::string out = drain_hex(s);
    ASSERT_GE(out.size(), 24u);
    EXPECT_EQ(out.substr(out.size() - 24), kGoAwayProtocol);
    // Fatal: later input reports the same error and commands fail.
    EXPECT_EQ(feed(s, "000200010000000000000001").error(), c.error);
    EXPECT_FALSE(s.has_outgoing());
    EXPECT_EQ(s.open_stream().error(), Error::session_closed);
    EXPECT_EQ(s.ping(kT0).error(), Error::session_closed);
    EXPECT_FALSE(s.poll_timeout());
  }
}

TEST(YamuxSession, InboundBeyondMaxStreamsIsReset) {
  Config config = quiet_config();
  config.max_streams = 2;
  Session s(Role::server, config, kT0);
  ASSERT_TRUE(feed(s,
                   "000100010000000100000000"
                   "000100010000000300000000"));
  drain_hex(s);
  drain_events(s);
  // The third stream carries data: it is refused with RST and its payload dropped.
  ASSERT_TRUE(feed(s, "00 00 0001 00000005 00000002 abcd"));
  EXPECT_EQ(drain_hex(s), "000100080000000500000000");
  EXPECT_TRUE(drain_events(s).empty());
  EXPECT_EQ(s.stream_count(), 2u);
  EXPECT_FALSE(s.error());
  // Later frames for the refused stream are ignored; a freed slot admits a new stream.
  ASSERT_TRUE(feed(s, "00 00 0000 00000005 00000001 ff"));
  ASSERT_TRUE(feed(s, "00 01 0008 00000001 00000000"));  // peer resets stream 1
  ASSERT_TRUE(feed(s, "00 01 0001 00000007 00000000"));
  auto events = drain_events(s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::reset);
  EXPECT_EQ(events[1].kind, Kind::inbound_stream);
  EXPECT_EQ(events[1].stream, 7u);
}

TEST(YamuxSession, OutboundStreamLimit) {
  Config config = quiet_config();
  config.max_streams = 3;
  Session s(Role::client, config, kT0);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(s.open_stream());
  EXPECT_EQ(s.open_stream().error(), Error::too_many_streams);
  s.reset(1);
  EXPECT_EQ(s.open_stream().value(), 7u);
}

TEST(YamuxSession, DataBeyondReceiveWindowIsProtocolError) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, kSyn1));
  drain_hex(s);
  // Exactly the window is fine (checked on the header: no payload needed yet).
  ASSERT_TRUE(feed(s, frame_hex(FrameType::data, 0, 1, kInitialWindow - 1)));
  Bytes payload(kInitialWindow - 1, 0x5a);
  ASSERT_TRUE(s.handle_input(payload, kT0));
  ASSERT_TRUE(feed(s, frame_hex(FrameType::data, 0, 1, 1) + "01"));
  // One byte more than the window, before its payload arrives.
  auto r = feed(s, frame_hex(FrameType::data, 0, 1, 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::window_exceeded);
  EXPECT_EQ(drain_hex(s), kGoAwayProtocol);
}

TEST(YamuxSession, OversizedFrameOnNewStreamIsProtocolError) {
  Session s(Role::server, quiet_config(), kT0);
  auto r = feed(s, frame_hex(FrameType::data, kFlagSyn, 1, kInitialWindow + 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::window_exceeded);
}

TEST(YamuxSession, DataForUnknownStreamIsIgnoredWithinAnyWindow) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, "00 00 0000 00000009 00000003 010203"));
  ASSERT_TRUE(feed(s, "00 01 0004 00000009 00000010"));
  EXPECT_TRUE(drain_events(s).empty());
  EXPECT_FALSE(s.has_outgoing());
  // No stream ever had a window larger than max_window.
  auto r = feed(s, frame_hex(FrameType::data, 0, 9, kMaxWindow + 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::window_exceeded);
}

TEST(YamuxSession, WriteNeverExceedsPeerWindowAndWindowUpdatesReopen) {
  Session s(Role::client, quiet_config(), kT0);
  const StreamId id = s.open_stream().value();
  drain_hex(s);
  const Bytes data(kInitialWindow + 1000, 0x42);
  EXPECT_EQ(s.write(id, data).value(), kInitialWindow);
  EXPECT_EQ(s.send_window(id), 0u);
  Bytes out;
  s.poll_transmit(out);
  // 256 KiB as four 64 KiB data frames.
  ASSERT_EQ(out.size(), kInitialWindow + 4 * kHeaderSize);
  for (std::size_t i = 0; i < 4; ++i) {
    const auto h = decode_header(ByteView(out).subspan(i * (kHeaderSize + kMaxFramePayload)));
    ASSERT_TRUE(h);
    EXPECT_EQ(*h, (Header{FrameType::data, 0, id, kMaxFramePayload}));
  }
  EXPECT_EQ(s.write(id, data).value(), 0u);
  EXPECT_FALSE(s.has_outgoing());
  EXPECT_TRUE(drain_events(s).empty());
  // The peer grants 10 bytes: one writable event, then exactly 10 bytes go out.
  ASSERT_TRUE(feed(s, "00 01 0000 00000001 0000000a"));
  auto events = drain_events(s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::writable);
  EXPECT_EQ(events[0].stream, id);
  EXPECT_EQ(s.write(id, data).value(), 10u);
  EXPECT_EQ(drain_hex(s),
            "00000000"
            "00000001"
            "0000000a"
            "42424242424242424242");
  // A window update while not blocked raises no event.
  ASSERT_TRUE(feed(s, "00 01 0000 00000001 00000005"));
  ASSERT_EQ(drain_events(s).size(), 1u);  // still blocked from the last short write
  ASSERT_TRUE(feed(s, "00 01 0000 00000001 00000005"));
  EXPECT_TRUE(drain_events(s).empty());
}

TEST(YamuxSession, OutgoingBudgetBlocksWritesUntilDrained) {
  Session s(Role::client, quiet_config(), kT0);
  const StreamId id = s.open_stream().value();
  ASSERT_TRUE(feed(s, frame_hex(FrameType::window_update, kFlagAck, id, kMaxWindow)));
  const Bytes data(2 * kMaxOutgoingBytes, 1);
  const std::size_t taken = s.write(id, data).value();
  EXPECT_LT(taken, kMaxOutgoingBytes);
  EXPECT_GT(taken, kMaxOutgoingBytes - kMaxFramePayload);
  EXPECT_LE(s.outgoing_size(), kMaxOutgoingBytes);
  EXPECT_EQ(s.write(id, data).value(), 0u);
  EXPECT_TRUE(drain_events(s).empty());
  drain_hex(s);
  auto events = drain_events(s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::writable);
  EXPECT_GT(s.write(id, data).value(), 0u);
}

TEST(YamuxSession, ConsumedDataIsCreditedBackAtHalfWindow) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, kSyn1));
  drain_hex(s);
  drain_events(s);
  const std::uint32_t half = kInitialWindow / 2;
  ASSERT_TRUE(feed(s, frame_hex(FrameType::data, 0, 1, half)));
  ASSERT_TRUE(s.handle_input(Bytes(half, 7), kT0));
  auto events = drain_events(s);
  ASSERT_EQ(events.size(), 1u);  // chunks of one frame coalesce
  EXPECT_EQ(events[0].data.size(), half);
  s.consumed(1, half - 1);
  EXPECT_FALSE(s.has_outgoing());
  s.consumed(1, 100);  // only 1 byte of it was received and not yet consumed
  // Without an RTT estimate the window does not grow: the update returns exactly what was read.
  EXPECT_EQ(drain_hex(s), frame_hex(FrameType::window_update, 0, 1, half));
  EXPECT_EQ(s.receive_window(1), kInitialWindow);
  s.consumed(1, 1000);  // nothing left unconsumed: no effect
  EXPECT_FALSE(s.has_outgoing());
}

TEST(YamuxSession, ReceiveWindowGrowsForFastConsumer) {
  Config config = quiet_config();
  Session s(Role::server, config, kT0);
  ASSERT_TRUE(s.ping(kT0));
  ASSERT_TRUE(feed(s, kSyn1, kT0));
  ASSERT_TRUE(feed(s, "000200020000000000000000", kT0 + std::chrono::milliseconds(10)));
  ASSERT_EQ(s.rtt(), std::chrono::milliseconds(10));
  drain_hex(s);
  std::uint32_t window = kInitialWindow;
  TimePoint now = kT0 + std::chrono::milliseconds(10);
  for (int round = 0; round < 8; ++round) {
    now += std::chrono::milliseconds(20);  // well within 4 RTTs
    ASSERT_TRUE(feed(s, frame_hex(FrameType::data, 0, 1, window), now));
    ASSERT_TRUE(s.handle_input(Bytes(window, 1), now));
    drain_events(s);
    s.consumed(1, window);
    const std::uint32_t grown = std::min(window * 2, kMaxWindow);
    EXPECT_EQ(drain_hex(s), frame_hex(FrameType::window_update, 0, 1, window + grown - window));
    EXPECT_EQ(s.receive_window(1), grown);
    window = grown;
  }
  EXPECT_EQ(window, kMaxWindow);
  // A slow consumer (beyond 4 RTTs) keeps the window as it is.
  now += std::chrono::seconds(1);
  ASSERT_TRUE(feed(s, frame_hex(FrameType::data, 0, 1, 1), now));
  ASSERT_TRUE(s.handle_input(Bytes(1, 1), now));
  s.consumed(1, 1);
  EXPECT_FALSE(s.has_outgoing());
}

TEST(YamuxSession, SlowConsumerDoesNotGrowWindow) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(s.ping(kT0));
  ASSERT_TRUE(feed(s, kSyn1));
  ASSERT_TRUE(feed(s, "000200020000000000000000", kT0 + std::chrono::milliseconds(1)));
  drain_hex(s);
  const TimePoint later = kT0 + std::chrono::seconds(1);
  ASSERT_TRUE(feed(s, frame_hex(FrameType::data, 0, 1, kInitialWindow), later));
  ASSERT_TRUE(s.handle_input(Bytes(kInitialWindow, 1), later));
  s.consumed(1, kInitialWindow);
  EXPECT_EQ(drain_hex(s), frame_hex(FrameType::window_update, 0, 1, kInitialWindow));
  EXPECT_EQ(s.receive_window(1), kInitialWindow);
}

TEST(YamuxSession, HalfCloseBothWays) {
  // Remote first: FIN received, we may still write; our FIN then frees the stream.
  {
    Session s(Role::server, quiet_config(), kT0);
    ASSERT_TRUE(feed(s,
                     "00 00 0001 00000001 00000002 6869"
                     "00 01 0004 00000001 00000000"));
    drain_hex(s);
    auto events = drain_events(s);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[2].kind, Kind::remote_closed);
    EXPECT_EQ(s.write(1, as_bytes("ok")).value(), 2u);
    ASSERT_TRUE(s.close_write(1));
    EXPECT_EQ(drain_hex(s),
              "000000000000000100000002"
              "6f6b"
              "000100040000000100000000");
    EXPECT_EQ(s.stream_count(), 0u);
    // Repeated FIN and late data for the freed stream are ignored.
    ASSERT_TRUE(feed(s, "00 00 0004 00000001 00000001 00"));
    EXPECT_TRUE(drain_events(s).empty());
  }
  // Local first: after our FIN writes fail; the peer may still send until its FIN.
  {
    Session s(Role::client, quiet_config(), kT0);
    const StreamId id = s.open_stream().value();
    ASSERT_TRUE(s.close_write(id));
    EXPECT_EQ(drain_hex(s),
              "000100010000000100000000"
              "000100040000000100000000");
    EXPECT_EQ(s.write(id, as_bytes("x")).error(), Error::stream_closed);
    EXPECT_EQ(s.close_write(id).error(), Error::stream_closed);
    ASSERT_TRUE(feed(s, "00 00 0002 00000001 00000001 41"));
    ASSERT_TRUE(feed(s, "00 00 0004 00000001 00000001 42"));  // data + FIN in one frame
    auto events = drain_events(s);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].kind, Kind::data);
    EXPECT_EQ(to_string(events[0].data), "AB");  // coalesced
    EXPECT_EQ(events[1].kind, Kind::remote_closed);
    EXPECT_EQ(s.stream_count(), 0u);
  }
}

TEST(YamuxSession, ResetBothWays) {
  Session s(Role::client, quiet_config(), kT0);
  const StreamId a = s.open_stream().value();
  const StreamId b = s.open_stream().value();
  drain_hex(s);
  ASSERT_TRUE(feed(s, "00 00 0008 00000001 00000000"));  // RST on a data frame
  auto events = drain_events(s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::reset);
  EXPECT_EQ(events[0].stream, a);
  EXPECT_EQ(s.write(a, as_bytes("x")).error(), Error::stream_closed);
  s.reset(b);
  EXPECT_EQ(drain_hex(s), "000100080000000300000000");
  EXPECT_EQ(s.stream_count(), 0u);
  s.reset(b);  // unknown: nothing
  EXPECT_FALSE(s.has_outgoing());
  ASSERT_TRUE(feed(s, "00 00 0000 00000003 00000001 00"));
  EXPECT_TRUE(drain_events(s).empty());
}

TEST(YamuxSession, ResetInTheMiddleOfAFrameDropsTheRest) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, "00 00 0001 00000001 00000004 0102"));
  drain_events(s);
  s.reset(1);
  ASSERT_TRUE(feed(s,
                   "0304"
                   "000200010000000000000009"));
  EXPECT_TRUE(drain_events(s).empty());
  EXPECT_EQ(drain_hex(s),
            "000100020000000100000000"
            "000100080000000100000000"
            "000200020000000000000009");
}

TEST(YamuxSession, PingRequestIsEchoedWithAck) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, "00 02 0001 00000000 deadbeef"));
  EXPECT_EQ(drain_hex(s),
            "0002000200000000"
            "deadbeef");
  EXPECT_TRUE(drain_events(s).empty());
}

TEST(YamuxSession, UnrequestedPongIsIgnored) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, "00 02 0002 00000000 00000005"));
  EXPECT_TRUE(drain_events(s).empty());
  EXPECT_FALSE(s.error());
}

TEST(YamuxSession, KeepalivePingsMeasureRttAndTimeOut) {
  Config config;
  config.keepalive_interval = std::chrono::seconds(15);
  config.ping_timeout = std::chrono::seconds(10);
  Session s(Role::client, config, kT0);
  // The first ping leaves at once (opaque value 0); its timeout is the next deadline.
  EXPECT_EQ(drain_hex(s), "000200010000000000000000");
  EXPECT_EQ(s.poll_timeout(), kT0 + std::chrono::seconds(10));
  ASSERT_TRUE(feed(s, "000200020000000000000000", kT0 + std::chrono::milliseconds(7)));
  auto events = drain_events(s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::ping_rtt);
  EXPECT_EQ(events[0].rtt, std::chrono::milliseconds(7));
  EXPECT_EQ(s.poll_timeout(), kT0 + std::chrono::seconds(15));
  s.handle_timeout(kT0 + std::chrono::seconds(14));
  EXPECT_FALSE(s.has_outgoing());
  s.handle_timeout(kT0 + std::chrono::seconds(15));
  EXPECT_EQ(drain_hex(s), "000200010000000000000001");
  EXPECT_EQ(s.poll_timeout(), kT0 + std::chrono::seconds(25));
  // Unanswered for ping_timeout: the session fails with a GoAway(internal error).
  s.handle_timeout(kT0 + std::chrono::seconds(25));
  EXPECT_EQ(s.error(), Error::timeout);
  EXPECT_EQ(drain_hex(s), "000300000000000000000002");
  EXPECT_FALSE(s.poll_timeout());
}

TEST(YamuxSession, ExplicitPingSharesTheOutstandingOne) {
  Session s(Role::client, quiet_config(), kT0);
  EXPECT_FALSE(s.poll_timeout());
  ASSERT_TRUE(s.ping(kT0));
  ASSERT_TRUE(s.ping(kT0 + std::chrono::milliseconds(1)));
  EXPECT_EQ(drain_hex(s), "000200010000000000000000");
  EXPECT_EQ(s.poll_timeout(), kT0 + Config{}.ping_timeout);
  ASSERT_TRUE(feed(s, "000200020000000000000001", kT0 + std::chrono::milliseconds(2)));  // stale
  EXPECT_TRUE(drain_events(s).empty());
  ASSERT_TRUE(feed(s, "000200020000000000000000", kT0 + std::chrono::milliseconds(3)));
  auto events = drain_events(s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].rtt, std::chrono::milliseconds(3));
  EXPECT_FALSE(s.poll_timeout());
}

TEST(YamuxSession, GoAwayFromPeerStopsNewStreamsOnly) {
  Session s(Role::client, quiet_config(), kT0);
  const StreamId id = s.open_stream().value();
  drain_hex(s);
  ASSERT_TRUE(feed(s, "000300000000000000000000"));
  auto events = drain_events(s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::go_away);
  EXPECT_EQ(events[0].code, kGoAwayNormal);
  EXPECT_EQ(s.open_stream().error(), Error::session_closed);
  EXPECT_EQ(s.write(id, as_bytes("go on")).value(), 5u);
  ASSERT_TRUE(feed(s, "00 00 0000 00000001 00000001 21"));
  events = drain_events(s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(to_string(events[0].data), "!");
  EXPECT_FALSE(s.error());
}

TEST(YamuxSession, LocalGoAwayRefusesNewStreams) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, kSyn1));
  drain_hex(s);
  drain_events(s);
  s.go_away(7);
  s.go_away(8);  // once only
  EXPECT_EQ(drain_hex(s), "000300000000000000000007");
  EXPECT_EQ(s.open_stream().error(), Error::session_closed);
  ASSERT_TRUE(feed(s, "00 01 0001 00000003 00000000"));
  EXPECT_EQ(drain_hex(s), "000100080000000300000000");
  EXPECT_TRUE(drain_events(s).empty());
  EXPECT_EQ(s.write(1, as_bytes("a")).value(), 1u);  // existing streams go on
}

// A script exercising every frame type; fed whole, split at every offset, and byte by byte,
// it must produce the same output and events.
TEST(YamuxSession, AnyChunkingGivesTheSameResult) {
  const Bytes script = unhex(
      "00 01 0001 00000001 00000000"             // open 1
      "00 00 0000 00000001 00000005 68656c6c6f"  // "hello"
      "00 02 0001 00000000 00000063"             // ping 99
      "00 00 0001 00000003 00000003 616263"      // open 3 with "abc"
      "00 01 0000 00000003 00000010"             // +16 window
      "00 00 0004 00000001 00000002 2121"        // "!!" + FIN
      "00 01 0008 00000003 00000000"             // RST 3
      "00 03 0000 00000000 00000000");           // GoAway
  auto run = [&](const std::vector<std::size_t>& cuts) {
    Session s(Role::server, quiet_config(), kT0);
    std::size_t at = 0;
    for (std::size_t cut : cuts) {
      EXPECT_TRUE(s.handle_input(ByteView(script).subspan(at, cut - at), kT0));
      at = cut;
    }
    EXPECT_TRUE(s.handle_input(ByteView(script).subspan(at), kT0));
    std::string log = drain_hex(s) + "|";
    Bytes data;
    for (auto& e : drain_events(s)) {
      log += std::to_string(static_cast<int>(e.kind)) + ":" + std::to_string(e.stream) + ":" +
             std::to_string(e.code) + ",";
      if (e.kind == Kind::data) append(data, e.data);
    }
    return log + to_string(data);
  };
  const std::string whole = run({});
  EXPECT_EQ(whole,
            "000100020000000100000000"
            "000200020000000000000063"
            "000100020000000300000000"
            "|0:1:0,1:1:0,0:3:0,1:3:0,1:1:0,3:1:0,4:3:0,6:0:0,helloabc!!");
  for (std::size_t cut = 0; cut <= script.size(); ++cut) {
    ASSERT_EQ(run({cut}), whole) << cut;
  }
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < script.size(); ++i) every.push_back(i);
  EXPECT_EQ(run(every), whole);
}

TEST(YamuxSession, DataEventsCoalesceOnlyWhileSmall) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, kSyn1));
  drain_events(s);
  Bytes script;
  for (int i = 0; i < 3; ++i) {  // 3 x 40 KiB: the second would make one event exceed 64 KiB
    append_header(script, Header{FrameType::data, 0, 1, 40 * 1024});
    script.resize(script.size() + 40 * 1024, static_cast<std::uint8_t>(i));
  }
  for (int i = 0; i < 100; ++i) {  // small frames merge into the last event
    append_header(script, Header{FrameType::data, 0, 1, 10});
    script.resize(script.size() + 10, 9);
  }
  ASSERT_TRUE(s.handle_input(script, kT0));
  auto events = drain_events(s);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].data, Bytes(40 * 1024, 0));
  EXPECT_EQ(events[1].data, Bytes(40 * 1024, 1));
  EXPECT_EQ(events[2].data.size(), 40 * 1024 + 1000u);
}

TEST(YamuxSession, UndrainedEventsAreBounded) {
  Session s(Role::server, quiet_config(), kT0);
  ASSERT_TRUE(feed(s, kSyn1 + std::string("000100010000000300000000")));
  // One-byte frames alternating between two streams cannot coalesce.
  Bytes flood;
  for (std::size_t i = 0; i < kMaxPendingEvents / 2 + 1; ++i) {
    for (StreamId id : {1u, 3u}) {
      append_header(flood, Header{FrameType::data, 0, id, 1});
      flood.push_back(0);
    }
  }
  auto r = s.handle_input(flood, kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::limit_exceeded);
}

TEST(YamuxSession, PingFloodWithoutReadingIsBounded) {
  Session s(Role::server, quiet_config(), kT0);
  Bytes flood;
  const std::size_t count = (kMaxOutgoingBytes + kMaxOutgoingControlBytes) / kHeaderSize + 2;
  for (std::size_t i = 0; i < count; ++i) {
    append_header(flood, Header{FrameType::ping, kFlagSyn, 0, static_cast<std::uint32_t>(i)});
  }
  auto r = s.handle_input(flood, kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::limit_exceeded);
  EXPECT_LE(s.outgoing_size(), kMaxOutgoingBytes + kMaxOutgoingControlBytes + 2 * kHeaderSize);
}

TEST(YamuxSession, ConfigIsClamped) {
  Config config = quiet_config();
  config.max_streams = 100000;
  config.max_window = 1;
  Session s(Role::server, config, kT0);
  Bytes syns;
  for (StreamId id = 1; id <= 2 * kMaxStreams + 1; id += 2) {
    append_header(syns, Header{FrameType::window_update, kFlagSyn, id, 0});
  }
  ASSERT_TRUE(s.handle_input(syns, kT0));
  EXPECT_EQ(s.stream_count(), kMaxStreams);
}

}  // namespace
}  // namespace ipfsa::proto::yamux
