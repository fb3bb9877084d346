#include "proto/mdns/peer_table.hpp"

#include <algorithm>

namespace ipfsa::proto::mdns {

bool PeerTable::observe(const DiscoveredPeer& peer, TimePoint now) {
  std::vector<Bytes> addrs;
  addrs.reserve(peer.addrs.size());
  for (const auto& a : peer.addrs) addrs.push_back(a.bytes());

  auto it = entries_.find(peer.id);
  if (it != entries_.end()) {
    Entry& e = it->second;
    e.last_seen = now;
    // Order-insensitive; O(n^2) over at most kMaxAddrsPerPeer addresses. (Not sort + ==: g++ 12
    // at -O3 reports a false stringop-overread in the three-way comparison of byte vectors.)
    const bool same =
        std::is_permutation(e.addrs.begin(), e.addrs.end(), addrs.begin(), addrs.end());
    if (same && now - e.last_reported < rereport_after_) return false;
    e.addrs = std::move(addrs);
    e.last_reported = now;
    return true;
  }
  if (entries_.size() >= max_peers_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](auto& a, auto& b) {
      return a.second.last_seen < b.second.last_seen;
    });
    entries_.erase(oldest);
  }
  entries_.emplace(peer.id, Entry{std::move(addrs), now, now});
  return true;
}

}  // namespace ipfsa::proto::mdns
