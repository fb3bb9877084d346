// The swarm and its trust boundary (docs/wire/cache-protocol.md, "The swarm"). Every node holding
// the same secret derives the same pnet key (only members complete a connection) and the same
// swarm id (which names the gossip topic). Pure.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/env.hpp"
#include "base/secret.hpp"
#include "base/status.hpp"

namespace ipfsa::share {

// HKDF-SHA256 salt and labels: changing any of them splits the swarm, so they carry a version.
inline constexpr std::string_view kSwarmSalt = "ipfs-accelerate/swarm/v1";
inline constexpr std::string_view kPnetKeyLabel = "pnet key";
inline constexpr std::string_view kSwarmIdLabel = "swarm id";
inline constexpr std::string_view kTokenFingerprintLabel = "token fingerprint";
inline constexpr std::size_t kSwarmIdBytes = 16;          // 32 hex characters
inline constexpr std::size_t kTokenFingerprintBytes = 16;  // 32 hex characters
inline constexpr std::size_t kMaxSecretBytes = 4096;
// The gossip topic is kTopicPrefix + swarm id.
inline constexpr std::string_view kTopicPrefix = "/ipfs-accelerate/cache/1/";

// Where the secret came from, in the original's order of precedence.
enum class SecretSource : std::uint8_t { none, shared_secret, gh_token, github_token };
std::string_view to_string(SecretSource source) noexcept;  // the variable's name, or "none"

struct SwarmSecret {
  SecretSource source = SecretSource::none;
  SecretBytes secret;
};

// CACHE_P2P_SHARED_SECRET, else GH_TOKEN, else GITHUB_TOKEN (empty values are skipped). nullopt:
// no secret, the node shares nothing. A value over kMaxSecretBytes is a failure (too_large).
Checked<std::optional<SwarmSecret>> swarm_secret_from_env(const EnvLookup& env);

class Swarm {
 public:
  explicit Swarm(const SwarmSecret& secret);

  SecretSource source() const noexcept { return source_; }
  // 32 bytes for the libp2p pnet v1 protector.
  const SecretBytes& pnet_key() const noexcept { return pnet_key_; }
  const std::string& id() const noexcept { return id_; }        // lowercase hex
  const std::string& topic() const noexcept { return topic_; }  // kTopicPrefix + id
  // A swarm-keyed fingerprint of a GitHub token, so rate-limit notices name the token without
  // revealing it to anyone outside the swarm.
  std::string token_fingerprint(ByteView token) const;

 private:
  SecretSource source_;
  SecretBytes pnet_key_;
  SecretBytes fingerprint_key_;
  std::string id_;
  std::string topic_;
};

}  // namespace ipfsa::share
