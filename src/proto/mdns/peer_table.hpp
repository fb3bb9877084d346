// The peers mDNS has seen, to report each one once rather than on every response: a peer is
// reported when first seen, when its address set changes, and again once `rereport_after` has
// passed since its last report (so a consumer that dropped it gets it back). Bounded: at most
// `max_peers` entries; a new peer beyond that evicts the one seen longest ago.
#pragma once

#include <cstddef>
#include <unordered_map>
#include <vector>

#include "base/time.hpp"
#include "proto/mdns/discovery.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::mdns {

inline constexpr std::size_t kMaxPeers = 256;
inline constexpr Duration kDefaultRereportInterval = std::chrono::seconds(60);

class PeerTable {
 public:
  // REQUIRES: max_peers > 0.
  explicit PeerTable(Duration rereport_after = kDefaultRereportInterval,
                     std::size_t max_peers = kMaxPeers)
      : rereport_after_(rereport_after), max_peers_(max_peers) {}

  // Records that `peer` announced itself at `now`; true when the caller should report it.
  // Address order does not matter.
  bool observe(const DiscoveredPeer& peer, TimePoint now);

  std::size_t size() const noexcept { return entries_.size(); }
  bool contains(const wire::PeerId& id) const { return entries_.contains(id); }

 private:
  struct Entry {
    std::vector<Bytes> addrs;  // binary multiaddrs, as last reported
    TimePoint last_seen;
    TimePoint last_reported;
  };
  Duration rereport_after_;
  std::size_t max_peers_;
  std::unordered_map<wire::PeerId, Entry> entries_;
};

}  // namespace ipfsa::proto::mdns
