#include "p2p/address_book.hpp"

#include <algorithm>

namespace ipfsa::p2p {

void AddressBook::add(const wire::PeerId& peer, const std::vector<wire::Multiaddr>& addrs) {
  auto it = entries_.find(peer);
  if (it == entries_.end()) {
    if (entries_.size() >= max_peers_ && !order_.empty()) {
      entries_.erase(order_.back());
      order_.pop_back();
    }
    order_.push_front(peer);
    it = entries_.emplace(peer, Entry{{}, order_.begin()}).first;
  } else {
    order_.splice(order_.begin(), order_, it->second.order);
  }
  auto& list = it->second.addrs;
  for (auto a = addrs.rbegin(); a != addrs.rend(); ++a) {
    wire::Multiaddr bare = a->without_peer_id();
    if (bare.empty()) continue;
    list.erase(std::remove(list.begin(), list.end(), bare), list.end());
    list.insert(list.begin(), std::move(bare));
  }
  if (list.size() > kMaxAddrsPerPeer) list.resize(kMaxAddrsPerPeer);
}

std::vector<wire::Multiaddr> AddressBook::addrs(const wire::PeerId& peer) const {
  auto it = entries_.find(peer);
  return it == entries_.end() ? std::vector<wire::Multiaddr>{} : it->second.addrs;
}

void AddressBook::remove(const wire::PeerId& peer) {
  auto it = entries_.find(peer);
  if (it == entries_.end()) return;
  order_.erase(it->second.order);
  entries_.erase(it);
}

}  // namespace ipfsa::p2p
