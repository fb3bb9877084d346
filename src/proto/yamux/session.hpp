// A Yamux session without I/O (libp2p/specs yamux/README.md, interop target @chainsafe/libp2p-yamux
// 8.x and go-yamux). Bytes and `now` go in; frames to send, events and a deadline come out.
//
// A proto::ConnectionEngine (proto/engine/engine.hpp): after every handle_input(), command or
// handle_timeout() the caller drains poll_transmit() and poll() (in either order, until both are
// empty), then re-arms its timer at poll_timeout(). Single-threaded; no method throws.
//
// Flow control: every stream starts with kInitialWindow in each direction. write() never queues
// more than the peer's window (nor more than kMaxOutgoingBytes undrained): it returns how much it
// took and a `writable` event says when to try again. Received data is credited back to the peer
// only when the application calls consumed(), so a reader that stops consuming stops the peer
// after one window. The receive window doubles (up to Config::max_window) when the application
// consumed half a window within 4 RTTs of the previous update (RTT from our pings), like go-yamux.
//
// Errors: a fatal error (peer protocol violation, ping timeout, event queue overflow) queues a
// GoAway, after which error() is set, handle_input() returns it and commands fail with session_closed.
#pragma once

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "proto/engine/engine.hpp"
#include "proto/yamux/frame.hpp"

namespace ipfsa::proto::yamux {

// Spec "Flow Control": every stream starts with a 256 KiB window.
inline constexpr std::uint32_t kInitialWindow = 256 * 1024;
// Largest receive window we grow to (go-yamux and js default).
inline constexpr std::uint32_t kMaxWindow = 16 * 1024 * 1024;
// Open inbound streams, and separately open outbound streams, per session. The spec's ACK
// backlog is 256; inbound SYNs beyond the limit are answered with RST.
inline constexpr std::size_t kMaxStreams = 256;
// Largest data frame payload we send. Inbound frames may be as large as the receive window.
inline constexpr std::size_t kMaxFramePayload = 64 * 1024;
// write() stops taking data while this many bytes wait in the outgoing buffer.
inline constexpr std::size_t kMaxOutgoingBytes = 4 * 1024 * 1024;
// Control frames the peer provokes (ping replies, RSTs) may exceed kMaxOutgoingBytes by this
// much; beyond it the peer is not reading and the session fails with limit_exceeded.
inline constexpr std::size_t kMaxOutgoingControlBytes = 64 * 1024;
// Undrained events; beyond it the session fails with limit_exceeded. Data events for the same
// stream coalesce, so this only trips when the caller does not drain events after handle_input().
inline constexpr std::size_t kMaxPendingEvents = 64 * 1024;

enum class Role { client, server };  // client = dialer = odd stream ids, server = even

struct Config {
  std::size_t max_streams = kMaxStreams;  // clamped to [1, kMaxStreams]
  std::uint32_t max_window = kMaxWindow;  // clamped to [kInitialWindow, kMaxWindow]
  // Keepalive ping period; zero disables keepalive (and the first ping, sent at construction).
  Duration keepalive_interval = std::chrono::seconds(15);
  // A ping unanswered this long fails the session with Error::timeout.
  Duration ping_timeout = std::chrono::seconds(10);
};

struct Event {
  enum class Kind {
    inbound_stream,  // the peer opened `stream` (we already ACKed it)
    data,            // `data` arrived on `stream`; call consumed() once it is processed
    writable,        // `stream` can take more bytes after write() took less than offered
    remote_closed,   // the peer half-closed `stream` (FIN): no more data will arrive
    reset,           // the peer reset `stream`; it is gone
    ping_rtt,        // a ping of ours was answered after `rtt`
    go_away,         // the peer sent GoAway with reason `code`: no new outbound streams
  } kind;
  StreamId stream = 0;
  Bytes data;
  Duration rtt{};
  std::uint32_t code = 0;
};

class Session {
 public:
  using Event = yamux::Event;
  using Transmit = proto::Transmit;

  // With keepalive enabled, queues a first ping at once (as js does) so the RTT is known early.
  Session(Role role, Config config, TimePoint now);

  // Feeds bytes from the network, in any chunking. Errors (all fatal; a GoAway is queued):
  // protocol_violation (version, type, flags, stream ids, parity, reused id, window
  // overflow), window_exceeded (data beyond the receive window), limit_exceeded (the
  // caller did not drain events or outgoing bytes). After an error, returns it again.
  Result<void> handle_input(ByteView bytes, TimePoint now);
  // Sends keepalive pings when due; a ping unanswered for ping_timeout fails the session.
  void handle_timeout(TimePoint now);

  // Opens an outbound stream (queues WINDOW_UPDATE+SYN). Errors: session_closed (failed, or a
  // GoAway was sent or received), too_many_streams (max_streams outbound streams open).
  Result<StreamId> open_stream();
  // Queues up to the stream's send window (and the outgoing budget) of `data`; returns how many
  // bytes were taken, 0 if none: then wait for a `writable` event for this stream.
  // Errors: stream_closed (unknown, reset, or after close_write), session_closed.
  Result<std::size_t> write(StreamId id, ByteView data);
  // Half-closes our direction (FIN). Errors: stream_closed, session_closed.
  Result<void> close_write(StreamId id);
  // Resets the stream (RST) and forgets it. No-op for unknown streams.
  void reset(StreamId id);
  // The application processed `n` bytes of `id`'s received data; may queue a window update.
  // Uses the `now` of the latest handle_input()/handle_timeout()/ping() call for window tuning.
  void consumed(StreamId id, std::size_t n);
  // Queues GoAway(code) once: no new streams either way; existing streams go on.
  void go_away(std::uint32_t code = kGoAwayNormal);
  // Sends a ping unless one is outstanding (whose answer then serves); answered by a ping_rtt
  // event. Errors: session_closed.
  Result<void> ping(TimePoint now);

  // Appends everything queued for the network to `out` (swaps buffers when `out` is empty);
  // nullopt when nothing was queued.
  std::optional<Transmit> poll_transmit(Bytes& out);
  bool has_outgoing() const { return !out_.empty(); }
  std::size_t outgoing_size() const { return out_.size(); }
  std::optional<Event> poll();
  // The next ping or ping-timeout instant; nullopt when nothing is scheduled or after an error.
  std::optional<TimePoint> poll_timeout() const;

  boost::system::error_code error() const { return error_; }
  std::size_t stream_count() const { return streams_.size(); }
  bool is_open(StreamId id) const { return streams_.contains(id); }
  // Flow-control introspection (0 for unknown streams): the peer's remaining window for our
  // data, and our current receive window size for the peer's data.
  std::uint32_t send_window(StreamId id) const;
  std::uint32_t receive_window(StreamId id) const;
  std::optional<Duration> rtt() const { return rtt_; }

 private:
  struct Stream {
    bool outbound = false;
    bool local_closed = false;   // we sent FIN
    bool remote_closed = false;  // we received FIN
    bool write_blocked = false;  // write() took less than offered; owe a `writable` event
    std::uint32_t send_window = kInitialWindow;  // bytes we may still send
    std::uint32_t recv_window = kInitialWindow;  // current receive window size
    // Invariant: recv_credit + unconsumed + pending_credit == recv_window.
    std::uint32_t recv_credit = kInitialWindow;  // bytes the peer may still send
    std::uint32_t unconsumed = 0;                // received, not yet consumed()
    std::uint32_t pending_credit = 0;            // consumed, not yet announced to the peer
    TimePoint epoch;                             // when we last sent a window update
  };

  Result<void> on_header(const Header& h);
  Result<void> on_ping(const Header& h);
  Result<void> on_stream_frame(const Header& h);
  Result<void> on_window_update(const Header& h, Stream* s);
  Result<void> on_data_header(const Header& h, Stream* s);
  void on_payload(ByteView chunk);
  void apply_close_flags(StreamId id, std::uint16_t flags);
  void maybe_send_window_update(Stream& s, StreamId id);
  void free_stream(StreamId id);
  Stream* find(StreamId id);
  bool is_peer_id(StreamId id) const;
  void queue(FrameType type, std::uint16_t flags, StreamId id, std::uint32_t length);
  void push_event(Event event);
  void send_ping();
  boost::system::error_code fail(Error error, std::uint32_t go_away_code);

  Role role_;
  Config config_;
  std::unordered_map<StreamId, Stream> streams_;
  StreamId next_id_;
  std::size_t inbound_count_ = 0;
  std::size_t outbound_count_ = 0;

  // Frame parser: header bytes collected so far, then the current data frame's payload.
  std::uint8_t header_buf_[kHeaderSize] = {};
  std::size_t header_fill_ = 0;
  Header frame_;
  std::uint32_t payload_left_ = 0;
  bool payload_to_stream_ = false;  // deliver the payload, or discard it

  Bytes out_;
  std::deque<Event> events_;
  bool budget_blocked_ = false;  // a write() stopped at kMaxOutgoingBytes

  TimePoint now_;
  TimePoint next_keepalive_;
  std::optional<std::uint32_t> ping_id_;  // outstanding ping
  TimePoint ping_sent_;
  std::uint32_t next_ping_id_ = 0;
  std::optional<Duration> rtt_;

  bool local_go_away_ = false;
  bool remote_go_away_ = false;
  boost::system::error_code error_;
};

static_assert(ConnectionEngine<Session>);

}  // namespace ipfsa::proto::yamux
