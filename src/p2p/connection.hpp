// One upgraded libp2p connection: TCP or a relayed stream (p2p/pipe.hpp) (+ pnet) + Noise +
// Yamux, driven by three coroutines
// (read loop, write loop, timer loop) on the host's io_context. Owns the sans-I/O engines
// (proto/noise SecureChannel, proto/yamux Session) and the per-stream state.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "io/asio.hpp"
#include "io/signal.hpp"
#include "p2p/pipe.hpp"
#include "p2p/stream.hpp"
#include "proto/noise/handshake.hpp"
#include "proto/pnet/protector.hpp"
#include "proto/yamux/session.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::p2p {

// Bytes of ciphertext waiting for the socket above which writers wait for the socket to drain.
inline constexpr std::size_t kMaxConnectionWriteBuffer = 8 * 1024 * 1024;
// Bytes per socket read, into one buffer shared by all connections of a thread (so it costs no
// memory per connection). Large reads mean fewer readiness waits under bulk load: 256 KiB gave
// 8.5-10.1 Gbit/s sustained on one stream, 4 MiB 11.3-12.0 (docs/performance.md).
inline constexpr std::size_t kReadChunkSize = 4 * 1024 * 1024;
// Bytes per read of a relayed connection (its own buffer, held while the connection lives).
inline constexpr std::size_t kRelayedReadChunkSize = 64 * 1024;
// The writer encrypts and sends the session's queued bytes in slices of this much plaintext (a
// whole number of Noise frames), so each slice's ciphertext is still in cache when the kernel
// copies it.
inline constexpr std::size_t kEncryptSlice = 4 * proto::noise::kMaxPlaintextSize;
// After close(), queued bytes (the GoAway) get this long to reach a peer before the socket is
// closed anyway: a peer that stopped reading cannot hold a connection open.
inline constexpr Duration kCloseFlushTimeout = std::chrono::seconds(2);
// Write buffers above this capacity are released when the writer goes idle.
inline constexpr std::size_t kRetainedWriteBuffer = 256 * 1024;

enum class Direction { inbound, outbound };

// What identify told us about the remote (empty until it completes).
struct RemoteInfo {
  std::string agent_version;
  std::string protocol_version;
  std::vector<std::string> protocols;
  std::vector<wire::Multiaddr> listen_addrs;
  std::optional<wire::Multiaddr> observed_addr;  // how the remote sees us
  bool identified = false;
};

// The secured byte pipe an upgrade hands over to the connection.
struct SecuredPipe {
  Pipe pipe;
  std::optional<proto::pnet::Protector> pnet;
  proto::noise::SecureChannel channel;
  Bytes plaintext;  // already decrypted bytes that belong to the muxer
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using InboundHandler = std::function<void(Stream)>;
  using ClosedHandler = std::function<void(Connection&, boost::system::error_code)>;

  Connection(SecuredPipe secured, Direction direction, wire::PeerId remote_peer,
             wire::Multiaddr remote_addr, proto::yamux::Config config);
  ~Connection();

  // Starts the loops. Handlers run on the io_context thread.
  void start(InboundHandler on_inbound, ClosedHandler on_closed);
  // Opens a Yamux stream (no protocol negotiation: see Host::new_stream).
  Result<Stream> open_stream();
  // Closes with GoAway; idempotent. `reason` is logged.
  void close(boost::system::error_code reason);
  bool is_open() const noexcept { return !closed_; }

  const wire::PeerId& remote_peer() const noexcept { return remote_peer_; }
  const wire::Multiaddr& remote_addr() const noexcept { return remote_addr_; }
  Direction direction() const noexcept { return direction_; }
  TimePoint opened_at() const noexcept { return opened_at_; }
  std::uint64_t id() const noexcept { return id_; }
  std::size_t stream_count() const noexcept { return streams_.size(); }
  RemoteInfo& remote_info() noexcept { return remote_info_; }
  const RemoteInfo& remote_info() const noexcept { return remote_info_; }
  std::optional<Duration> last_rtt() const noexcept { return last_rtt_; }
  io::asio::any_io_executor executor() { return executor_; }
  // Whether the connection runs through a circuit relay (its remote_addr has /p2p-circuit).
  bool relayed() const noexcept { return relayed_; }

  // Used by Stream.
  Result<std::size_t> stream_write(StreamState& s, ByteView data);
  Result<void> stream_close_write(StreamState& s);
  void stream_reset(StreamState& s);
  void stream_consumed(StreamState& s, std::size_t n);
  bool write_buffer_full() const noexcept { return pending_cipher_ > kMaxConnectionWriteBuffer; }
  io::Task<void> wait_write_drained() { co_await drained_.wait(); }

 private:
  io::Task<void> read_loop(std::shared_ptr<Connection> self);
  io::Task<void> read_socket(io::tcp::socket& socket);
  io::Task<void> read_relayed();
  // Decrypts and hands one read's bytes to the session; false when the connection closed.
  bool take_input(std::span<std::uint8_t> data);
  io::Task<void> write_loop(std::shared_ptr<Connection> self);
  io::Task<void> timer_loop(std::shared_ptr<Connection> self);
  void process_events();
  void kick() { wake_writer_.notify(); }
  void fail_all_streams(boost::system::error_code ec);
  void forget_if_done(StreamState& s);

  static std::uint64_t next_id();

  Pipe pipe_;
  io::asio::any_io_executor executor_;
  bool relayed_;
  std::optional<proto::pnet::Protector> pnet_;
  proto::noise::SecureChannel channel_;
  proto::yamux::Session session_;
  Direction direction_;
  wire::PeerId remote_peer_;
  wire::Multiaddr remote_addr_;
  TimePoint opened_at_;
  std::uint64_t id_;
  Bytes initial_plaintext_;

  std::unordered_map<std::uint32_t, std::shared_ptr<StreamState>> streams_;
  io::Signal wake_writer_;
  io::Signal wake_timer_;
  io::Signal drained_;
  io::asio::steady_timer flush_deadline_;
  std::size_t pending_cipher_ = 0;
  bool closed_ = false;
  bool writer_done_ = false;
  RemoteInfo remote_info_;
  std::optional<Duration> last_rtt_;
  InboundHandler on_inbound_;
  ClosedHandler on_closed_;
};

}  // namespace ipfsa::p2p
