#include "mcp/local_backend.hpp"

namespace ipfsa::mcp {

node::P2pStatus LocalBackend::p2p_status() {
  node::P2pStatus status;
  status.enabled = p2p_enabled_;
  status.active = false;
  status.status = p2p_enabled_ ? std::string(kNoHostStatus) : "disabled by CACHE_ENABLE_P2P";
  return status;
}

}  // namespace ipfsa::mcp
