// The provider store of a Kademlia server (libp2p specs, kad-dht/README.md "Content routing"):
// which peers said, by ADD_PROVIDER, that they provide a key, for kProviderValidity. Bounded in
// keys, providers per key and addresses per provider; no clock (time comes in as `now`).
//
//   kad::ProviderStore store;
//   on ADD_PROVIDER from `sender`: kad::apply_add_provider(request, sender, store, now);
//   on GET_PROVIDERS: store.get(request.key, now)   (handler.hpp does both)
//   every kProviderCleanupInterval: store.expire(now);
//   the shell re-announces what it provides every kReprovideInterval.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <span>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "proto/kad/message.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::kad {

// How long a provider record stays valid after it was added (js PROVIDERS_VALIDITY and go's
// amino DefaultProvideValidity: 48 h; the spec's text still says 24 h).
inline constexpr Duration kProviderValidity = std::chrono::hours(48);
// How often the shell re-sends ADD_PROVIDER for what it provides: well inside the validity, so
// one missed round (a restart, a partition) does not let the record lapse (go's amino
// DefaultReprovideInterval is 22 h).
inline constexpr Duration kReprovideInterval = std::chrono::hours(22);
// How often the shell calls expire() (js PROVIDERS_CLEANUP_INTERVAL; the spec allows pruning
// only periodically: get() never returns an expired record anyway).
inline constexpr Duration kProviderCleanupInterval = std::chrono::hours(1);
// Providers kept per key. js and go keep every one (bounded by their datastore); rust-libp2p
// keeps k (20), as do we: a peer looking for the rendezvous key needs a few live members, and
// the k closest servers each hold up to 20 of them.
inline constexpr std::size_t kMaxProvidersPerKey = 20;
// Keys in the store. js and go set none; rust-libp2p's memory store holds 1024 records. The
// swarm provides one rendezvous key, so 256 leaves room and bounds the store at
// 256 * 20 * kMaxStoredAddrs * kMaxStoredAddrSize (about 10 MiB of addresses at worst).
inline constexpr std::size_t kMaxProviderKeys = 256;

enum class ProviderAdd {
  added,     // a new provider of the key
  renewed,   // already a provider: its record restarts its validity, addresses replaced
  replaced,  // the key had kMaxProvidersPerKey live providers: the one added longest ago went
};

class ProviderStore {
 public:
  // Records `provider` for `key` until now + kProviderValidity with bounded_addrs(addrs).
  // A full key first drops its expired records, then replaces the provider added longest ago
  // (the most recent announcers are the likeliest to be alive; every live member renews within
  // kReprovideInterval). Errors: malformed (empty key), too_large (key above kMaxKeySize),
  // limit_exceeded (a new key while kMaxProviderKeys keys are held; expire() frees room).
  Result<ProviderAdd> add(ByteView key, const wire::PeerId& provider, std::span<const Bytes> addrs,
                          TimePoint now);
  // The live providers of `key`, oldest record first; drops the key's expired records.
  std::vector<Peer> get(ByteView key, TimePoint now);
  // Drops every expired record (and keys left without one); returns how many records went.
  std::size_t expire(TimePoint now);

  std::size_t key_count() const noexcept { return keys_.size(); }
  std::size_t size() const noexcept { return size_; }  // records over all keys

 private:
  struct Entry {
    wire::PeerId provider;
    std::vector<Bytes> addrs;
    TimePoint added;
  };
  // Removes the expired entries of one key's list; returns how many.
  std::size_t drop_expired(std::vector<Entry>& entries, TimePoint now);

  // Orders keys as bytes and lets find() take a ByteView without copying it.
  struct KeyLess {
    using is_transparent = void;
    bool operator()(ByteView a, ByteView b) const noexcept {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    }
  };
  std::map<Bytes, std::vector<Entry>, KeyLess> keys_;
  std::size_t size_ = 0;
};

// The ADD_PROVIDER rule (spec: "validate that the received PeerInfo matches the sender's
// peerID"): of the request's providerPeers, only an entry naming `sender` itself (the peer the
// secure channel authenticated, passed by the shell) is recorded, once, with its addresses;
// entries for other peers are ignored, as is the sender's entry when it has no address (js does
// the same: nobody could reach it). Returns whether the sender was recorded. Errors:
// protocol_violation (not an ADD_PROVIDER, or no key), and add()'s errors.
Result<bool> apply_add_provider(const Message& request, const wire::PeerId& sender,
                                ProviderStore& store, TimePoint now);

}  // namespace ipfsa::proto::kad
