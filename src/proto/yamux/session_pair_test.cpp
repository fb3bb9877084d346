// Two sessions wired back to back: many concurrent streams, window growth, back-pressure.
#include <gtest/gtest.h>

#include <map>

#include "proto/yamux/session.hpp"
#include "proto/yamux/test_util.hpp"

namespace ipfsa::proto::yamux {
namespace {

using namespace testing;
using Kind = Event::Kind;

constexpr std::size_t kOffer = 256 * 1024;  // bytes offered per write() call

// Stream data is a byte pattern: byte i of a stream is (i + seed) mod 256.
const Bytes& pattern() {
  static const Bytes p = [] {
    Bytes b(kOffer + 256);
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
    return b;
  }();
  return p;
}

std::uint8_t seed_of(StreamId id, Role sender) {
  return static_cast<std::uint8_t>(id * 7 + (sender == Role::client ? 0 : 101));
}

struct Peer {
  Peer(Role r, std::size_t total, bool consume)
      : role(r), session(r, Config{}, kT0), to_send(total), consume(consume) {}

  struct Outbound {
    std::size_t sent = 0;
    bool blocked = false;
    bool closed = false;
  };
  struct Inbound {
    std::size_t received = 0;
    bool fin = false;
  };
  Role role;
  Session session;
  std::size_t to_send;
  bool consume;
  std::map<StreamId, Outbound> out;
  std::map<StreamId, Inbound> in;
  std::uint32_t max_receive_window = 0;
  std::size_t resets = 0;

  // Writes whatever windows allow; true if anything was taken.
  bool write_some() {
    bool progress = false;
    for (auto& [id, o] : out) {
      while (!o.blocked && o.sent < to_send) {
        const std::size_t offer = std::min(kOffer, to_send - o.sent);
        const std::size_t skew = (o.sent + seed_of(id, role)) % 256;
        auto n = session.write(id, ByteView(pattern()).subspan(skew, offer));
        EXPECT_TRUE(n);
        o.sent += *n;
        progress |= *n > 0;
        if (*n < offer) o.blocked = true;
      }
      if (o.sent == to_send && !o.closed) {
        EXPECT_TRUE(session.close_write(id));
        o.closed = true;
        progress = true;
      }
    }
    return progress;
  }

  void handle_events() {
    while (auto e = session.poll()) {
      switch (e->kind) {
        case Kind::inbound_stream:
          out[e->stream];
          break;
        case Kind::data: {
          auto& i = in[e->stream];
          const Role sender = role == Role::client ? Role::server : Role::client;
          const std::uint8_t seed = seed_of(e->stream, sender);
          for (std::size_t k = 0; k < e->data.size(); ++k) {
            if (e->data[k] != static_cast<std::uint8_t>(i.received + k + seed)) {
              ADD_FAILURE() << "corrupt data on stream " << e->stream;
              break;
            }
          }
          i.received += e->data.size();
          max_receive_window = std::max(max_receive_window, session.receive_window(e->stream));
          if (consume) session.consumed(e->stream, e->data.size());
          break;
        }
        case Kind::writable:
          out[e->stream].blocked = false;
          break;
        case Kind::remote_closed:
          in[e->stream].fin = true;
          break;
        case Kind::reset:
          ++resets;
          break;
        case Kind::ping_rtt:
        case Kind::go_away:
          break;
      }
    }
  }
};

// Moves a's outgoing bytes into b in pseudo-random chunks; true if any bytes moved.
bool transfer(Peer& a, Peer& b, std::uint32_t& rng, TimePoint now) {
  Bytes wire;
  a.session.poll_transmit(wire);
  std::size_t at = 0;
  while (at < wire.size()) {
    rng = rng * 1664525u + 1013904223u;
    const std::size_t chunk = std::min<std::size_t>(wire.size() - at, 1 + (rng >> 8) % 70000);
    EXPECT_TRUE(b.session.handle_input(ByteView(wire).subspan(at, chunk), now));
    at += chunk;
  }
  return !wire.empty();
}

// Runs until neither side can make progress.
void pump(Peer& client, Peer& server, TimePoint& now, int max_rounds = 100000) {
  std::uint32_t rng = 12345;
  for (int round = 0; round < max_rounds; ++round) {
    now += std::chrono::microseconds(100);
    bool progress = client.write_some();
    progress |= server.write_some();
    progress |= transfer(client, server, rng, now);
    progress |= transfer(server, client, rng, now);
    client.handle_events();
    server.handle_events();
    if (!progress && !client.session.has_outgoing() && !server.session.has_outgoing()) return;
  }
  ADD_FAILURE() << "no quiescence after " << max_rounds << " rounds";
}

TEST(YamuxPair, HundredStreamsOneMebibyteEachWay) {
  constexpr std::size_t kStreams = 100;
  constexpr std::size_t kSize = 1024 * 1024;
  Peer client(Role::client, kSize, true);
  Peer server(Role::server, kSize, true);
  for (std::size_t i = 0; i < kStreams; ++i) client.out[client.session.open_stream().value()];
  TimePoint now = kT0;
  pump(client, server, now);

  ASSERT_EQ(server.out.size(), kStreams);
  for (Peer* p : {&client, &server}) {
    SCOPED_TRACE(p->role == Role::client ? "client" : "server");
    EXPECT_FALSE(p->session.error());
    EXPECT_EQ(p->resets, 0u);
    ASSERT_EQ(p->in.size(), kStreams);
    for (const auto& [id, i] : p->in) {
      EXPECT_EQ(i.received, kSize) << id;
      EXPECT_TRUE(i.fin) << id;
    }
    // Both sides sent FIN on every stream: all state is freed.
    EXPECT_EQ(p->session.stream_count(), 0u);
    // The consumer keeps up (RTT known from the first keepalive ping): windows grew.
    EXPECT_GT(p->max_receive_window, kInitialWindow);
    EXPECT_LE(p->max_receive_window, kMaxWindow);
  }
}

TEST(YamuxPair, ConsumerThatNeverConsumesStallsTheSenderAtTheWindow) {
  constexpr std::size_t kSize = 1024 * 1024;
  Peer client(Role::client, kSize, true);
  Peer server(Role::server, 0, false);  // reads events but never calls consumed()
  const StreamId id = client.session.open_stream().value();
  client.out[id];
  TimePoint now = kT0;
  pump(client, server, now);

  EXPECT_EQ(client.out[id].sent, kInitialWindow);
  EXPECT_TRUE(client.out[id].blocked);
  EXPECT_EQ(client.session.send_window(id), 0u);
  EXPECT_EQ(server.in[id].received, kInitialWindow);
  EXPECT_FALSE(client.session.error());
  EXPECT_FALSE(server.session.error());

  // Consuming now releases the rest, one window update at a time.
  server.consume = true;
  server.session.consumed(id, server.in[id].received);
  pump(client, server, now);
  EXPECT_EQ(server.in[id].received, kSize);
  EXPECT_TRUE(server.in[id].fin);
}

TEST(YamuxPair, StreamsOpenedByBothSides) {
  Peer client(Role::client, 100000, true);
  Peer server(Role::server, 100000, true);
  for (int i = 0; i < 5; ++i) {
    client.out[client.session.open_stream().value()];
    server.out[server.session.open_stream().value()];
  }
  TimePoint now = kT0;
  pump(client, server, now);
  for (Peer* p : {&client, &server}) {
    EXPECT_EQ(p->in.size(), 10u);
    for (const auto& [id, i] : p->in) EXPECT_EQ(i.received, 100000u) << id;
    EXPECT_EQ(p->session.stream_count(), 0u);
  }
}

}  // namespace
}  // namespace ipfsa::proto::yamux
