// Ping (libp2p specs, ping/ping.md), without I/O, clock or RNG: the dialer sends 32 random bytes,
// the listener echoes them, the dialer measures the round trip; repeatable on one stream. The
// caller supplies the random payload and `now`. Both sides are proto::ConnectionEngines
// (proto/engine/engine.hpp).
//
//   Initiator ping;                                     // on a stream negotiated to kProtocolId
//   ping.start(random_payload, now);
//   while (ping.poll_transmit(out)) write(out);
//   arm a timer at ping.poll_timeout(); on expiry: ping.handle_timeout(clock.now());
//   for each read: if (auto r = ping.handle_input(bytes, clock.now()); !r) fail(r.error());
//   while (auto e = ping.poll()) e->kind == rtt ? report(e->rtt) : fail(timeout);
//
//   Responder echo;                                     // on an inbound ping stream
//   for each read: echo.handle_input(bytes, now); while (echo.poll_transmit(out)) write(out);
//   at end of stream: close
#pragma once

#include <array>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "proto/engine/engine.hpp"

namespace ipfsa::proto::ping {

inline constexpr std::string_view kProtocolId = "/ipfs/ping/1.0.0";
inline constexpr std::size_t kPayloadSize = 32;
// How long the initiator waits for an echo (js-libp2p TIMEOUT).
inline constexpr Duration kTimeout = std::chrono::seconds(10);
// Streams: the dialer keeps at most 1 outbound ping stream per peer, the listener accepts at
// most 2 inbound ones (spec; js-libp2p MAX_OUTBOUND_STREAMS / MAX_INBOUND_STREAMS).
inline constexpr std::size_t kMaxOutboundStreams = 1;
inline constexpr std::size_t kMaxInboundStreams = 2;

using Payload = std::array<std::uint8_t, kPayloadSize>;

struct PingEvent {
  enum class Kind {
    rtt,        // the echo of the ping in flight arrived after `rtt`; start() may be called again
    timed_out,  // no full echo within kTimeout of start(): the ping failed (final)
  } kind;
  Duration rtt{};
};

class Initiator {
 public:
  using Event = PingEvent;
  using Transmit = proto::Transmit;

  // Starts one ping: queues the payload for poll_transmit(). REQUIRES: !in_flight() and not
  // failed. `payload` must come from a CSPRNG (the spec asks for random bytes; a predictable one
  // lets a relay fake the echo).
  void start(const Payload& payload, TimePoint now);

  // Feeds echoed bytes in any chunking; the complete echo yields an `rtt` event. Errors:
  // protocol_violation (the echo differs from the payload, or bytes arrive beyond it or with no
  // ping in flight), final: later calls, and any call after a `timed_out` event, return
  // invalid_state.
  Result<void> handle_input(ByteView data, TimePoint now);
  // At or after poll_timeout() with the echo incomplete: the ping fails with a `timed_out` event.
  void handle_timeout(TimePoint now);

  std::optional<Transmit> poll_transmit(Bytes& out);
  // When the current ping times out (sent + kTimeout); nullopt when none is in flight.
  std::optional<TimePoint> poll_timeout() const;
  std::optional<Event> poll();

  bool in_flight() const noexcept { return in_flight_; }

 private:
  Payload payload_{};
  std::size_t received_ = 0;  // bytes of the echo matched so far
  TimePoint sent_{};
  bool in_flight_ = false;
  bool unsent_ = false;  // start() queued the payload; poll_transmit() has not taken it
  std::optional<Event> event_;
  boost::system::error_code error_;
};

class Responder {
 public:
  using Event = NoEvent;
  using Transmit = proto::Transmit;

  // Queues the echo of every complete kPayloadSize block received so far, keeping up to
  // kPayloadSize - 1 bytes of a block in progress. Never fails: ping bytes are opaque.
  Result<void> handle_input(ByteView data, TimePoint now);
  void handle_timeout(TimePoint) {}  // the listener has no deadline (the shell bounds idleness)

  std::optional<Transmit> poll_transmit(Bytes& out);
  std::optional<TimePoint> poll_timeout() const { return std::nullopt; }
  std::optional<Event> poll() { return std::nullopt; }

  // True when no partial block is pending: an end of stream here is clean (otherwise the
  // spec-following peer was cut off mid-payload; the pending bytes are not echoed).
  bool at_boundary() const noexcept { return pending_size_ == 0; }

 private:
  Payload pending_{};
  std::size_t pending_size_ = 0;
  Bytes echo_;  // complete blocks not yet taken by poll_transmit()
};

static_assert(ConnectionEngine<Initiator>);
static_assert(ConnectionEngine<Responder>);

}  // namespace ipfsa::proto::ping
