// Known addresses per peer, bounded: at most kMaxAddressBookPeers peers (least recently updated
// evicted first) and kMaxAddrsPerPeer addresses each. Fed by dial targets and identify.
#pragma once

#include <cstddef>
#include <list>
#include <unordered_map>
#include <vector>

#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::p2p {

inline constexpr std::size_t kMaxAddressBookPeers = 1024;
inline constexpr std::size_t kMaxAddrsPerPeer = 16;

class AddressBook {
 public:
  explicit AddressBook(std::size_t max_peers = kMaxAddressBookPeers) : max_peers_(max_peers) {}

  // Adds addresses (without /p2p) for `peer`, most recent first; duplicates are moved to the front.
  void add(const wire::PeerId& peer, const std::vector<wire::Multiaddr>& addrs);
  std::vector<wire::Multiaddr> addrs(const wire::PeerId& peer) const;
  void remove(const wire::PeerId& peer);
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::vector<wire::Multiaddr> addrs;
    std::list<wire::PeerId>::iterator order;
  };
  std::size_t max_peers_;
  std::list<wire::PeerId> order_;  // front = most recently updated
  std::unordered_map<wire::PeerId, Entry> entries_;
};

}  // namespace ipfsa::p2p
