#include "discovery/registry/settings.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>

#include "wire/ip_text.hpp"

namespace ipfsa::registry {
namespace {

bool valid_repo_part(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::optional<std::string> non_empty(const EnvLookup& env, std::string_view name) {
  auto v = env(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

bool is_unspecified(const wire::Multiaddr& a) {
  const auto& c = a.components();
  if (c.empty()) return false;
  const auto& v = c.front().value;
  if (c.front().protocol != wire::Protocol::ip4 && c.front().protocol != wire::Protocol::ip6) {
    return false;
  }
  return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

bool is_loopback(const wire::Multiaddr& a) {
  const auto& c = a.components();
  if (c.empty()) return false;
  const auto& v = c.front().value;
  if (c.front().protocol == wire::Protocol::ip4) return !v.empty() && v[0] == 127;
  if (c.front().protocol != wire::Protocol::ip6 || v.size() != 16) return false;
  return std::all_of(v.begin(), v.end() - 1, [](std::uint8_t b) { return b == 0; }) && v[15] == 1;
}

}  // namespace

bool valid_repo(std::string_view repo) {
  if (repo.size() > kMaxRepoBytes) return false;
  const auto slash = repo.find('/');
  return slash != std::string_view::npos && valid_repo_part(repo.substr(0, slash)) &&
         valid_repo_part(repo.substr(slash + 1));
}

std::string local_hostname() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0 || buf[0] == '\0') return "localhost";
  return std::string(buf.data());
}

Result<std::optional<RegistrySettings>> registry_settings_from_env(
    const EnvLookup& env, const std::function<std::string()>& hostname) {
  auto repo = non_empty(env, "IPFS_ACCELERATE_GITHUB_REPO");
  if (!repo) repo = non_empty(env, "GITHUB_REPOSITORY");
  if (!repo) return std::optional<RegistrySettings>{};
  if (repo->size() > kMaxRepoBytes) return Error::too_large;
  if (!valid_repo(*repo)) return Error::malformed;

  RegistrySettings s;
  s.repo = std::move(*repo);
  auto runner = non_empty(env, "RUNNER_NAME");
  s.runner_name = runner ? std::move(*runner) : hostname();
  if (s.runner_name.size() > kMaxFieldBytes) return Error::too_large;
  if (s.runner_name.empty() || s.runner_name.find("-->") != std::string::npos) {
    return Error::malformed;
  }
  for (char c : s.runner_name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return Error::malformed;
  }
  if (auto ip = non_empty(env, "IPFS_ACCELERATE_PUBLIC_IP")) {
    if (ip->size() > wire::kMaxIp6TextSize) return Error::too_large;
    if (!wire::parse_ip4(*ip) && !wire::parse_ip6(*ip)) return Error::malformed;
    s.public_ip = std::move(*ip);
  }
  return std::optional<RegistrySettings>{std::move(s)};
}

std::optional<wire::Multiaddr> advertised_multiaddr(std::span<const wire::Multiaddr> listen,
                                                    const wire::PeerId& self) {
  if (listen.empty()) return std::nullopt;
  // Other machines read the registry: an interface address first, then loopback.
  for (const bool accept_loopback : {false, true}) {
    for (const auto& a : listen) {
      if (!is_unspecified(a) && (accept_loopback || !is_loopback(a))) return a.with_peer_id(self);
    }
  }
  return listen.front().with_peer_id(self);
}

PeerRecord self_record(const RegistrySettings& settings, const wire::PeerId& self,
                       const wire::Multiaddr& advertised, std::uint16_t listen_port,
                       std::map<std::string, std::string> metadata) {
  PeerRecord r;
  r.runner_name = settings.runner_name;
  r.peer_id = self.to_string();
  r.multiaddr = advertised.with_peer_id(self).to_string();
  r.listen_port = listen_port;
  r.public_ip = settings.public_ip;
  r.metadata = std::move(metadata);
  return r;
}

}  // namespace ipfsa::registry
