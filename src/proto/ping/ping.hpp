// Ping (libp2p specs, ping/ping.md), without I/O, clock or RNG: the dialer sends 32 random bytes,
// the listener echoes them, the dialer measures the round trip; repeatable on one stream. The
// caller supplies the random payload and `now`.
//
//   Initiator ping;                                     // on a stream negotiated to kProtocolId
//   write(ping.start(random_payload, now));
//   while (true) {                                      // until ping.deadline() passes
//     auto rtt = ping.receive(co_await read(), clock.now());
//     if (!rtt) fail(rtt.error());  else if (*rtt) { report(**rtt); break; }
//   }
//
//   Responder echo;                                     // on an inbound ping stream
//   for each read: write(echo.receive(bytes));          // at end of stream: close
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"

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

class Initiator {
 public:
  // Starts one ping: returns the bytes to send. REQUIRES: !in_flight(). `payload` must come from
  // a CSPRNG (the spec asks for random bytes; a predictable one lets a relay fake the echo).
  Bytes start(const Payload& payload, TimePoint now);

  // Feeds echoed bytes in any chunking. Returns the RTT once all kPayloadSize bytes arrived (the
  // ping is then over and start() may be called again), nullopt while incomplete. Errors (final;
  // later calls return invalid_state): protocol_violation (the echo differs from the payload, or
  // bytes arrive beyond it or with no ping in flight).
  Result<std::optional<Duration>> receive(ByteView data, TimePoint now);

  bool in_flight() const noexcept { return in_flight_; }
  // When the current ping times out (sent + kTimeout); nullopt when none is in flight.
  std::optional<TimePoint> deadline() const;

 private:
  Payload payload_{};
  std::size_t received_ = 0;  // bytes of the echo matched so far
  TimePoint sent_{};
  bool in_flight_ = false;
  bool failed_ = false;
};

class Responder {
 public:
  // Returns the echo of every complete kPayloadSize block received so far, keeping up to
  // kPayloadSize - 1 bytes of a block in progress. Never fails: ping bytes are opaque.
  Bytes receive(ByteView data);
  // True when no partial block is pending: an end of stream here is clean (otherwise the
  // spec-following peer was cut off mid-payload; the pending bytes are not echoed).
  bool at_boundary() const noexcept { return pending_size_ == 0; }

 private:
  Payload pending_{};
  std::size_t pending_size_ = 0;
};

}  // namespace ipfsa::proto::ping
