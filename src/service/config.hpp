// The HTTP service's configuration and limits: bind address, port and bearer token from the
// environment and the `serve` flags. Parsing is pure (it takes an EnvLookup), errors are messages.
//
//   --host / IPFS_ACCELERATE_DASHBOARD_HOST    bind address: an IPv4/IPv6 literal or "localhost"
//                                              (default 127.0.0.1)
//   --port / IPFS_ACCELERATE_DASHBOARD_PORT    0..65535 (default 8899; 0 = any free port)
//   IPFS_ACCELERATE_DASHBOARD_TOKEN            bearer token; REQUIRED when the address is not
//                                              loopback (kMinTokenBytes..kMaxTokenBytes printable)
// A flag wins over its variable; empty values count as unset.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/secret.hpp"
#include "base/time.hpp"
#include "node/config.hpp"

namespace ipfsa::service {

inline constexpr std::uint16_t kDefaultPort = 8899;
inline constexpr std::string_view kDefaultHost = "127.0.0.1";
inline constexpr std::size_t kMinTokenBytes = 16;
inline constexpr std::size_t kMaxTokenBytes = 1024;

// HTTP limits (docs/service.md, "Limits").
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;           // request line + headers -> 431
inline constexpr std::size_t kMaxProxyBodyBytes = 8 * 1024 * 1024;  // /api/v3, /api/graphql -> 413
inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;           // every other route -> 413
inline constexpr std::size_t kMaxConnections = 256;                 // more are answered 503
inline constexpr std::size_t kWorkerThreads = 4;                    // blocking gateway/MCP calls
inline constexpr Duration kHeaderTimeout = std::chrono::seconds(10);  // first byte -> header end
inline constexpr Duration kBodyTimeout = std::chrono::seconds(30);    // header end -> body end
inline constexpr Duration kIdleTimeout = std::chrono::seconds(60);    // keep-alive between requests
inline constexpr Duration kWriteTimeout = std::chrono::seconds(30);   // one whole response
inline constexpr std::chrono::seconds kHistoryInterval{30};
inline constexpr std::size_t kHistoryPoints = 120;  // one hour at kHistoryInterval

struct HttpLimits {
  std::size_t max_header_bytes = kMaxHeaderBytes;
  std::size_t max_proxy_body_bytes = kMaxProxyBodyBytes;
  std::size_t max_body_bytes = kMaxBodyBytes;
  std::size_t max_connections = kMaxConnections;
  Duration header_timeout = kHeaderTimeout;
  Duration body_timeout = kBodyTimeout;
  Duration idle_timeout = kIdleTimeout;
  Duration write_timeout = kWriteTimeout;
};

struct ServiceConfig {
  std::string host{kDefaultHost};  // an IP literal (never a name: "localhost" becomes 127.0.0.1)
  std::uint16_t port = kDefaultPort;
  std::optional<SecretBytes> token;  // checked on every route but GET / and /assets/*
  HttpLimits limits;
  std::chrono::seconds history_interval = kHistoryInterval;
};

// True for 127.0.0.0/8 and ::1 (and ::ffff:127.x.y.z).
bool is_loopback_address(std::string_view ip);

// Errors: a host that is not an IP literal or "localhost", a port outside 0..65535, a token
// shorter than kMinTokenBytes, longer than kMaxTokenBytes or with spaces/control characters, a
// non-loopback host without a token.
Checked<ServiceConfig> load_service_config(const EnvLookup& env,
                                                std::optional<std::string> host_flag,
                                                std::optional<std::string> port_flag);

}  // namespace ipfsa::service
