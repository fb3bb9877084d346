#include "proto/kad/lookup.hpp"

#include <algorithm>

namespace ipfsa::proto::kad {

Lookup::Lookup(ByteView target, LookupKind kind, wire::PeerId self, std::span<const Peer> seeds,
               std::size_t wanted_providers)
    : request_(make_request(
          kind == LookupKind::find_node ? MessageType::find_node : MessageType::get_providers,
          target)),
      target_key_(key_of(target)),
      kind_(kind),
      self_(std::move(self)),
      wanted_providers_(kind == LookupKind::get_providers ? wanted_providers : 0) {
  for (const Peer& seed : seeds) add_candidate(seed);
}

Lookup::Candidate* Lookup::find(const wire::PeerId& peer) {
  auto it = std::find_if(candidates_.begin(), candidates_.end(),
                         [&](const Candidate& c) { return c.peer.id == peer; });
  return it == candidates_.end() ? nullptr : &*it;
}

void Lookup::add_candidate(const Peer& peer) {
  if (peer.id == self_) return;
  if (Candidate* known = find(peer.id)) {
    // Keep what we first heard, unless it gave no way to reach the peer.
    if (known->peer.addrs.empty()) known->peer.addrs = bounded_addrs(peer.addrs);
    return;
  }
  const Key key = key_of(peer.id);
  if (candidates_.size() >= kMaxLookupCandidates) {
    // Only the farthest may make room, and only for someone closer: the farthest distance then
    // never grows, so an evicted peer can never come back and be queried again.
    const Candidate& last = candidates_.back();
    if (last.state == State::in_flight || !closer_to(target_key_, key, last.key)) return;
    candidates_.pop_back();
  }
  auto pos = std::find_if(candidates_.begin(), candidates_.end(),
                          [&](const Candidate& c) { return closer_to(target_key_, key, c.key); });
  candidates_.insert(pos,
                     Candidate{Peer{peer.id, bounded_addrs(peer.addrs), {}}, key, State::pending});
}

std::vector<Peer> Lookup::next() {
  std::vector<Peer> out;
  if (done()) return out;
  std::size_t considered = 0;  // of the k closest not failed
  for (Candidate& c : candidates_) {
    if (in_flight_ >= kAlpha || considered == kBucketSize) break;
    if (c.state == State::failed) continue;
    ++considered;
    if (c.state != State::pending) continue;
    c.state = State::in_flight;
    ++in_flight_;
    out.push_back(c.peer);
  }
  return out;
}

bool Lookup::on_response(const wire::PeerId& from, std::span<const Peer> closer,
                         std::span<const Peer> providers) {
  Candidate* c = find(from);
  if (!c || c->state != State::in_flight) return false;
  c->state = State::answered;
  --in_flight_;
  // `c` may move once candidates are inserted: it is not used below.
  for (const Peer& p : closer.first(std::min(closer.size(), kMaxCloserPerAnswer))) {
    add_candidate(p);
  }
  if (kind_ == LookupKind::get_providers) {
    for (const Peer& p : providers) {
      if (providers_.size() >= kMaxLookupProviders) break;
      if (p.id == self_) continue;
      if (std::any_of(providers_.begin(), providers_.end(),
                      [&](const Peer& known) { return known.id == p.id; })) {
        continue;
      }
      providers_.push_back(Peer{p.id, bounded_addrs(p.addrs), {}});
    }
  }
  return true;
}

bool Lookup::on_failure(const wire::PeerId& from) {
  Candidate* c = find(from);
  if (!c || c->state != State::in_flight) return false;
  c->state = State::failed;
  --in_flight_;
  return true;
}

bool Lookup::done() const noexcept {
  if (wanted_providers_ > 0 && providers_.size() >= wanted_providers_) return true;
  std::size_t considered = 0;
  for (const Candidate& c : candidates_) {
    if (considered == kBucketSize) break;
    if (c.state == State::failed) continue;
    ++considered;
    if (c.state != State::answered) return false;
  }
  return true;
}

LookupResult Lookup::result() const {
  LookupResult out;
  for (const Candidate& c : candidates_) {
    if (out.closest.size() == kBucketSize) break;
    if (c.state == State::answered) out.closest.push_back(c.peer);
  }
  out.providers = providers_;
  return out;
}

}  // namespace ipfsa::proto::kad
