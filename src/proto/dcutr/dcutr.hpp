// Direct Connection Upgrade through Relay (libp2p specs, relay/DCUtR.md), without I/O, clock or
// RNG: the HolePunch codec, the two sides of the exchange on one /libp2p/dcutr stream, the filter
// for the addresses a CONNECT carries, and who plays the client on the punched TCP connection.
//
//   message HolePunch {                   // proto2, uvarint-length-prefixed, body <= 4 KiB
//     enum Type { CONNECT = 100; SYNC = 300; }
//     optional Type type = 1;
//     repeated bytes ObsAddrs = 2;        // binary multiaddrs
//   }
//
// Roles (the spec's letters). A dialled B through a relay, so the relayed connection is
// *inbound* at B. B, the peer whose inbound relayed connection it is, runs the Initiator: it opens
// the stream, measures the RTT and sends SYNC. A, which opened the relayed connection, runs the
// Responder on the stream it accepts.
//
//   B (Initiator)                           A (Responder)
//   start(own, t0): CONNECT(own B) ------>  connect event {B's addrs}; app: respond(own A, t)
//   CONNECT(A) arrives at t1  <-----------  CONNECT(own A)
//   rtt = t1 - t0; SYNC -------------------> dial event {B's addrs} at once
//   poll_timeout() = t1 + rtt/2: dial event {A's addrs}
//
// Both sides then dial each other at about the same moment (a TCP simultaneous open); on the
// connection that comes out of it A runs the handshakes as the client: is_security_initiator().
//
// An error from handle_input() (or a timed_out event) is final: the engine drops what it had
// queued (events and bytes) and refuses further input with invalid_state; the shell resets the
// stream. start() and respond() errors change nothing.
//
// B's shell, per attempt (kMaxAttempts in all, each within kStreamTimeout + kDialTimeout):
//   dcutr::Initiator hp(dcutr::AddrFilter{.remote = peer});   // on a new stream, kProtocolId
//   if (auto r = hp.start(own_public_addrs, clock.now()); !r) give_up(r.error());
//   while (hp.poll_transmit(out)) write(out);
//   for each read: if (auto r = hp.handle_input(bytes, clock.now()); !r) reset(r.error());
//   arm a timer at hp.poll_timeout(); on expiry: hp.handle_timeout(clock.now());
//   while (auto e = hp.poll()) e->kind == Kind::dial ? dial_all(e->addrs) : fail(timeout);
// A's shell: dcutr::Responder hp(clock.now(), filter); on the `connect` event call
// hp.respond(own_public_addrs, clock.now()); on the `dial` event dial e->addrs at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "proto/engine/engine.hpp"
#include "wire/length_prefixed.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::dcutr {

inline constexpr std::string_view kProtocolId = "/libp2p/dcutr";

// The largest message body we accept or send (spec: "SHOULD refuse ... larger than 4 KiB"; go's
// maxMsgSize, js MAX_DCUTR_MESSAGE_SIZE). Give it to the LengthPrefixedReader: checked on the
// length prefix, before anything is buffered.
inline constexpr std::size_t kMaxMessageSize = 4 * 1024;
// ObsAddrs per message, checked before each one is stored (go and js set no count of their own;
// 4 KiB of 2-byte entries would be ~1300). As identify's kMaxListenAddrs.
inline constexpr std::size_t kMaxAddrs = 128;
// One ObsAddrs entry (a multiaddr never needs more).
inline constexpr std::size_t kMaxAddrSize = wire::kMaxMultiaddrSize;
// Attempts of the whole exchange before the upgrade counts as failed (spec: "SHOULD retry twice
// (thus a total of 3 attempts)"; go maxRetries, js retries).
inline constexpr std::size_t kMaxAttempts = 3;
// The deadline of one exchange: B from start() until A's CONNECT, A from the stream's start (or
// from a retry's CONNECT) until the SYNC, its own respond() included. js bounds a whole attempt,
// stream opening and dial included, by 5 s; go sets a 1 minute stream deadline. 10 s outlasts
// js's budget (so we never give up before a js peer does) and keeps a stuck peer from holding a
// stream for a minute; an RTT that large makes the punch's timing useless anyway.
inline constexpr Duration kStreamTimeout = std::chrono::seconds(10);
// What the shell gives one attempt's dials (go dialTimeout / directDialTimeout, js timeout).
inline constexpr Duration kDialTimeout = std::chrono::seconds(5);

// ---- Codec -----------------------------------------------------------------------------------

enum class Type : std::uint32_t {
  connect = 100,
  sync = 300,
};

struct HolePunch {
  Type type = Type::connect;
  std::vector<Bytes> obs_addrs;  // binary multiaddrs as sent, unvalidated (may be /quic-v1 ...)
  friend bool operator==(const HolePunch&, const HolePunch&) = default;
};

// Protobuf body, without the length prefix, in js's field order (type, then ObsAddrs). Does not
// enforce kMaxMessageSize (the engines check what they send).
Bytes encode(const HolePunch& message);
// uvarint(length) || encode(message): what goes on the stream.
Bytes frame(const HolePunch& message);

// Decodes one message body. Unknown fields are skipped; a repeated `type` keeps the last.
// Errors: too_large (body above kMaxMessageSize, or an ObsAddrs entry above kMaxAddrSize),
// limit_exceeded (more than kMaxAddrs entries), malformed (no type, a known field with the wrong
// wire type, a type above 32 bits, or bad protobuf), truncated, unsupported (a type other than
// CONNECT or SYNC: js's decoder refuses those too).
Result<HolePunch> decode(ByteView message);

// ---- Addresses -------------------------------------------------------------------------------

// Which of a peer's ObsAddrs we would dial.
struct AddrFilter {
  // When set, an address whose /p2p names another peer is dropped.
  std::optional<wire::PeerId> remote;
  // Keep loopback, private, link-local, shared (100.64/10) and documentation addresses (tests,
  // peers on one LAN). Off: only globally routable ones are kept, as js's isPublicAndDialable.
  bool allow_private = false;
};

struct Dialable {
  std::vector<wire::Multiaddr> addrs;  // in the peer's order, duplicates removed
  std::size_t dropped = 0;             // entries that did not pass (for logs)
};

// The addresses of `obs_addrs` we can dial for a hole punch: they parse (wire::Multiaddr; others,
// e.g. /quic-v1, are skipped), are not relayed (/p2p-circuit: punching through a relay is what we
// avoid), are TCP (<ip4|ip6|dns|dns4|dns6>/tcp/<port>[/p2p/<id>], all we dial), with a non-zero
// port and an IP that is not unspecified, multicast, broadcast or reserved, and (unless
// allow_private) not private.
Dialable dialable_addrs(std::span<const Bytes> obs_addrs, const AddrFilter& filter);

// ---- Roles -----------------------------------------------------------------------------------

enum class Role {
  initiator,  // B: opened the /libp2p/dcutr stream (its relayed connection is inbound), sends SYNC
  responder,  // A: accepted the stream (it dialled the relayed connection), dials on SYNC
};

// For the TCP connection a punch produces, where both peers called connect(): whether this side
// runs the security handshake (Noise) as the initiator, and with it the multistream-select dialer
// and the Yamux client. Spec (libp2p/specs PR 361): "A is assumed to be the client and B the
// server" for all protocols on that connection; js (B dials with initiator: false) and go's
// default agree. A connection the punch made arrive at our listener keeps the listener's roles.
constexpr bool is_security_initiator(Role our_role) noexcept { return our_role == Role::responder; }

// ---- Engines ---------------------------------------------------------------------------------

struct DcutrEvent {
  enum class Kind {
    connect,    // Responder only: B's CONNECT arrived with `addrs`; call respond()
    dial,       // dial `addrs` now (B: rtt/2 after A's CONNECT; A: as the SYNC arrives)
    timed_out,  // the exchange missed kStreamTimeout (final: the stream is done)
  } kind;
  std::vector<wire::Multiaddr> addrs;  // connect, dial: the peer's dialable addresses, non-empty
  std::size_t dropped_addrs = 0;       // connect, dial: the peer's entries dialable_addrs dropped
  Duration rtt{};  // dial: B's measured RTT; A's time from respond() to SYNC (for logs)
};

// B. One attempt per start(); retries either make a fresh Initiator on a fresh stream (what go
// and js do, and what their responders expect: they close the stream after one SYNC) or call
// start() again on this one after its `dial` event (the spec's "reusing the same stream"), up to
// kMaxAttempts.
class Initiator {
 public:
  using Event = DcutrEvent;
  using Transmit = proto::Transmit;

  explicit Initiator(AddrFilter filter = {});

  // Queues CONNECT with `own_addrs` (relayed ones are left out: the peer could not punch them)
  // and starts the RTT clock and the kStreamTimeout deadline. Errors, with nothing changed:
  // invalid_state (an attempt is in flight, the engine failed, or kMaxAttempts were started),
  // not_found (no direct address to offer: go and js refuse such a CONNECT), limit_exceeded (more
  // than kMaxAddrs), too_large (the message would exceed kMaxMessageSize).
  Result<void> start(std::span<const wire::Multiaddr> own_addrs, TimePoint now);

  // A's CONNECT, in any chunking: measures the RTT, queues SYNC and sets the dial time (at once
  // when rtt/2 rounds to zero). Errors (final; later calls give invalid_state): protocol_violation
  // (bytes while no CONNECT is awaited, bytes after it in the same input, a SYNC, a CONNECT
  // without addresses), unsupported (none of its addresses is dialable), and the reader's and
  // decode()'s errors.
  Result<void> handle_input(ByteView data, TimePoint now);
  // At or after poll_timeout(): the dial time gives the `dial` event; the deadline, `timed_out`.
  void handle_timeout(TimePoint now);

  std::optional<Transmit> poll_transmit(Bytes& out);
  // The dial time while waiting to dial; start + kStreamTimeout while awaiting CONNECT.
  std::optional<TimePoint> poll_timeout() const;
  std::optional<Event> poll();

  // True when no partial message is buffered: an end of stream here is clean.
  bool at_boundary() const noexcept { return reader_.at_boundary(); }
  std::size_t attempts() const noexcept { return attempts_; }

 private:
  enum class State { idle, awaiting_connect, waiting_to_dial, failed };
  Result<void> on_message(ByteView body, TimePoint now);
  Result<void> fail(boost::system::error_code ec);
  Result<void> fail(Error e) { return fail(make_error_code(e)); }

  AddrFilter filter_;
  wire::LengthPrefixedReader reader_{kMaxMessageSize};
  State state_ = State::idle;
  std::size_t attempts_ = 0;
  TimePoint sent_{};     // when CONNECT was queued: the RTT's start and the deadline's
  TimePoint dial_at_{};  // waiting_to_dial
  Duration rtt_{};
  Dialable remote_;  // A's addresses, held until the dial time
  Bytes out_;
  std::deque<Event> events_;
  boost::system::error_code error_;
};

// A. Accepts up to kMaxAttempts rounds on its stream: after a SYNC it waits, with no deadline of
// its own, for a retry's CONNECT (spec step 6) until the shell ends the stream (it closes its
// side when its dial settles; go and js Bs never send a second CONNECT).
class Responder {
 public:
  using Event = DcutrEvent;
  using Transmit = proto::Transmit;

  // `now`: when the stream was accepted; the first CONNECT and SYNC are due kStreamTimeout later.
  explicit Responder(TimePoint now, AddrFilter filter = {});

  // Answers the CONNECT of the last `connect` event. Errors, with nothing changed: invalid_state
  // (no CONNECT awaits an answer, or the engine failed), and start()'s not_found, limit_exceeded,
  // too_large.
  Result<void> respond(std::span<const wire::Multiaddr> own_addrs, TimePoint now);

  // B's CONNECT (a `connect` event) and, after respond(), its SYNC (a `dial` event with the
  // CONNECT's addresses). Errors (final): protocol_violation (a message out of order, bytes while
  // our answer is pending, a CONNECT without addresses), limit_exceeded (a CONNECT beyond
  // kMaxAttempts rounds), unsupported (no dialable address), the reader's and decode()'s errors.
  Result<void> handle_input(ByteView data, TimePoint now);
  void handle_timeout(TimePoint now);

  std::optional<Transmit> poll_transmit(Bytes& out);
  // round start + kStreamTimeout while a round is open; nullopt between rounds.
  std::optional<TimePoint> poll_timeout() const;
  std::optional<Event> poll();

  bool at_boundary() const noexcept { return reader_.at_boundary(); }
  std::size_t rounds() const noexcept { return rounds_; }

 private:
  enum class State { awaiting_connect, awaiting_respond, awaiting_sync, between_rounds, failed };
  Result<void> on_message(ByteView body, TimePoint now);
  Result<void> fail(boost::system::error_code ec);
  Result<void> fail(Error e) { return fail(make_error_code(e)); }

  AddrFilter filter_;
  wire::LengthPrefixedReader reader_{kMaxMessageSize};
  State state_ = State::awaiting_connect;
  std::size_t rounds_ = 0;
  TimePoint round_start_{};
  TimePoint responded_{};
  Dialable remote_;  // B's addresses from this round's CONNECT
  Bytes out_;
  std::deque<Event> events_;
  boost::system::error_code error_;
};

static_assert(ConnectionEngine<Initiator>);
static_assert(ConnectionEngine<Responder>);

}  // namespace ipfsa::proto::dcutr
