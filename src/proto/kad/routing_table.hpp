// Kademlia keys, XOR distance and the k-bucket routing table (libp2p specs, kad-dht/README.md
// "Kademlia routing table", "Distance"), without I/O or clock: time comes in as `now`.
//
// Every key lives in one 256-bit space: Key = SHA-256 of the key's bytes (a peer: its peer-ID
// multihash bytes; a provider key: its multihash bytes). Distance is XOR; bucket i holds the
// peers whose key shares exactly i leading bits with ours (i = 0 .. 255, at most kBucketSize
// each). This is the spec's lazily unfolded table with every bucket unfolded up front: a bucket
// per common prefix length holds the same peers go's split buckets would.
//
//   kad::RoutingTable table(self_id);
//   auto r = table.try_add(peer, addrs, now);      // on every peer that answers us or asks us
//   if (r.outcome == AddOutcome::bucket_full)      // ask the shell to ping the oldest entry:
//     ping(*r.ping_candidate) ? table.mark_alive(*r.ping_candidate, now)
//                             : (table.remove(*r.ping_candidate), table.try_add(peer, addrs, now));
//   auto peers = table.closest(kad::key_of(target), kad::kBucketSize);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/bytes.hpp"
#include "base/time.hpp"
#include "crypto/sha256.hpp"
#include "proto/kad/message.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::kad {

// k: bucket size and the replication parameter (spec; js K, KBUCKET_SIZE; go, rust 20).
inline constexpr std::size_t kBucketSize = 20;
// One bucket per common prefix length with our key: SHA-256 has 256 bits (spec).
inline constexpr std::size_t kMaxBuckets = 256;
// All buckets full: the table never holds more.
inline constexpr std::size_t kMaxRoutingTablePeers = kBucketSize * kMaxBuckets;

using Key = crypto::Sha256Digest;

// SHA-256 of `bytes`.
Key key_of(ByteView bytes) noexcept;
inline Key key_of(const wire::PeerId& peer) noexcept { return key_of(peer.bytes()); }
Key xor_distance(const Key& a, const Key& b) noexcept;
// Leading bits `a` and `b` share: 0 .. 256 (256 when equal).
std::size_t common_prefix_length(const Key& a, const Key& b) noexcept;
// True when `a` is strictly closer to `target` than `b` (XOR distances compared as 256-bit
// big-endian numbers).
bool closer_to(const Key& target, const Key& a, const Key& b) noexcept;

enum class AddOutcome {
  added,        // a new entry
  updated,      // already present: last_seen refreshed, addresses replaced when some were given
  bucket_full,  // not added: the bucket has kBucketSize entries; ping_candidate is its oldest
  self,         // our own peer ID: never in the table
};

struct AddResult {
  AddOutcome outcome;
  // For bucket_full: the least recently seen entry of that bucket. The shell pings it and calls
  // mark_alive() (it stays, the new peer is dropped) or remove() (then try_add() again).
  std::optional<wire::PeerId> ping_candidate;
};

class RoutingTable {
 public:
  struct Entry {
    wire::PeerId id;
    Key key;
    std::vector<Bytes> addrs;  // bounded_addrs() of what we were told
    TimePoint last_seen;
  };

  // What closest() leaves out.
  struct ClosestOptions {
    const wire::PeerId* exclude = nullptr;  // e.g. the requester: never tell a peer about itself
    bool with_addrs_only = false;           // skip entries without addresses (useless to others)
  };

  explicit RoutingTable(wire::PeerId self);

  const wire::PeerId& self() const noexcept { return self_; }
  const Key& self_key() const noexcept { return self_key_; }

  AddResult try_add(const wire::PeerId& peer, std::span<const Bytes> addrs, TimePoint now);
  // Refreshes last_seen of a present entry (it answered a ping or a request); false if absent.
  bool mark_alive(const wire::PeerId& peer, TimePoint now);
  // False if absent.
  bool remove(const wire::PeerId& peer);

  // Up to `n` entries closest to `target`, closest first (ties cannot happen: distinct peers
  // have distinct keys), as Peers with their stored addresses.
  std::vector<Peer> closest(const Key& target, std::size_t n, ClosestOptions options) const;
  std::vector<Peer> closest(const Key& target, std::size_t n) const {
    return closest(target, n, ClosestOptions{});
  }

  const Entry* find(const wire::PeerId& peer) const;
  std::size_t size() const noexcept { return size_; }
  // The bucket a key belongs in: its common prefix length with ours (REQUIRES: key != ours).
  std::size_t bucket_index(const Key& key) const noexcept;
  std::size_t bucket_size(std::size_t index) const noexcept;
  std::span<const Entry> bucket(std::size_t index) const noexcept;

 private:
  Entry* find_mutable(const wire::PeerId& peer, const Key& key);

  wire::PeerId self_;
  Key self_key_;
  std::array<std::vector<Entry>, kMaxBuckets> buckets_;
  std::size_t size_ = 0;
};

}  // namespace ipfsa::proto::kad
