#include "service/config.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace ipfsa::service {
namespace {

// The flag if given, else the variable; "" when neither is set (or both are empty).
std::string pick(const EnvLookup& env, const std::optional<std::string>& flag,
                 const std::string& variable) {
  if (flag && !node::trim_setting(*flag).empty()) return node::trim_setting(*flag);
  if (auto v = env(variable)) return node::trim_setting(*v);
  return {};
}

bool is_ip_literal(const std::string& text) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, text.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

}  // namespace

bool is_loopback_address(std::string_view ip) {
  std::string text(ip);
  unsigned char v4[4];
  if (::inet_pton(AF_INET, text.c_str(), v4) == 1) return v4[0] == 127;
  unsigned char v6[16];
  if (::inet_pton(AF_INET6, text.c_str(), v6) != 1) return false;
  static constexpr unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (std::memcmp(v6, kLoopback, 16) == 0) return true;
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(v6, kMapped, 12) == 0 && v6[12] == 127;
}

Checked<ServiceConfig> load_service_config(const EnvLookup& env,
                                           std::optional<std::string> host_flag,
                                           std::optional<std::string> port_flag) {
  ServiceConfig config;
  if (auto host = pick(env, host_flag, "IPFS_ACCELERATE_DASHBOARD_HOST"); !host.empty()) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    if (host == "localhost") host = std::string(kDefaultHost);
    if (!is_ip_literal(host)) {
      return Checked<ServiceConfig>::failure(
          "dashboard host '" + host +
          "' is not an IP address (use 127.0.0.1, ::1, 0.0.0.0, :: or an "
          "address of this machine)");
    }
    config.host = host;
  }
  if (auto port = pick(env, port_flag, "IPFS_ACCELERATE_DASHBOARD_PORT"); !port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value > 65535) {
      return Checked<ServiceConfig>::failure(
          "dashboard port '" + port +
          "' (--port / IPFS_ACCELERATE_DASHBOARD_PORT) is not a TCP port "
          "(0-65535)");
    }
    config.port = static_cast<std::uint16_t>(value);
  }
  if (auto token = env("IPFS_ACCELERATE_DASHBOARD_TOKEN"); token && !token->empty()) {
    // The value is never echoed in a message.
    if (token->size() < kMinTokenBytes || token->size() > kMaxTokenBytes) {
      return Checked<ServiceConfig>::failure("IPFS_ACCELERATE_DASHBOARD_TOKEN must be " +
                                             std::to_string(kMinTokenBytes) + " to " +
                                             std::to_string(kMaxTokenBytes) + " characters long");
    }
    for (unsigned char c : *token) {
      if (c <= 0x20 || c >= 0x7f) {
        return Checked<ServiceConfig>::failure(
            "IPFS_ACCELERATE_DASHBOARD_TOKEN must be printable ASCII without spaces");
      }
    }
    config.token.emplace(
        std::span(reinterpret_cast<const std::uint8_t*>(token->data()), token->size()));
    secure_wipe(token->data(), token->size());
  }
  if (!is_loopback_address(config.host) && !config.token) {
    return Checked<ServiceConfig>::failure(
        "the dashboard binds to " + config.host +
        ", which is not loopback: set IPFS_ACCELERATE_DASHBOARD_TOKEN (at "
        "least " +
        std::to_string(kMinTokenBytes) + " characters) so every API route requires it");
  }
  return config;
}

}  // namespace ipfsa::service
