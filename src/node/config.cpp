#include "node/config.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "base/ascii.hpp"

namespace ipfsa::node {

std::optional<bool> parse_bool(std::string_view text) {
  const std::string s = ascii_lower(text);
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  return std::nullopt;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

std::string trim_setting(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string_view to_string(RelayMode mode) noexcept {
  switch (mode) {
    case RelayMode::auto_: return "auto";
    case RelayMode::on: return "on";
    case RelayMode::off: return "off";
  }
  return "auto";
}

Checked<P2pConfig> load_p2p_config(const EnvLookup& env) {
  P2pConfig config;
  if (auto relay = env("CACHE_RELAY"); relay && !trim_setting(*relay).empty()) {
    const auto text = trim_setting(*relay);
    if (text == "auto") {
      config.relay = RelayMode::auto_;
    } else if (text == "on" || parse_bool(text) == true) {
      config.relay = RelayMode::on;
    } else if (text == "off" || parse_bool(text) == false) {
      config.relay = RelayMode::off;
    } else {
      return Checked<P2pConfig>::failure("CACHE_RELAY=" + *relay +
                                         " is not auto, on or off");
    }
  }
  for (auto [name, field] : {std::pair<const char*, bool*>{"CACHE_ENABLE_P2P", &config.enabled},
                             std::pair<const char*, bool*>{"CACHE_MDNS", &config.mdns}}) {
    auto value = env(name);
    if (!value || trim_setting(*value).empty()) continue;
    auto b = parse_bool(trim_setting(*value));
    if (!b) {
      return Checked<P2pConfig>::failure(
          std::string(name) + "=" + *value +
          " is not a boolean (use true/false, 1/0, yes/no or on/off)");
    }
    *field = *b;
  }
  if (auto ms = env("CACHE_P2P_OWNER_TIMEOUT_MS"); ms && !trim_setting(*ms).empty()) {
    const auto text = trim_setting(*ms);
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < 1 ||
        value > kMaxOwnerTimeoutMs) {
      return Checked<P2pConfig>::failure("CACHE_P2P_OWNER_TIMEOUT_MS=" + *ms +
                                         " is not a number of milliseconds (1-" +
                                         std::to_string(kMaxOwnerTimeoutMs) + ")");
    }
    config.owner_timeout_ms = value;
  }
  if (auto port = env("CACHE_LISTEN_PORT"); port && !trim_setting(*port).empty()) {
    auto p = parse_port(trim_setting(*port));
    if (!p) {
      return Checked<P2pConfig>::failure("CACHE_LISTEN_PORT=" + *port +
                                         " is not a TCP port (1-65535)");
    }
    config.listen_port = *p;
  }
  if (auto peers = env("CACHE_BOOTSTRAP_PEERS")) {
    std::string_view rest = *peers;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto item = trim_setting(rest.substr(0, comma));
      if (!item.empty()) {
        auto ma = wire::Multiaddr::parse(item);
        if (!ma || !ma->peer_id()) {
          return Checked<P2pConfig>::failure("CACHE_BOOTSTRAP_PEERS: " + item +
                                             " is not a multiaddr ending in /p2p/<peer id>");
        }
        config.bootstrap_peers.push_back(std::move(*ma));
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (config.bootstrap_peers.size() > kMaxBootstrapPeers) {
      return Checked<P2pConfig>::failure(
          "CACHE_BOOTSTRAP_PEERS lists " + std::to_string(config.bootstrap_peers.size()) +
              " peers; the limit is " + std::to_string(kMaxBootstrapPeers),
          Error::too_large);
    }
  }
  if (auto key = env("IPFS_ACCELERATE_SWARM_KEY"); key && !trim_setting(*key).empty()) {
    config.swarm_key_file = trim_setting(*key);
  }
  return config;
}

}  // namespace ipfsa::node
