// A libp2p host: listens and dials over TCP, upgrades connections (pnet? -> Noise -> Yamux), keeps
// one connection per peer, negotiates stream protocols with multistream-select and dispatches
// inbound streams to handlers. Runs identify (+ push, p2p/identify.hpp) and ping (p2p/ping.hpp).
// Single-threaded: every method must be called on the io_context thread.
// REQUIRES: the io_context is stopped (not running) when the Host is destroyed; coroutines the
// host spawned refer to it.
#pragma once

#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/secret.hpp"
#include "base/time.hpp"
#include "crypto/ed25519.hpp"
#include "io/asio.hpp"
#include "p2p/address_book.hpp"
#include "p2p/connection.hpp"
#include "p2p/identify.hpp"
#include "p2p/ping.hpp"
#include "p2p/stream.hpp"
#include "p2p/upgrade.hpp"
#include "proto/identify/identify.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::p2p {

inline constexpr std::string_view kProtocolVersion = "ipfs/0.1.0";
inline constexpr std::size_t kMaxConnections = 512;
// Concurrent inbound handshakes (upgrades), in all and from one source address. A newcomer is
// never refused for them: the oldest unfinished handshake (of that address, or of all) is closed
// to make room (docs/wire/connection.md, "Handshake floods").
inline constexpr std::size_t kMaxPendingInbound = 64;
inline constexpr std::size_t kMaxPendingInboundPerAddress = 16;
// Closing handshakes to make room is logged once per burst: again only after this long without.
inline constexpr Duration kEvictionLogQuiet = std::chrono::seconds(10);
inline constexpr std::size_t kMaxStreamHandlers = 64;   // registered protocols
// A relay's answer to our hop CONNECT, and the initiator's stop CONNECT to us, must arrive within
// this (js-libp2p DEFAULT_HOP_TIMEOUT).
inline constexpr Duration kHopTimeout = std::chrono::seconds(30);
// Relayed addresses we advertise (our reservations' /p2p-circuit addresses).
inline constexpr std::size_t kMaxRelayAddrs = 16;

struct HostConfig {
  crypto::Ed25519KeyPair identity;
  std::optional<SecretBytes> psk;  // libp2p pnet v1 swarm key
  std::string agent_version;       // "ipfs-accelerate/<version>"
  Duration dial_timeout = std::chrono::seconds(10);
  Duration handshake_step_timeout = std::chrono::seconds(10);  // each handshake/negotiation read
  Duration upgrade_timeout = kUpgradeTimeout;                   // the whole upgrade
  Duration negotiate_timeout = std::chrono::seconds(10);       // stream protocol negotiation
  proto::yamux::Config yamux{};
  bool inline_muxer_negotiation = true;  // Noise extensions stream_muxers (else multistream)
  // new_stream() with a single protocol sends the proposal with the first data and checks the
  // answer at the first read (one round trip less per stream, as js-libp2p does).
  bool optimistic_negotiation = true;
  std::size_t max_connections = kMaxConnections;
  Duration hop_timeout = kHopTimeout;
};

class Host {
 public:
  using StreamHandler = std::function<io::Task<void>(Stream)>;
  using ConnectionHandler = std::function<void(Connection&)>;

  Host(io::asio::io_context& context, HostConfig config);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  const wire::PeerId& peer_id() const noexcept { return peer_id_; }
  const HostConfig& config() const noexcept { return config_; }
  io::asio::io_context& context() noexcept { return context_; }

  // Binds and starts accepting. Port 0 picks a free port; the returned address is the real one.
  Result<wire::Multiaddr> listen(const wire::Multiaddr& addr);
  // Bound addresses; wildcard binds (0.0.0.0, ::) are expanded to loopback + interface addresses;
  // then the relayed addresses of our reservations (set_relay_addrs).
  std::vector<wire::Multiaddr> listen_addrs() const;
  // Our /p2p-circuit addresses (<relay addr>/p2p/<relay>/p2p-circuit), at most kMaxRelayAddrs;
  // pushed to connected peers by identify-push when they change.
  void set_relay_addrs(std::vector<wire::Multiaddr> addrs);
  const std::vector<wire::Multiaddr>& relay_addrs() const noexcept { return relay_addrs_; }

  // Returns the existing connection to the peer or dials (addr may carry /p2p/<id>; if it does,
  // the remote must prove that identity). A relayed address
  // (<relay>/p2p/<relay id>/p2p-circuit/p2p/<id>) dials the relay (or uses our connection to it),
  // asks it to CONNECT us to <id> (circuit relay v2 hop) and upgrades the relayed stream like a
  // TCP connection (docs/wire/relay.md).
  io::Task<Result<std::shared_ptr<Connection>>> dial(const wire::Multiaddr& addr);
  // Dials a peer by ID through the address book.
  io::Task<Result<std::shared_ptr<Connection>>> dial(const wire::PeerId& peer);
  // Opens a stream to `peer` (dialling if needed) and negotiates the first protocol it accepts.
  // With one protocol and HostConfig::optimistic_negotiation, returns at once: a refusal shows
  // as negotiation_failed at the stream's first read.
  io::Task<Result<Stream>> new_stream(const wire::PeerId& peer, std::vector<std::string> protocols);
  io::Task<Result<Stream>> new_stream(Connection& connection, std::vector<std::string> protocols);

  // Registers the handler for inbound streams that negotiate `protocol`. Replaces an existing one.
  void set_stream_handler(std::string protocol, StreamHandler handler);
  void remove_stream_handler(const std::string& protocol);
  std::vector<std::string> protocols() const;

  void on_connect(ConnectionHandler handler) { connect_handlers_.push_back(std::move(handler)); }
  void on_disconnect(ConnectionHandler handler) { disconnect_handlers_.push_back(std::move(handler)); }
  // Fires when identify of a connection completed.
  void on_identify(ConnectionHandler handler) { identify_handlers_.push_back(std::move(handler)); }

  // The connection to `peer` that carries traffic: a direct one when we have one.
  std::shared_ptr<Connection> connection(const wire::PeerId& peer) const;
  // A relayed connection kept open beside a direct one (hole punching replaced it): it takes over
  // if the direct one closes. nullptr if none.
  std::shared_ptr<Connection> fallback(const wire::PeerId& peer) const;
  std::vector<std::shared_ptr<Connection>> connections() const;
  AddressBook& address_book() noexcept { return address_book_; }
  const PingService& ping_service() const noexcept { return ping_service_; }

  // Sends `count` pings on one /ipfs/ping/1.0.0 stream; calls on_rtt after each.
  io::Task<Result<void>> ping(const wire::PeerId& peer, int count, Duration interval,
                              std::function<void(int seq, Result<Duration>)> on_rtt);
  // Sends identify-push to every connected peer (after our listen addresses or protocols change).
  void push_identify();

  // Inbound handshakes in progress, and how many were closed to make room for newer ones.
  std::size_t pending_inbound() const noexcept { return pending_live_; }
  std::uint64_t evicted_inbound() const noexcept { return evicted_inbound_; }

  // Stops listening, ends pending inbound handshakes and closes every connection.
  void close();

 private:
  io::Task<void> accept_loop(std::shared_ptr<io::tcp::acceptor> acceptor);
  struct PendingInbound {
    PendingInbound(io::asio::any_io_executor ex, io::asio::ip::address a)
        : source(a), evict(ex, io::asio::steady_timer::time_point::max()) {}
    io::asio::ip::address source;
    io::asio::steady_timer evict;  // expires (at once) when the handshake is to be closed
    bool evicted = false;
  };
  using PendingList = std::list<PendingInbound>;
  io::Task<void> handle_inbound_socket(io::tcp::socket socket, PendingList::iterator pending);
  void make_room_for(const io::asio::ip::address& source);
  void evict(PendingInbound& pending);
  std::shared_ptr<Connection> adopt(struct Upgraded upgraded, Direction direction,
                                    wire::Multiaddr remote_addr);
  void dispatch_inbound(Stream stream);
  io::Task<void> serve_inbound(Stream stream);
  io::Task<void> identify_remote(std::shared_ptr<Connection> connection);
  // p2p/circuit.cpp: the relayed transport (dialer: hop CONNECT; listener: stop CONNECT).
  io::Task<Result<std::shared_ptr<Connection>>> dial_relayed(const wire::Multiaddr& addr);
  io::Task<void> serve_stop(Stream stream);
  UpgradeConfig upgrade_config() const;
  void connection_closed(Connection& c);
  proto::identify::PeerInfo self_info() const;

  io::asio::io_context& context_;
  HostConfig config_;
  wire::PeerId peer_id_;
  std::vector<std::shared_ptr<io::tcp::acceptor>> acceptors_;
  std::vector<wire::Multiaddr> bound_;
  std::map<std::string, StreamHandler> handlers_;
  std::unordered_map<wire::PeerId, std::shared_ptr<Connection>> connections_;
  std::unordered_map<wire::PeerId, std::shared_ptr<Connection>> fallbacks_;  // relayed, idle
  std::vector<wire::Multiaddr> relay_addrs_;
  AddressBook address_book_;
  PingService ping_service_;  // p2p/ping.hpp
  IdentifyService identify_;  // p2p/identify.hpp
  PendingList pending_;  // inbound handshakes in accept order (oldest first)
  std::size_t pending_live_ = 0;  // entries of pending_ not evicted
  std::uint64_t evicted_inbound_ = 0;
  std::optional<TimePoint> last_eviction_;
  std::vector<ConnectionHandler> connect_handlers_;
  std::vector<ConnectionHandler> disconnect_handlers_;
  std::vector<ConnectionHandler> identify_handlers_;
};

}  // namespace ipfsa::p2p
