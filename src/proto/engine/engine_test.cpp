// The engine concepts accept the one shape and reject near misses (each engine's own header
// asserts its conformance; these prove the concepts can fail).
#include "proto/engine/engine.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ipfsa::proto {
namespace {

struct Echo {  // the smallest ConnectionEngine: echoes its input
  using Event = NoEvent;
  using Transmit = proto::Transmit;
  Result<void> handle_input(ByteView in, TimePoint) {
    append(queued, in);
    return {};
  }
  void handle_timeout(TimePoint) {}
  std::optional<Transmit> poll_transmit(Bytes& out) {
    if (queued.empty()) return std::nullopt;
    append(out, queued);
    const Transmit t{queued.size()};
    queued.clear();
    return t;
  }
  std::optional<TimePoint> poll_timeout() const { return std::nullopt; }
  std::optional<Event> poll() { return std::nullopt; }
  Bytes queued;
};

struct OldNames {  // the names engines had before they shared one shape
  using Event = NoEvent;
  Result<void> receive(ByteView, TimePoint) { return {}; }
  void append_outgoing(Bytes&) {}
  std::optional<TimePoint> next_deadline() const { return std::nullopt; }
  std::optional<Event> next_event() { return std::nullopt; }
};

struct NoTimeout : Echo {  // everything but handle_timeout
  void handle_timeout(TimePoint) = delete;
};

struct WrongTimeout : Echo {  // poll_timeout() not optional
  TimePoint poll_timeout() const { return {}; }
};

struct Router {  // an EndpointEngine: names its peers
  using Peer = std::string;
  using Event = NoEvent;
  struct Transmit {
    std::string peer;
    std::size_t size = 0;
  };
  Result<void> handle_input(const Peer&, ByteView, TimePoint) { return {}; }
  void handle_timeout(TimePoint) {}
  std::optional<Transmit> poll_transmit(Bytes&) { return std::nullopt; }
  std::optional<TimePoint> poll_timeout() const { return std::nullopt; }
  std::optional<Event> poll() { return std::nullopt; }
};

static_assert(ConnectionEngine<Echo>);
static_assert(!EndpointEngine<Echo>);
static_assert(!Engine<OldNames>);
static_assert(!Engine<NoTimeout>);
static_assert(!Engine<WrongTimeout>);
static_assert(EndpointEngine<Router>);
static_assert(!ConnectionEngine<Router>);  // its Transmit names a peer, its input takes one

// A generic shell step written against the concept alone: feed, then drain.
template <ConnectionEngine E>
Bytes step(E& engine, ByteView in, TimePoint now) {
  Bytes out;
  EXPECT_TRUE(engine.handle_input(in, now));
  while (auto t = engine.poll_transmit(out)) EXPECT_LE(t->size, out.size());
  while (engine.poll()) {
  }
  return out;
}

TEST(Engine, GenericShellStepDrivesAConformingEngine) {
  Echo echo;
  const Bytes in{1, 2, 3};
  EXPECT_EQ(step(echo, in, TimePoint{}), in);
  EXPECT_TRUE(step(echo, {}, TimePoint{}).empty());
}

}  // namespace
}  // namespace ipfsa::proto
