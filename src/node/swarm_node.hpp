// The node's P2P half (issue 4): the libp2p Host, the swarm cache (share::Sharing), gossip
// announcements, discovery (bootstrap peers, mDNS, the GitHub-issue registry) and the status the
// service surface shows. Implements ServiceBackend over the gateway it wires into the swarm.
//
// Threading: construct, start() and stop() on the io_context thread (or before it runs);
// ServiceBackend methods from any thread (snapshots; gateway() blocks). REQUIRES: the io_context
// is stopped before the SwarmNode is destroyed.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/secret.hpp"
#include "cache/github_api_cache.hpp"
#include "crypto/ed25519.hpp"
#include "discovery/registry/settings.hpp"
#include "github/client.hpp"
#include "node/config.hpp"
#include "node/github_gateway.hpp"
#include "node/service_backend.hpp"
#include "share/cache_protocol.hpp"
#include "share/swarm.hpp"

namespace boost::asio {
class io_context;
}
namespace ipfsa::p2p {
class Host;
class Connection;
class RelayServer;
class RelayClient;
}  // namespace ipfsa::p2p
namespace ipfsa::share {
class Sharing;
}
namespace ipfsa::discovery {
class MdnsDiscovery;
}
namespace ipfsa::registry {
class Registry;
class RegistryService;
}  // namespace ipfsa::registry
namespace ipfsa::pubsub {
class Gossipsub;
}

namespace ipfsa::node {

inline constexpr Duration kStatusRefresh = std::chrono::seconds(1);
inline constexpr Duration kBootstrapMaxBackoff = std::chrono::seconds(60);
inline constexpr std::size_t kMaxDiscoveryDialsInFlight = 16;

struct SwarmOptions {
  P2pConfig p2p;
  std::vector<std::string> listen;                 // --listen multiaddrs (default: all, listen_port)
  std::optional<SecretBytes> swarm_key_file_psk;   // IPFS_ACCELERATE_SWARM_KEY / --swarm-key
  std::optional<share::SwarmSecret> secret;        // CACHE_P2P_SHARED_SECRET > GH_TOKEN > GITHUB_TOKEN
  std::optional<registry::RegistrySettings> registry;
  std::string agent_version;
};

class SwarmNode : public ServiceBackend {
 public:
  SwarmNode(boost::asio::io_context& context, crypto::Ed25519KeyPair identity,
            cache::GitHubAPICache& cache, github::Client& client, SwarmOptions options);
  ~SwarmNode() override;
  SwarmNode(const SwarmNode&) = delete;
  SwarmNode& operator=(const SwarmNode&) = delete;

  // Listens and starts sharing and discovery. With P2P disabled it only logs that. Errors are
  // messages (no free port, a bad --listen address, a bootstrap address without /p2p/).
  std::optional<std::string> start();
  // Closes every connection and stops the services. Idempotent.
  void stop();

  P2pStatus p2p_status() override;
  cache::CacheStats cache_stats() override { return cache_.stats(); }
  GitHubGateway& gateway() override { return gateway_; }

  p2p::Host* host() noexcept { return host_.get(); }
  share::Sharing* sharing() noexcept { return sharing_.get(); }
  std::uint16_t port() const noexcept { return port_; }

 private:
  std::optional<std::string> listen();
  void start_sharing();
  void start_discovery();
  void start_relay();
  void dial_discovered(const wire::PeerId& peer, const std::vector<wire::Multiaddr>& addrs,
                       FoundBy found_by);
  struct Loops;  // the coroutines (swarm_node.cpp: Asio stays out of this header)
  void refresh_status();
  Result<cache::EntryPtr> fetch_for_peer(const share::Recipe& recipe);

  boost::asio::io_context& context_;
  cache::GitHubAPICache& cache_;
  github::Client& client_;
  GitHubGateway gateway_;
  SwarmOptions options_;
  crypto::Ed25519KeyPair identity_;
  std::optional<share::Swarm> swarm_;
  std::unique_ptr<p2p::Host> host_;
  std::unique_ptr<p2p::RelayServer> relay_server_;
  std::unique_ptr<p2p::RelayClient> relay_client_;
  std::unique_ptr<share::Sharing> sharing_;
  std::unique_ptr<pubsub::Gossipsub> gossip_;
  std::unique_ptr<discovery::MdnsDiscovery> mdns_;
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<registry::RegistryService> registry_service_;
  std::uint16_t port_ = 0;
  bool stopping_ = false;
  std::string status_reason_;  // why P2P is not active ("" when it is)
  std::size_t discovery_dials_ = 0;

  // io thread: how each peer was found, and when it connected.
  std::map<wire::PeerId, FoundBy> found_by_;
  std::map<wire::PeerId, std::int64_t> connected_since_ms_;

  mutable std::mutex status_mutex_;
  P2pStatus status_;  // refreshed on the io thread
};

}  // namespace ipfsa::node
