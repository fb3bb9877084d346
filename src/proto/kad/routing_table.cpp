#include "proto/kad/routing_table.hpp"

#include <algorithm>
#include <bit>

namespace ipfsa::proto::kad {

Key key_of(ByteView bytes) noexcept { return crypto::sha256(bytes); }

Key xor_distance(const Key& a, const Key& b) noexcept {
  Key out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = a[i] ^ b[i];
  return out;
}

std::size_t common_prefix_length(const Key& a, const Key& b) noexcept {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::uint8_t x = a[i] ^ b[i];
    if (x != 0) return i * 8 + static_cast<std::size_t>(std::countl_zero(x));
  }
  return a.size() * 8;
}

bool closer_to(const Key& target, const Key& a, const Key& b) noexcept {
  // The first byte where a and b differ decides; there the one matching target more is closer.
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (a[i] != b[i]) return (a[i] ^ target[i]) < (b[i] ^ target[i]);
  }
  return false;
}

RoutingTable::RoutingTable(wire::PeerId self) : self_(std::move(self)), self_key_(key_of(self_)) {}

std::size_t RoutingTable::bucket_index(const Key& key) const noexcept {
  return std::min(common_prefix_length(key, self_key_), kMaxBuckets - 1);
}

std::size_t RoutingTable::bucket_size(std::size_t index) const noexcept {
  return index < kMaxBuckets ? buckets_[index].size() : 0;
}

std::span<const RoutingTable::Entry> RoutingTable::bucket(std::size_t index) const noexcept {
  if (index >= kMaxBuckets) return {};
  return buckets_[index];
}

RoutingTable::Entry* RoutingTable::find_mutable(const wire::PeerId& peer, const Key& key) {
  auto& bucket = buckets_[bucket_index(key)];
  auto it =
      std::find_if(bucket.begin(), bucket.end(), [&](const Entry& e) { return e.id == peer; });
  return it == bucket.end() ? nullptr : &*it;
}

const RoutingTable::Entry* RoutingTable::find(const wire::PeerId& peer) const {
  if (peer == self_) return nullptr;
  return const_cast<RoutingTable*>(this)->find_mutable(peer, key_of(peer));
}

AddResult RoutingTable::try_add(const wire::PeerId& peer, std::span<const Bytes> addrs,
                                TimePoint now) {
  if (peer == self_) return {AddOutcome::self, std::nullopt};
  const Key key = key_of(peer);
  if (Entry* e = find_mutable(peer, key)) {
    e->last_seen = now;
    if (!addrs.empty()) e->addrs = bounded_addrs(addrs);
    return {AddOutcome::updated, std::nullopt};
  }
  auto& bucket = buckets_[bucket_index(key)];
  if (bucket.size() >= kBucketSize) {
    // Kademlia keeps the old contact while it answers: long-lived peers are the likeliest to
    // stay, and a flood of new IDs cannot push them out. The shell decides by pinging.
    auto oldest =
        std::min_element(bucket.begin(), bucket.end(),
                         [](const Entry& a, const Entry& b) { return a.last_seen < b.last_seen; });
    return {AddOutcome::bucket_full, oldest->id};
  }
  bucket.push_back(Entry{peer, key, bounded_addrs(addrs), now});
  ++size_;
  return {AddOutcome::added, std::nullopt};
}

bool RoutingTable::mark_alive(const wire::PeerId& peer, TimePoint now) {
  if (peer == self_) return false;
  Entry* e = find_mutable(peer, key_of(peer));
  if (!e) return false;
  e->last_seen = now;
  return true;
}

bool RoutingTable::remove(const wire::PeerId& peer) {
  if (peer == self_) return false;
  auto& bucket = buckets_[bucket_index(key_of(peer))];
  auto it =
      std::find_if(bucket.begin(), bucket.end(), [&](const Entry& e) { return e.id == peer; });
  if (it == bucket.end()) return false;
  bucket.erase(it);
  --size_;
  return true;
}

std::vector<Peer> RoutingTable::closest(const Key& target, std::size_t n,
                                        ClosestOptions options) const {
  std::vector<const Entry*> all;
  all.reserve(size_);
  for (const auto& bucket : buckets_) {
    for (const Entry& e : bucket) {
      if (options.exclude && e.id == *options.exclude) continue;
      if (options.with_addrs_only && e.addrs.empty()) continue;
      all.push_back(&e);
    }
  }
  const std::size_t count = std::min(n, all.size());
  std::partial_sort(
      all.begin(), all.begin() + static_cast<std::ptrdiff_t>(count), all.end(),
      [&](const Entry* a, const Entry* b) { return closer_to(target, a->key, b->key); });
  std::vector<Peer> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out.push_back(Peer{all[i]->id, all[i]->addrs, {}});
  return out;
}

}  // namespace ipfsa::proto::kad
