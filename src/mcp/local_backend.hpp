// The backend of `ipfs-accelerate mcp` when no node owns the cache: this process's own cache,
// GitHub client and gateway, and no P2P host. p2p_status() says so (enabled as configured by
// CACHE_ENABLE_P2P, active false, and a status telling to run `ipfs-accelerate serve`).
#pragma once

#include "node/github_gateway.hpp"
#include "node/service_backend.hpp"

namespace ipfsa::mcp {

inline constexpr std::string_view kNoHostStatus =
    "this `ipfs-accelerate mcp` process runs no P2P host; start `ipfs-accelerate serve` and `mcp` "
    "forwards to it for live peer data";

class LocalBackend : public node::ServiceBackend {
 public:
  // REQUIRES: gateway (and its cache) outlive this object.
  LocalBackend(node::GitHubGateway& gateway, bool p2p_enabled)
      : gateway_(gateway), p2p_enabled_(p2p_enabled) {}

  node::P2pStatus p2p_status() override;
  cache::CacheStats cache_stats() override { return gateway_.cache().stats(); }
  node::GitHubGateway& gateway() override { return gateway_; }

 private:
  node::GitHubGateway& gateway_;
  bool p2p_enabled_;
};

}  // namespace ipfsa::mcp
