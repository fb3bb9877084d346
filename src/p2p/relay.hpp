// Circuit relay v2 over Host streams (docs/wire/relay.md), beside the Host as ping and identify
// are. The relayed transport itself (dialling through a relay, accepting a relay's stop CONNECT)
// is the Host's (p2p/circuit.cpp); this file holds the two services around it:
//
//   RelayServer  the relay: /libp2p/circuit/relay/0.2.0/hop. RESERVE books a slot for the
//                asking peer (proto/relay Reservations: TTL, per-IP and total bounds) and
//                answers with our addresses, a signed voucher and the circuit Limit; CONNECT
//                opens a stop stream to a peer holding a reservation and splices the two streams,
//                cutting the circuit at its Limit (bytes per direction, duration). A reservation
//                ends with its TTL or with the reserving peer's connection.
//   RelayClient  a private node's reservations: on up to `max_relays` relays it was told of,
//                RESERVE, advertise <relay addr>/p2p/<relay>/p2p-circuit as our listen address
//                (Host::set_relay_addrs, so identify and everything that publishes our
//                addresses carries it), renew `renew_margin` before the expiry, and find another
//                relay when one refuses or its connection goes.
//
// Threading: REQUIRES the Host's io_context thread for every call.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "base/time.hpp"
#include "p2p/host.hpp"
#include "proto/relay/relay.hpp"
#include "proto/relay/reservations.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::p2p {

// Bytes moved per read while splicing a circuit.
inline constexpr std::size_t kSpliceChunk = 64 * 1024;
// Relays a private node holds reservations on at once.
inline constexpr std::size_t kMaxRelays = 3;
// Relays a client remembers as candidates.
inline constexpr std::size_t kMaxRelayCandidates = 32;
// A reservation is renewed this long before it expires.
inline constexpr Duration kRenewMargin = std::chrono::minutes(5);
// After a refused or failed reservation, that relay is asked again only after this long.
inline constexpr Duration kReserveRetry = std::chrono::seconds(30);

struct RelayServerStats {
  std::size_t reservations = 0;
  std::size_t circuits = 0;
  proto::relay::RelayCounters counters;
  std::uint64_t circuits_cut_data = 0;      // circuits ended at their data limit
  std::uint64_t circuits_cut_duration = 0;  // circuits ended at their duration limit
};

class RelayServer {
 public:
  RelayServer(Host& host, proto::relay::Limits limits = {});
  ~RelayServer();
  RelayServer(const RelayServer&) = delete;
  RelayServer& operator=(const RelayServer&) = delete;

  // Registers the hop protocol (and starts counting reservations against connections).
  void start();
  // Unregisters it; reservations are dropped, running circuits end.
  void stop();
  bool running() const noexcept { return running_; }
  RelayServerStats stats() const;

 private:
  struct Circuit;
  io::Task<void> serve_hop(Stream stream);
  io::Task<void> reserve(Stream& stream);
  io::Task<void> connect(Stream stream, const proto::relay::HopMessage& request);
  io::Task<void> pump(Stream from, Stream to, std::shared_ptr<Circuit> circuit, bool forward);
  io::Task<void> watch_duration(std::shared_ptr<Circuit> circuit);
  std::vector<Bytes> public_addrs() const;

  Host& host_;
  proto::relay::Reservations reservations_;
  bool running_ = false;
  bool disconnect_hooked_ = false;
  std::uint64_t cut_data_ = 0;
  std::uint64_t cut_duration_ = 0;
  std::vector<std::weak_ptr<Circuit>> circuits_;
  std::shared_ptr<bool> alive_;  // false once destroyed: coroutines still running check it
};

struct RelayReservation {
  wire::PeerId relay;
  std::uint64_t expire = 0;                 // UTC unix seconds, as the relay said
  std::vector<wire::Multiaddr> circuit_addrs;  // ours through it
  std::optional<proto::relay::Limit> limit;
};

class RelayClient {
 public:
  struct Config {
    std::size_t max_relays = kMaxRelays;
    Duration renew_margin = kRenewMargin;
    Duration retry = kReserveRetry;
  };
  RelayClient(Host& host, Config config);
  ~RelayClient();
  RelayClient(const RelayClient&) = delete;
  RelayClient& operator=(const RelayClient&) = delete;

  // A relay we may reserve on (bootstrap peers, registry, DHT, a peer whose identify lists the
  // hop protocol). The address, when given, must lead to it (it ends with its /p2p).
  void add_candidate(const wire::PeerId& relay, std::optional<wire::Multiaddr> addr = {});
  // An identified connection: its peer is a candidate when it relays (identify lists the hop
  // protocol) and we reached it directly.
  void consider(const Connection& connection);
  // Starts reserving on candidates, up to max_relays at once; stop() lets them lapse (the Host
  // stops advertising the relayed addresses at once).
  void start();
  void stop();
  bool running() const noexcept { return running_; }
  std::vector<RelayReservation> reservations() const;
  // RESERVE on `relay` once (dialling it if needed) and, on success, record and advertise it.
  io::Task<Result<RelayReservation>> reserve(const wire::PeerId& relay);

 private:
  io::Task<void> keep(wire::PeerId relay, std::shared_ptr<bool> alive);
  void fill();
  void publish();

  Host& host_;
  Config config_;
  bool running_ = false;
  std::map<wire::PeerId, std::optional<wire::Multiaddr>> candidates_;
  std::map<wire::PeerId, RelayReservation> held_;
  std::map<wire::PeerId, TimePoint> failed_at_;
  std::map<wire::PeerId, std::shared_ptr<bool>> keepers_;  // relay -> its keeper's alive flag
  std::shared_ptr<bool> alive_;
};

}  // namespace ipfsa::p2p
