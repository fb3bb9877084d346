// Node configuration from the environment (the seed guide's variables) and flags. Parsing is pure:
// it takes a lookup function, so tests pass their own environment.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/env.hpp"
#include "base/error.hpp"
#include "base/status.hpp"
#include "wire/multiaddr.hpp"

namespace ipfsa::node {

inline constexpr std::uint16_t kDefaultListenPort = 9100;
inline constexpr int kListenPortAttempts = 21;  // the port, then +1 .. +20 when busy
inline constexpr std::size_t kMaxBootstrapPeers = 64;


inline constexpr int kDefaultOwnerTimeoutMs = 300;
inline constexpr int kMaxOwnerTimeoutMs = 60'000;

// CACHE_RELAY: whether this node relays circuits for the swarm's private members
// (docs/wire/relay.md). auto: when an address of ours is known to be publicly reachable (until
// reachability is measured, auto does not relay).
enum class RelayMode { auto_, on, off };
std::string_view to_string(RelayMode mode) noexcept;

struct P2pConfig {
  bool enabled = true;                             // CACHE_ENABLE_P2P
  bool mdns = true;                                // CACHE_MDNS
  int owner_timeout_ms = kDefaultOwnerTimeoutMs;   // CACHE_P2P_OWNER_TIMEOUT_MS (1..60000)
  // The registry's variables (IPFS_ACCELERATE_GITHUB_REPO, RUNNER_NAME, ...) are parsed by
  // registry::registry_settings_from_env.
  std::uint16_t listen_port = kDefaultListenPort;  // CACHE_LISTEN_PORT
  // CACHE_BOOTSTRAP_PEERS (comma-separated), each a multiaddr ending in /p2p/<peer id>.
  std::vector<wire::Multiaddr> bootstrap_peers;
  std::optional<std::filesystem::path> swarm_key_file;  // IPFS_ACCELERATE_SWARM_KEY (pnet key file)
  RelayMode relay = RelayMode::auto_;                   // CACHE_RELAY (auto|on|off)
};

// A failure's message names the variable and the accepted values.
Checked<P2pConfig> load_p2p_config(const EnvLookup& env);
// An environment value or flag without surrounding spaces, tabs and line ends.
std::string trim_setting(std::string_view text);
// "true/false/1/0/yes/no/on/off" (any case); nullopt for anything else.
std::optional<bool> parse_bool(std::string_view text);
// 1..65535.
std::optional<std::uint16_t> parse_port(std::string_view text);

}  // namespace ipfsa::node
