// live_peers() with its skips logged: kept out of roster.cpp so that registry_codec stays free of
// the logger (spdlog) and builds for the fuzzers.
#include "base/log.hpp"
#include "discovery/registry/roster.hpp"

namespace ipfsa::registry {

std::vector<RegistryPeer> live_peers(std::span<const IssueComment> comments, const Self& self,
                                     WallTime now) {
  return live_peers(comments, self, now, [](std::uint64_t id, boost::system::error_code why) {
    log::debug("registry: skipping comment {}: {}", id, why.message());
  });
}

}  // namespace ipfsa::registry
