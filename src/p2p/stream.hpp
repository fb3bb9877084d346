// A Yamux stream as the application sees it: coroutine reads and writes with back-pressure.
// Stream is a cheap handle (shared state); the connection keeps the state alive while the stream
// is open. All calls run on the connection's io_context thread.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "io/asio.hpp"
#include "io/signal.hpp"
#include "proto/multistream/multistream.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::p2p {

class Connection;

// Peers whose identify agent starts with this accept a FIN together with an optimistic protocol
// proposal (our own implementation); to anyone else the FIN is sent after their answer.
inline constexpr std::string_view kEarlyFinAgentPrefix = "ipfs-accelerate/";

// Shared between a Stream handle and its Connection. Internal to p2p/.
struct StreamState {
  StreamState(io::asio::any_io_executor ex, std::uint32_t stream_id)
      : id(stream_id), negotiated(ex), readable(ex), writable(ex) {}
  std::uint32_t id;
  std::string protocol;
  std::deque<Bytes> inbox;     // received, not yet read (bounded by the Yamux receive window)
  std::size_t inbox_offset = 0;  // bytes of inbox.front() already read
  Bytes pushback;                // bytes read past a protocol negotiation, returned to the reader
                                 // first (their window credit was already given)
  // Optimistic negotiation: the proposal went out with the first data; the listener's answer is
  // checked at the first read.
  std::unique_ptr<proto::multistream::Dialer> pending_negotiation;
  bool negotiation_running = false;   // a coroutine is reading the listener's answer
  bool fin_after_negotiation = false;  // close_write() came first: FIN once the answer is in
                                       // (js-libp2p loses a FIN that arrives with the proposal)
  boost::system::error_code negotiation_error;
  io::Signal negotiated;
  bool remote_closed = false;    // FIN received: reads drain the inbox, then return 0
  bool local_closed = false;     // we sent FIN
  boost::system::error_code error;  // reset or connection failure: every call fails with it
  io::Signal readable;
  io::Signal writable;
};

class Stream {
 public:
  Stream() = default;
  Stream(std::shared_ptr<Connection> connection, std::shared_ptr<StreamState> state)
      : connection_(std::move(connection)), state_(std::move(state)) {}

  // Reads at least one byte into `out`; returns 0 at end of stream (the peer closed its side).
  // On an optimistically negotiated stream the first read checks the listener's answer first:
  // negotiation_failed (and the stream is reset) if it refused the protocol.
  io::Task<Result<std::size_t>> read_some(std::span<std::uint8_t> out);
  // Reads until the peer closes its write side. too_large past `max_size` (the stream is reset).
  io::Task<Result<Bytes>> read_to_end(std::size_t max_size);
  // Reads exactly out.size() bytes; truncated if the stream ends first.
  io::Task<Result<void>> read_exact(std::span<std::uint8_t> out);
  // Reads one uvarint-length-prefixed message of at most max_size bytes.
  io::Task<Result<Bytes>> read_length_prefixed(std::size_t max_size);
  // Returns once all of `data` is queued within the peer's flow-control window.
  io::Task<Result<void>> write(ByteView data);
  // Half-close: sends FIN. Reading stays possible. On an optimistically negotiated stream the FIN
  // waits for the listener's answer (read in the background if nobody reads), unless the peer
  // identified as one of our nodes (kEarlyFinAgentPrefix).
  Result<void> close_write();
  // Abortive close: sends RST; pending reads and writes fail.
  void reset();
  // Returns bytes a negotiation read too far to the front of the stream.
  void unread(Bytes bytes);
  void set_protocol(std::string protocol) { state_->protocol = std::move(protocol); }
  // Marks the stream's negotiation as sent but not yet confirmed (see Host::new_stream).
  void set_pending_negotiation(std::unique_ptr<proto::multistream::Dialer> dialer) {
    state_->pending_negotiation = std::move(dialer);
  }

  const std::string& protocol() const noexcept { return state_->protocol; }
  std::uint32_t id() const noexcept { return state_->id; }
  const wire::PeerId& remote_peer() const;
  Connection& connection() const noexcept { return *connection_; }
  bool valid() const noexcept { return state_ != nullptr; }

 private:
  io::Task<Result<std::size_t>> read_available(std::span<std::uint8_t> out);
  io::Task<Result<void>> confirm_negotiation();

  std::shared_ptr<Connection> connection_;
  std::shared_ptr<StreamState> state_;
};

}  // namespace ipfsa::p2p
