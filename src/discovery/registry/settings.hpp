// Where the registry's configuration comes from: the environment (the original's variables) and
// the node's identity and listen addresses. No network probes: public_ip is only what the user
// says (IPFS_ACCELERATE_PUBLIC_IP); the original asked three public "what is my IP" services.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "discovery/registry/registry.hpp"
#include "github/config.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::registry {

struct RegistrySettings {
  std::string repo;                      // IPFS_ACCELERATE_GITHUB_REPO, else GITHUB_REPOSITORY
  std::string runner_name;               // RUNNER_NAME, else the host name
  std::optional<std::string> public_ip;  // IPFS_ACCELERATE_PUBLIC_IP
};

// "owner/name", each part [A-Za-z0-9._-]+ (not "." or ".."), at most kMaxRepoBytes.
bool valid_repo(std::string_view repo);

// The host name (gethostname), "localhost" if it fails.
std::string local_hostname();

// nullopt when neither repo variable is set (or both are empty): the registry is off. Errors:
// Error::malformed (a repo that is not "owner/name", a public IP that is not an IPv4/IPv6
// literal, a runner name with "-->" or control characters), Error::too_large (over the limits).
// Empty variables count as unset.
Result<std::optional<RegistrySettings>> registry_settings_from_env(
    const EnvLookup& env, const std::function<std::string()>& hostname = local_hostname);

// The address we publish: the first of `listen` that is neither unspecified (0.0.0.0, ::) nor
// loopback (127/8, ::1), else the first loopback one, else the first, with /p2p/<self>. nullopt
// when `listen` is empty.
std::optional<wire::Multiaddr> advertised_multiaddr(std::span<const wire::Multiaddr> listen,
                                                    const wire::PeerId& self);

// Our comment's record from the settings and the node's identity. `metadata` is public: an
// agent version, never a secret.
PeerRecord self_record(const RegistrySettings& settings, const wire::PeerId& self,
                       const wire::Multiaddr& advertised, std::uint16_t listen_port,
                       std::map<std::string, std::string> metadata);

}  // namespace ipfsa::registry
