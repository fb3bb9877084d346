// multistream-select 1.0 (multiformats/multistream-select; libp2p connections spec, "Protocol
// Negotiation"), without I/O. Every message is `uvarint(n) || text || '\n'` where n counts the
// newline. Both sides send the header "/multistream/1.0.0" first; the dialer then proposes protocol
// ids one at a time, and the listener echoes a supported one or answers "na". Once a protocol is
// agreed, every following byte belongs to that protocol: take_remaining() hands over whatever
// arrived in the same read as the accepting line.
//
// Driving either side (same shape for Dialer and Listener):
//   if (negotiator.poll_transmit(out)) write(out);         // the first flight can go at once
//   while (!negotiator.done()) {
//     auto ok = negotiator.handle_input(co_await read(), now);  // an error is final: reset
//     if (negotiator.poll_transmit(out)) write(out);
//   }
//   protocol = negotiator.protocol(); leftover = negotiator.take_remaining();
//
// Deviations from js-libp2p: the listener sends its header without waiting for the dialer's (the
// spec allows both sides to send it at once; go-libp2p does the same), answers a repeated header
// with "na" instead of the header again, and bounds proposals per stream (kMaxProposals).
// Not supported: the simultaneous-open extension (/libp2p/simultaneous-connect).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "proto/engine/engine.hpp"
#include "wire/length_prefixed.hpp"

namespace ipfsa::proto::multistream {

inline constexpr std::string_view kProtocolId = "/multistream/1.0.0";
inline constexpr std::string_view kNotAvailable = "na";
inline constexpr std::string_view kList = "ls";
// The largest length prefix we accept: text plus '\n' (js-libp2p and go-multistream use 1024 too).
inline constexpr std::size_t kMaxMessageSize = 1024;
inline constexpr std::size_t kMaxProtocolIdSize = kMaxMessageSize - 1;
// A listener answers at most this many proposals (including "ls") per stream.
inline constexpr std::size_t kMaxProposals = 32;

// Appends `uvarint(text.size() + 1) || text || '\n'`. REQUIRES: text.size() <= kMaxProtocolIdSize.
void append_message(Bytes& out, std::string_view text);
// The text of one message body (the bytes after the length prefix) without its trailing '\n'.
// Errors: protocol_violation (empty, or not ending in '\n').
Result<std::string> parse_message(ByteView body);

// What both sides report once, when the negotiation is over (also readable as protocol()).
struct Negotiated {
  std::string protocol;
};

namespace detail {

// What Dialer and Listener share: the proto::ConnectionEngine methods (proto/engine/engine.hpp;
// no deadlines: the shell bounds a negotiation as a whole, and `now` is accepted for the shape
// and unused), the message reader, the outgoing buffer and the bytes after the accepted line.
// `Side` supplies on_message(text) and protocol().
template <class Side>
class Negotiator {
 public:
  using Event = Negotiated;
  using Transmit = proto::Transmit;

  // Appends what must be sent now; nullopt when nothing is queued.
  std::optional<Transmit> poll_transmit(Bytes& out);
  // Feeds bytes read from the peer, in any chunking. Errors are final (later calls return
  // invalid_state); each side lists its own.
  Result<void> handle_input(ByteView data, TimePoint now);
  void handle_timeout(TimePoint) {}
  std::optional<TimePoint> poll_timeout() const { return std::nullopt; }
  // Negotiated{protocol()}, once, after done().
  std::optional<Event> poll();

  bool done() const noexcept { return phase_ == Phase::done; }
  // Bytes that followed the accepting line (and anything fed after done()); they belong to the
  // negotiated protocol. Clears the buffer.
  Bytes take_remaining() { return std::exchange(remaining_, Bytes{}); }

 protected:
  enum class Phase { await_header, negotiating, done, failed };
  Phase phase_ = Phase::await_header;
  Bytes outgoing_;

 private:
  wire::LengthPrefixedReader reader_{kMaxMessageSize};
  Bytes remaining_;
  bool reported_ = false;  // poll() handed out Negotiated
};

}  // namespace detail

// The initiating side of a stream or connection upgrade: proposes `protocols` in order. The
// first poll_transmit() pipelines the header and the first proposal. handle_input errors:
// protocol_violation (the first message is not the header, an answer is neither the proposal nor
// "na", a line without '\n'), too_large / non_canonical / malformed (length prefix),
// negotiation_failed (every proposal was refused).
class Dialer : public detail::Negotiator<Dialer> {
 public:
  // REQUIRES: protocols non-empty; each non-empty, at most kMaxProtocolIdSize bytes, without
  // '\n', and neither "na" nor "ls".
  explicit Dialer(std::vector<std::string> protocols);

  // The accepted protocol. REQUIRES: done().
  const std::string& protocol() const { return protocols_[current_]; }

 private:
  friend class detail::Negotiator<Dialer>;
  Result<void> on_message(const std::string& text);

  std::vector<std::string> protocols_;
  std::size_t current_ = 0;
};

// The accepting side: answers proposals against a fixed list of supported protocol ids. What
// poll_transmit() hands out: our header (queued at construction), "na" answers, "ls" listings
// and, last, the echo of the accepted protocol. handle_input errors: protocol_violation (the
// first message is not the header, a line without '\n'), limit_exceeded (more than kMaxProposals
// proposals), too_large / non_canonical / malformed (length prefix).
class Listener : public detail::Negotiator<Listener> {
 public:
  // REQUIRES: each supported id satisfies the same rules as Dialer's protocols.
  explicit Listener(std::vector<std::string> supported);

  // REQUIRES: done().
  const std::string& protocol() const { return supported_[accepted_]; }

 private:
  friend class detail::Negotiator<Listener>;
  Result<void> on_message(const std::string& text);
  void append_listing();

  std::vector<std::string> supported_;
  std::size_t accepted_ = 0;
  std::size_t proposals_ = 0;
};

static_assert(ConnectionEngine<Dialer>);
static_assert(ConnectionEngine<Listener>);

}  // namespace ipfsa::proto::multistream
