#include "proto/kad/providers.hpp"

#include <algorithm>

namespace ipfsa::proto::kad {
namespace {

bool expired(TimePoint added, TimePoint now) { return now - added >= kProviderValidity; }

}  // namespace

std::size_t ProviderStore::drop_expired(std::vector<Entry>& entries, TimePoint now) {
  const auto before = entries.size();
  std::erase_if(entries, [&](const Entry& e) { return expired(e.added, now); });
  const std::size_t dropped = before - entries.size();
  size_ -= dropped;
  return dropped;
}

Result<ProviderAdd> ProviderStore::add(ByteView key, const wire::PeerId& provider,
                                       std::span<const Bytes> addrs, TimePoint now) {
  if (key.empty()) return Error::malformed;
  if (key.size() > kMaxKeySize) return Error::too_large;
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    if (keys_.size() >= kMaxProviderKeys) return Error::limit_exceeded;
    it = keys_.emplace(Bytes(key.begin(), key.end()), std::vector<Entry>{}).first;
  }
  auto& entries = it->second;
  auto same = std::find_if(entries.begin(), entries.end(),
                           [&](const Entry& e) { return e.provider == provider; });
  if (same != entries.end()) {
    // Move it to the back: the list stays ordered by when each record was (re)added.
    Entry renewed{provider, bounded_addrs(addrs), now};
    entries.erase(same);
    entries.push_back(std::move(renewed));
    return ProviderAdd::renewed;
  }
  ProviderAdd outcome = ProviderAdd::added;
  if (entries.size() >= kMaxProvidersPerKey) drop_expired(entries, now);
  if (entries.size() >= kMaxProvidersPerKey) {
    entries.erase(entries.begin());  // the front is the record added longest ago
    --size_;
    outcome = ProviderAdd::replaced;
  }
  entries.push_back(Entry{provider, bounded_addrs(addrs), now});
  ++size_;
  return outcome;
}

std::vector<Peer> ProviderStore::get(ByteView key, TimePoint now) {
  std::vector<Peer> out;
  auto it = keys_.find(key);
  if (it == keys_.end()) return out;
  drop_expired(it->second, now);
  if (it->second.empty()) {
    keys_.erase(it);
    return out;
  }
  out.reserve(it->second.size());
  for (const Entry& e : it->second) out.push_back(Peer{e.provider, e.addrs, {}});
  return out;
}

std::size_t ProviderStore::expire(TimePoint now) {
  std::size_t dropped = 0;
  for (auto it = keys_.begin(); it != keys_.end();) {
    dropped += drop_expired(it->second, now);
    it = it->second.empty() ? keys_.erase(it) : std::next(it);
  }
  return dropped;
}

Result<bool> apply_add_provider(const Message& request, const wire::PeerId& sender,
                                ProviderStore& store, TimePoint now) {
  if (request.type != MessageType::add_provider || request.key.empty()) {
    return Error::protocol_violation;
  }
  // go adds the sender once per entry naming it; once is enough (a repeat only renews).
  auto self = std::find_if(request.provider_peers.begin(), request.provider_peers.end(),
                           [&](const Peer& p) { return p.id == sender && !p.addrs.empty(); });
  if (self == request.provider_peers.end()) return false;
  auto added = store.add(request.key, sender, self->addrs, now);
  // (error_code converts to bool: name the error alternative explicitly)
  if (!added) return Result<bool>(boost::system::in_place_error, added.error());
  return true;
}

}  // namespace ipfsa::proto::kad
