// The iterative Kademlia lookup (libp2p specs, kad-dht/README.md "Peer routing"; for providers
// "Content routing") as a sans-I/O state machine: no stream, clock or timer. The shell sends
// request() to the peers next() hands out, applies its own per-request timeout, and reports
// each answer or failure; the lookup decides whom to ask next and when it is finished.
//
//   kad::Lookup lookup(target, LookupKind::get_providers, self,
//                      table.closest(kad::key_of(target), kad::kBucketSize), /*wanted=*/1);
//   while (!lookup.done()) {
//     for (const kad::Peer& p : lookup.next()) send(p, lookup.request());   // <= kAlpha at once
//     wait for one: answer -> lookup.on_response(from, decoded_response);
//                   error, reset or timeout -> lookup.on_failure(from);
//     (when nothing is in flight and next() is empty, done() holds)
//   }
//   auto r = lookup.result();   // r.closest: up to k peers that answered; r.providers
//
// The lookup ends when the k closest peers it knows (failed ones left out) have all answered, or
// when it has asked everyone it heard of, or (GET_PROVIDERS with wanted_providers > 0) when that
// many distinct providers were found. Each peer is queried at most once, so it always ends.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "base/bytes.hpp"
#include "proto/kad/message.hpp"
#include "proto/kad/routing_table.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::kad {

// Requests in flight at once per lookup (spec's alpha; js uses 10, go and rust 3).
inline constexpr std::size_t kAlpha = 3;
// Candidates a lookup remembers, closest first. Only the k closest matter for the result; the
// rest let it route around failures. When full, a closer newcomer replaces the farthest (unless
// that one is in flight), so the farthest distance never grows and no peer is queried twice.
inline constexpr std::size_t kMaxLookupCandidates = 8 * kBucketSize;
// Closer peers taken from one answer (the first k; honest peers send exactly k).
inline constexpr std::size_t kMaxCloserPerAnswer = kBucketSize;
// Distinct providers a GET_PROVIDERS lookup collects.
inline constexpr std::size_t kMaxLookupProviders = kMaxProviderPeers;

enum class LookupKind { find_node, get_providers };

struct LookupResult {
  std::vector<Peer> closest;    // up to k peers that answered, closest to the target first
  std::vector<Peer> providers;  // GET_PROVIDERS: distinct providers in the order heard, not self
};

class Lookup {
 public:
  // `target`: the key's bytes (a peer ID for FIND_NODE, the multihash for GET_PROVIDERS);
  // distances are to key_of(target). `seeds` usually come from RoutingTable::closest(); our own
  // peer is never a candidate. `wanted_providers` (GET_PROVIDERS only): stop once that many
  // distinct providers are known; 0 runs the lookup to its end.
  Lookup(ByteView target, LookupKind kind, wire::PeerId self, std::span<const Peer> seeds,
         std::size_t wanted_providers = 0);

  // The request to send to every peer next() returns (FIND_NODE or GET_PROVIDERS for target).
  const Message& request() const noexcept { return request_; }

  // Peers to query now, closest first, marked in flight: pending candidates among the k closest
  // not failed, while fewer than kAlpha are in flight. Empty when done() or nothing is due.
  std::vector<Peer> next();

  // An answer of an in-flight peer: it counts as answered; up to kMaxCloserPerAnswer of `closer`
  // become candidates (ourselves and known ones left out) and, for GET_PROVIDERS, `providers`
  // are collected (deduplicated, at most kMaxLookupProviders, ourselves left out). Returns
  // false, changing nothing, when `from` is not in flight (unknown, already answered or failed).
  bool on_response(const wire::PeerId& from, std::span<const Peer> closer,
                   std::span<const Peer> providers);
  bool on_response(const wire::PeerId& from, const Message& response) {
    return on_response(from, response.closer_peers, response.provider_peers);
  }
  // The request to `from` failed (error, reset, timeout): it is not asked again and does not
  // count towards the k closest. False when `from` is not in flight.
  bool on_failure(const wire::PeerId& from);

  bool done() const noexcept;
  LookupResult result() const;

  const Key& target_key() const noexcept { return target_key_; }
  std::size_t in_flight() const noexcept { return in_flight_; }
  std::size_t candidate_count() const noexcept { return candidates_.size(); }

 private:
  enum class State { pending, in_flight, answered, failed };
  struct Candidate {
    Peer peer;
    Key key;
    State state;
  };

  void add_candidate(const Peer& peer);
  Candidate* find(const wire::PeerId& peer);

  Message request_;
  Key target_key_;
  LookupKind kind_;
  wire::PeerId self_;
  std::size_t wanted_providers_;
  std::vector<Candidate> candidates_;  // closest to target_key_ first, at most the bound
  std::vector<Peer> providers_;
  std::size_t in_flight_ = 0;
};

}  // namespace ipfsa::proto::kad
