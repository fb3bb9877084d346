// Known addresses per peer, bounded: at most kMaxAddressBookPeers peers (least recently updated
// evicted first) and kMaxAddrsPerPeer addresses each. Fed by dial targets and identify.
#pragma once

#include <cstddef>
#include <vector>

#include "base/lru_map.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::p2p {

inline constexpr std::size_t kMaxAddressBookPeers = 1024;
inline constexpr std::size_t kMaxAddrsPerPeer = 16;

class AddressBook {
 public:
  explicit AddressBook(std::size_t max_peers = kMaxAddressBookPeers) : peers_(max_peers) {}

  // Adds addresses (without /p2p) for `peer`, most recent first; duplicates are moved to the front.
  // The peer becomes the most recently updated (even when no address was usable).
  void add(const wire::PeerId& peer, const std::vector<wire::Multiaddr>& addrs);
  // Most recent first; reading does not count as an update.
  std::vector<wire::Multiaddr> addrs(const wire::PeerId& peer) const;
  void remove(const wire::PeerId& peer);
  std::size_t size() const noexcept { return peers_.size(); }

 private:
  LruMap<wire::PeerId, std::vector<wire::Multiaddr>> peers_;  // bounded by count only
};

}  // namespace ipfsa::p2p
