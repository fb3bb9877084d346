#include "share/swarm.hpp"

#include "crypto/hkdf.hpp"

namespace ipfsa::share {

std::string_view to_string(SecretSource source) noexcept {
  switch (source) {
    case SecretSource::none: return "none";
    case SecretSource::shared_secret: return "CACHE_P2P_SHARED_SECRET";
    case SecretSource::gh_token: return "GH_TOKEN";
    case SecretSource::github_token: return "GITHUB_TOKEN";
  }
  return "none";
}

Checked<std::optional<SwarmSecret>> swarm_secret_from_env(const EnvLookup& env) {
  constexpr std::pair<std::string_view, SecretSource> kOrder[] = {
      {"CACHE_P2P_SHARED_SECRET", SecretSource::shared_secret},
      {"GH_TOKEN", SecretSource::gh_token},
      {"GITHUB_TOKEN", SecretSource::github_token},
  };
  for (const auto& [name, source] : kOrder) {
    auto value = env(name);
    if (!value || value->empty()) continue;
    if (value->size() > kMaxSecretBytes) {
      return Checked<std::optional<SwarmSecret>>::failure(
          std::string(name) + " is longer than " + std::to_string(kMaxSecretBytes) +
              " bytes: use a shorter secret (it is hashed, 32 random bytes are plenty)",
          Error::too_large);
    }
    return std::optional<SwarmSecret>(SwarmSecret{source, SecretBytes(as_bytes(*value))});
  }
  return std::optional<SwarmSecret>();
}

namespace {
SecretBytes derive(const SecretBytes& secret, std::string_view label, std::size_t n) {
  return crypto::hkdf_sha256(as_bytes(kSwarmSalt), secret.view(), as_bytes(label), n);
}
}  // namespace

Swarm::Swarm(const SwarmSecret& secret)
    : source_(secret.source),
      pnet_key_(derive(secret.secret, kPnetKeyLabel, 32)),
      fingerprint_key_(derive(secret.secret, kTokenFingerprintLabel, 32)) {
  const SecretBytes id = derive(secret.secret, kSwarmIdLabel, kSwarmIdBytes);
  id_ = hex_encode(id.view());
  topic_ = std::string(kTopicPrefix) + id_;
}

std::string Swarm::token_fingerprint(ByteView token) const {
  const auto mac = crypto::hmac_sha256(fingerprint_key_.view(), token);
  return hex_encode(ByteView(mac.data(), kTokenFingerprintBytes));
}

}  // namespace ipfsa::share
