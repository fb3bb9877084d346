// What the service surface (dashboard, JSON API, GitHub-compatible proxy, MCP server, metrics)
// needs from the node. The node implements it; tests implement it with fixed data. Snapshots are
// taken from the node's own state: calling them never makes a network call.
//
// Threading: every method may be called from any thread. p2p_status() and cache_stats() are cheap
// snapshots (no I/O); gateway() calls block (they may go to peers or GitHub): call them from a
// worker thread, never from an io_context that serves network traffic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cache/github_api_cache.hpp"
#include "node/github_gateway.hpp"

namespace ipfsa::node {

// How we learned of a peer.
enum class FoundBy : std::uint8_t { inbound, bootstrap, mdns, registry, identify };
std::string_view to_string(FoundBy found_by) noexcept;

// A connected peer.
struct PeerView {
  std::string peer_id;
  std::vector<std::string> addrs;  // multiaddrs we know for it (the connection's first)
  std::string agent;               // identify agent_version ("" until identify completed)
  std::optional<double> rtt_ms;    // last ping round trip
  std::int64_t connected_since_ms = 0;  // Unix epoch milliseconds
  std::uint64_t entries_served = 0;     // entries we sent it
  std::uint64_t entries_received = 0;   // entries it sent us that we stored
  FoundBy found_by = FoundBy::inbound;
  bool relayed = false;  // the connection runs through a circuit relay (else: direct TCP)
};

// A reservation this node holds on a relay (docs/wire/relay.md).
struct RelayReservationView {
  std::string relay;                       // the relay's peer ID
  std::int64_t expires_ms = 0;             // Unix epoch milliseconds
  std::vector<std::string> circuit_addrs;  // our addresses through it, with /p2p/<our id>
};

// A peer listed in the GitHub-issue registry (the seed's `peers[]` shape).
struct RegistryPeerView {
  std::string peer_id;
  std::string runner_name;
  std::uint16_t listen_port = 0;
  std::string last_seen;  // ISO 8601 UTC, as the registry comment has it
  std::string multiaddr;
  bool connected = false;
};

struct P2pStatus {
  bool enabled = false;   // CACHE_ENABLE_P2P
  bool active = false;    // the host is listening
  std::string status;     // "active", or why not ("disabled by CACHE_ENABLE_P2P", "no free port ...")
  bool sharing = false;   // a swarm secret is configured: entries are shared
  std::string peer_id;    // "" when P2P is disabled
  std::vector<std::string> listen_addrs;  // with /p2p/<id>
  std::vector<PeerView> peers;            // connected now
  std::vector<RegistryPeerView> registry_peers;
  std::string registry_repo;   // "owner/name" of the registry issue; "" when the registry is off
  std::string registry_error;  // why the last heartbeat failed; "" after a success
  std::uint64_t bytes_in = 0;   // P2P payload bytes received / sent since start
  std::uint64_t bytes_out = 0;
  std::uint64_t announcements_sent = 0;
  std::uint64_t announcements_received = 0;
  std::uint64_t entries_rejected = 0;  // bodies or announcements that failed verification
  // The swarm's membership as this node sees it (docs/wire/membership.md) and how its pulls went.
  std::uint64_t swarm_members = 0;        // live members, this node included (0: not sharing)
  std::uint64_t requests_forwarded = 0;   // passed on to the owner in our view
  std::uint64_t owners_unreachable = 0;   // owners or successors a pull could not reach
  std::uint64_t on_demand_dials = 0;      // connections opened to reach an owner
  std::uint64_t pulled_from_owner = 0;
  std::uint64_t pulled_from_successor = 0;
  std::uint64_t taken_back = 0;           // as owner, fresh copies taken from who fetched them
  std::uint64_t fetched_for_peers = 0;    // upstream fetches made as a key's owner
  // Circuit relay: CACHE_RELAY, whether we relay now, and for whom; our own reservations.
  std::string relay_mode = "auto";
  bool relay_serving = false;
  std::uint64_t relay_reservations = 0;  // reservations others hold on us
  std::uint64_t relay_circuits = 0;      // circuits through us now
  std::uint64_t relay_circuits_opened = 0;
  std::vector<RelayReservationView> relay_reservations_held;
};

class ServiceBackend {
 public:
  virtual ~ServiceBackend() = default;
  virtual P2pStatus p2p_status() = 0;
  virtual cache::CacheStats cache_stats() = 0;
  // Reads through the cache (and the swarm); writes pass through. Blocking.
  virtual GitHubGateway& gateway() = 0;
};

}  // namespace ipfsa::node
