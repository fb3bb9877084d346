#include "node/service_backend.hpp"

namespace ipfsa::node {

std::string_view to_string(FoundBy found_by) noexcept {
  switch (found_by) {
    case FoundBy::inbound: return "inbound";
    case FoundBy::bootstrap: return "bootstrap";
    case FoundBy::mdns: return "mdns";
    case FoundBy::registry: return "registry";
    case FoundBy::identify: return "identify";
  }
  return "unknown";
}

}  // namespace ipfsa::node
