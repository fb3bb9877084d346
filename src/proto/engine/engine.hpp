// The one shape of every protocol engine in proto/ (the sans-I/O model of quinn-proto's
// Connection and Endpoint): bytes and `now` go in; bytes to send, events and the next deadline
// come out. An engine does no I/O, reads no clock and draws no randomness (random values are
// inputs too), so byte vectors and fuzzers drive it exactly as the I/O shell in p2p/ does.
//
//   handle_input(bytes, now)     the peer's bytes, in any chunking (an EndpointEngine also names
//                                the peer they came from). Errors are the engine's to document.
//   handle_timeout(now)          the deadline of poll_timeout() passed (calling it early or twice
//                                is harmless: the engine acts only on what is due).
//   poll_transmit(buf)           appends the next bytes to send to `buf` and says how many (and,
//                                for an EndpointEngine, to whom); nullopt when nothing is queued.
//   poll_timeout()               when handle_timeout() is due next; nullopt for none.
//   poll()                       the next event for the application; nullopt when none.
//
// After every input (handle_input, handle_timeout or a command of the engine's own, such as
// yamux's write()), the shell drains poll_transmit() and poll() until both are empty, in either
// order, then re-arms its timer at poll_timeout(). Engines that never time out answer nullopt
// from poll_timeout(); engines with nothing to tell answer nullopt from poll() (Event = NoEvent).
#pragma once

#include <concepts>
#include <cstddef>
#include <optional>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"

namespace ipfsa::proto {

// What poll_transmit() appended: the last `size` bytes of the caller's buffer. Engines whose
// messages the shell frames (Noise) hand out one message per call.
struct Transmit {
  std::size_t size = 0;
};

// Event type of an engine that reports nothing beyond its bytes (ping's responder).
struct NoEvent {};

// The common part: outputs and time.
template <class E>
concept Engine = requires(E& e, const E& ce, TimePoint now, Bytes& buf) {
  typename E::Event;
  typename E::Transmit;
  { e.handle_timeout(now) } -> std::same_as<void>;
  { e.poll_transmit(buf) } -> std::same_as<std::optional<typename E::Transmit>>;
  { ce.poll_timeout() } -> std::same_as<std::optional<TimePoint>>;
  { e.poll() } -> std::same_as<std::optional<typename E::Event>>;
  { std::declval<typename E::Transmit&>().size } -> std::convertible_to<std::size_t>;
};

// An engine for one connection or stream: its input is the peer's bytes.
template <class E>
concept ConnectionEngine = Engine<E> && std::same_as<typename E::Transmit, Transmit> &&
                           requires(E& e, ByteView in, TimePoint now) {
                             { e.handle_input(in, now) } -> std::same_as<Result<void>>;
                           };

// An engine for many peers (gossipsub's router): input names its sender, output its receiver.
template <class E>
concept EndpointEngine =
    Engine<E> && requires(E& e, const typename E::Peer& peer, ByteView in, TimePoint now) {
      { e.handle_input(peer, in, now) } -> std::same_as<Result<void>>;
      { std::declval<typename E::Transmit&>().peer } -> std::convertible_to<const typename E::Peer&>;
    };

}  // namespace ipfsa::proto
