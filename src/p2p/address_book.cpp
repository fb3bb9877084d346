#include "p2p/address_book.hpp"

#include <algorithm>

namespace ipfsa::p2p {

void AddressBook::add(const wire::PeerId& peer, const std::vector<wire::Multiaddr>& addrs) {
  auto h = peers_.find(peer);
  if (h == peers_.kNone) {
    h = peers_.put(peer, {}).handle;  // evicts the least recently updated peer when full
    if (h == peers_.kNone) return;    // a book of capacity 0
  } else {
    peers_.touch(h);
  }
  auto& list = peers_.value(h);
  for (auto a = addrs.rbegin(); a != addrs.rend(); ++a) {
    wire::Multiaddr bare = a->without_peer_id();
    if (bare.empty()) continue;
    list.erase(std::remove(list.begin(), list.end(), bare), list.end());
    list.insert(list.begin(), std::move(bare));
  }
  if (list.size() > kMaxAddrsPerPeer) list.resize(kMaxAddrsPerPeer);
}

std::vector<wire::Multiaddr> AddressBook::addrs(const wire::PeerId& peer) const {
  const auto* list = peers_.peek(peer);
  return list ? *list : std::vector<wire::Multiaddr>{};
}

void AddressBook::remove(const wire::PeerId& peer) { peers_.erase(peer); }

}  // namespace ipfsa::p2p
