// The swarm cache (docs/wire/cache-protocol.md): serves /ipfs-accelerate/cache/1.0.0, pulls missing
// entries from their owner (rendezvous hashing over the swarm's membership, docs/wire/membership.md,
// dialling the owner if it is not connected) or from a peer that announced them, verifies everything
// it receives, penalises peers that send bad data, and turns what this node fetched, invalidated or
// was rate-limited on into gossip announcements. Keeps the membership: states this node every
// kMemberHeartbeat on gossip, exchanges member tables on each new connection
// (/ipfs-accelerate/members/1.0.0), and drops members that went silent or cannot be dialled.
//
// Threading: the p2p side runs on the Host's io_context thread. pull() and the announce_*()
// calls may be called from any other thread (they post to the io_context); pull() blocks and
// must never be called on the io_context thread. Blocking cache and upstream work runs on the
// service's own worker threads.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/lru_map.hpp"
#include "base/time.hpp"
#include "cache/github_api_cache.hpp"
#include "crypto/ed25519.hpp"
#include "share/announcement.hpp"
#include "share/cache_protocol.hpp"
#include "share/membership.hpp"
#include "wire/peer_id.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace ipfsa::p2p {
class Host;
}  // namespace ipfsa::p2p

namespace ipfsa::share {

using namespace std::chrono_literals;

inline constexpr Duration kDefaultOwnerTimeout = 300ms;  // the owner's first frame
inline constexpr Duration kDefaultFetchTimeout = 30s;    // the owner's answer once it said pending
inline constexpr Duration kDefaultPeerTimeout = 300ms;   // a peer that announced the key
inline constexpr std::size_t kMaxServesInFlight = 64;    // inbound requests; more get `busy`
inline constexpr std::size_t kMaxPullsInFlight = 256;    // outbound; more go upstream directly
inline constexpr std::size_t kFetchWorkers = 8;          // threads for blocking cache/upstream work
inline constexpr int kMaxOffences = 3;                   // bad entries before a peer is cut off
inline constexpr Duration kBanDuration = 10min;
inline constexpr std::size_t kMaxAnnouncedKeys = 65536;  // holder index (LRU)
inline constexpr std::size_t kMaxHoldersPerKey = 8;
inline constexpr std::size_t kMaxFallbackPeers = 2;      // announcers asked after the owner
inline constexpr Duration kMaxRateLimitHold = 2h;        // notices further out are ignored
// The member exchange: each side of a new connection sends its live member records.
inline constexpr std::string_view kMembersProtocol = "/ipfs-accelerate/members/1.0.0";
inline constexpr Duration kMemberExchangeTimeout = 10s;  // one whole exchange
// An owner we are not connected to gets this much longer for its first frame (dial + handshake).
inline constexpr Duration kOwnerDialTimeout = 2s;
// Dials to reach an owner, in all, when it accepts the TCP connection and closes it during the
// handshake: it is there but admitting a burst (the Host closes the oldest unfinished handshakes
// beyond p2p::kMaxPendingInboundPerAddress, and a fleet on one host or behind one NAT dials a
// newly needed owner all at once). Between attempts a random pause of up to
// kOwnerRedialPause << attempt spreads the burst out.
inline constexpr std::size_t kMaxOwnerDials = 5;
inline constexpr Duration kOwnerRedialPause = std::chrono::milliseconds(25);
// Members asked in rank order with allow_upstream: the owner, then (if it cannot be reached) its
// successor, the member every other asker also turns to, so that one member fetches.
inline constexpr std::size_t kMaxOwnerAttempts = 2;
// Connections this node opened on demand to reach an owner; beyond it the least recently used one
// is closed. Bootstrap, discovered and inbound connections are not counted (Host bounds them all).
inline constexpr std::size_t kMaxOnDemandConnections = 32;

struct SharingConfig {
  Duration owner_timeout = kDefaultOwnerTimeout;
  Duration fetch_timeout = kDefaultFetchTimeout;
  Duration peer_timeout = kDefaultPeerTimeout;
  std::size_t max_serves = kMaxServesInFlight;
  int max_offences = kMaxOffences;
  Duration ban_duration = kBanDuration;
  // Swarm::token_fingerprint of this node's own token, to recognise notices about it.
  std::string token_fingerprint;
};

struct SharingStats {
  std::uint64_t pulls = 0;                // misses that asked the swarm
  std::uint64_t pulled_from_owner = 0;
  std::uint64_t pulled_from_announcer = 0;
  std::uint64_t pull_failures = 0;        // asked, got nothing usable (went upstream)
  std::uint64_t owner_timeouts = 0;
  std::uint64_t served = 0;               // entries sent to peers
  std::uint64_t served_upstream = 0;      // of those, fetched upstream for the asker (we own them)
  std::uint64_t rejected = 0;             // entries or announcements that failed verification
  std::uint64_t bytes_in = 0;             // cache-protocol bytes
  std::uint64_t bytes_out = 0;
  std::uint64_t announcements_sent = 0;
  std::uint64_t announcements_received = 0;
  std::uint64_t invalidations_received = 0;
  std::uint64_t rate_limit_notices = 0;   // received about our own token
  std::uint64_t members = 0;              // live members, this node included
  std::uint64_t member_records = 0;       // verified member records received (gossip, exchange)
  std::uint64_t forwarded = 0;            // requests passed on to the owner in our view
  std::uint64_t owner_unreachable = 0;    // owners (or successors) that could not be reached
  std::uint64_t pulled_from_successor = 0;
  std::uint64_t on_demand_dials = 0;      // connections opened to reach an owner
  // As a key's owner, entries taken from the member that fetched them while we were away (it
  // announced a copy still fresh) instead of a second upstream call.
  std::uint64_t taken_back = 0;
};

struct PeerCounters {
  std::uint64_t served = 0;    // entries we sent it
  std::uint64_t received = 0;  // verified entries it sent us
  int offences = 0;
};

enum class Verdict : std::uint8_t { accept, reject, ignore };

class Sharing {
 public:
  // Fetches a key for a peer that takes us for its owner: through the local cache and GitHub,
  // never the swarm. Blocking (runs on a worker thread). Returns a cacheable, fresh entry or an
  // error.
  using Fetch = std::function<Result<cache::EntryPtr>(const Recipe& recipe)>;
  // Publishes an encoded announcement on the swarm topic (called on the io_context thread).
  using Publish = std::function<void(Bytes announcement)>;
  using RateLimitHandler = std::function<void(const std::string& resource, cache::WallTime until)>;

  Sharing(boost::asio::io_context& context, p2p::Host& host, cache::GitHubAPICache& cache,
          const crypto::Ed25519KeyPair& key, SharingConfig config = {});
  ~Sharing();
  Sharing(const Sharing&) = delete;
  Sharing& operator=(const Sharing&) = delete;

  // Registers the protocol handler and the connection hooks. Call on the io_context thread.
  void start(Fetch fetch, Publish publish, RateLimitHandler on_rate_limit = nullptr);
  // Stops serving and pulling; pending pulls return nothing. Joins the workers.
  void stop();

  // A fresh, verified entry from the swarm, or nullptr (go upstream yourself): asks the key's
  // owner, then up to kMaxFallbackPeers peers that announced it. Never longer than the
  // configured deadlines; stop() releases the caller at once. `stored` is our expired entry, if
  // any: a pulled entry that was not fetched after it is no news and is dropped (the caller
  // then revalidates with its validators, which costs no quota). Blocking; not on the
  // io_context thread.
  // PullScope::owner_copy: we are serving a peer as the key's owner (its request reached us), so
  // ask no owner: only take back a fresh copy a member announced having fetched while we were
  // away (docs/wire/membership.md, "A returning owner").
  enum class PullScope { swarm, owner_copy };
  cache::EntryPtr pull(const cache::CacheKey& key, const Recipe& recipe,
                       const cache::EntryPtr& stored, PullScope scope = PullScope::swarm);
  // Thread-safe: announce an entry this node fetched from GitHub, a write's invalidation prefix,
  // or that this node's token is rate-limited until `reset` for `resource`.
  void announce_entry(const cache::CacheKey& key, const cache::EntryPtr& entry);
  void announce_invalidation(std::string prefix);
  void announce_rate_limit(std::string resource, cache::WallTime reset);

  // A message from the swarm topic authored by `author` (io_context thread). Reject penalises
  // the propagator (gossipsub), ignore drops it quietly.
  Verdict on_announcement(const wire::PeerId& author, ByteView data);

  // Live members, this node included, as the membership holds them (every member computes the
  // same list from the same records, whoever it is connected to). io_context thread.
  std::vector<wire::PeerId> members() const;
  // The live member records, this node's first. io_context thread.
  std::vector<MemberRecord> member_records() const;
  // Thread-safe snapshots.
  SharingStats stats() const;
  std::map<wire::PeerId, PeerCounters> peer_counters() const;

 private:
  struct Counters;  // sharing_counters.hpp
  struct PullWait;  // one blocked pull() caller
  struct Asking;    // sharing_streams.cpp: the coroutines of pull()
  struct Serving;   // sharing_streams.cpp: the coroutines that answer peers
  struct Members;   // sharing_members.cpp: heartbeat, member exchange, on-demand connections
  void start_serving();   // registers the protocol handler (sharing_streams.cpp)
  void start_members();   // heartbeat and the member exchange (sharing_members.cpp)
  // A verified record from `via` (gossip or exchange): applied, its addresses noted for dialling.
  Applied accept_member(const MemberRecord& record);
  // `peer` could not be reached: out of our member list until it states itself again.
  void member_unreachable(const wire::PeerId& peer);
  // We opened a connection to `peer` to reach an owner: counts against kMaxOnDemandConnections.
  void note_on_demand(const wire::PeerId& peer);
  void release_pulls();   // wakes every blocked pull() (sharing_streams.cpp)
  cache::EntryPtr fresh_local(const cache::CacheKey& key);
  void offence(const wire::PeerId& peer, std::string_view why);
  void publish(const Announcement& announcement);
  // A peer that announced an entry it fetched, and when that entry expires (its announcement's
  // expires_at_ms, wall clock).
  struct Holder {
    wire::PeerId peer;
    std::int64_t expires_at_ms = 0;
  };
  void note_holder(const std::string& key_hash, const wire::PeerId& peer, std::int64_t expires_at_ms);
  std::vector<Holder> holders(const std::string& key_hash) const;  // most recent first

  boost::asio::io_context& context_;
  p2p::Host& host_;
  cache::GitHubAPICache& cache_;
  const crypto::Ed25519KeyPair& key_;
  SharingConfig config_;
  Fetch fetch_;
  Publish publish_;
  RateLimitHandler on_rate_limit_;
  std::unique_ptr<boost::asio::thread_pool> workers_;  // kFetchWorkers threads
  std::atomic<bool> running_{false};
  std::atomic<std::size_t> pulls_in_flight_{0};
  std::mutex pull_waits_mutex_;
  std::vector<std::shared_ptr<PullWait>> pull_waits_;  // stop() wakes them all
  std::size_t serves_in_flight_ = 0;  // io thread

  std::unique_ptr<Counters> counters_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // watched by the host's hooks
  mutable std::mutex peers_mutex_;
  std::map<wire::PeerId, PeerCounters> peers_;           // connected members' counters
  std::map<wire::PeerId, TimePoint> banned_until_;       // io thread

  // key hash -> peers that announced it (most recent last), at most kMaxAnnouncedKeys keys: the
  // least recently announced key goes first. io thread.
  LruMap<std::string, std::vector<Holder>> holders_{kMaxAnnouncedKeys};

  Membership membership_;                         // io thread
  std::map<wire::PeerId, TimePoint> on_demand_;   // io thread: last use, kMaxOnDemandConnections
};

}  // namespace ipfsa::share
