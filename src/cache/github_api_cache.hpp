// GitHubAPICache: the read-through cache every GitHub call goes through (docs/wire/cache-store.md).
// Mirrors the Python original's API (get, put, invalidate, invalidate_prefix, clear, stats) and
// adds fetch(), which owns freshness, conditional revalidation, stale-if-error and single flight.
//
// Thread-safe. fetch() calls `upstream` on the calling thread, outside every lock; concurrent
// fetch() calls for one key make one upstream call and share its result.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/error.hpp"
#include "base/log_throttle.hpp"
#include "base/status.hpp"
#include "cache/config.hpp"
#include "cache/entry.hpp"
#include "cache/key.hpp"
#include "cache/store.hpp"
#include "cache/ttl_policy.hpp"

namespace ipfsa::cache {

// What the node's GitHub client returns. `headers` may hold every response header: the cache
// keeps only kKeptHeaders.
struct UpstreamResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

// Validators for a conditional request (RFC 9110 section 13.1); empty strings are not sent.
struct ConditionalHeaders {
  std::string if_none_match;      // the stored ETag
  std::string if_modified_since;  // the stored Last-Modified
  bool empty() const noexcept { return if_none_match.empty() && if_modified_since.empty(); }
};

// Makes one GitHub request, adding the conditional headers it is given. An error means no HTTP
// response at all (network failure, timeout).
using Upstream = std::function<Result<UpstreamResponse>(const ConditionalHeaders&)>;

// Asked by fetch()'s single-flight leader on a miss or an expired entry, before the upstream: a
// fresh, verified entry from the swarm, or nullptr to go upstream. Blocking, bounded by its own
// deadlines. `stored` is the expired entry, if any (its validators tell a peer what we have).
using PeerSource = std::function<EntryPtr(const CacheKey& key, const EntryPtr& stored)>;

// peer: answered by a swarm peer (no upstream call by this node).
enum class CacheStatus : std::uint8_t { hit, miss, revalidated, stale, peer };
std::string_view to_string(CacheStatus status) noexcept;

struct Lookup {
  CacheStatus status = CacheStatus::miss;
  EntryPtr entry;       // what to answer with (never null on success); may be an uncached error
  bool stored = false;  // true if `entry` is (now) in the cache
};

struct CacheStats {
  std::uint64_t hits = 0;         // answered from a fresh entry, no upstream call
  std::uint64_t misses = 0;       // needed a full upstream call
  std::uint64_t peer_hits = 0;    // answered by a peer (record_peer_hit)
  std::uint64_t expirations = 0;  // lookups that found an expired entry
  std::uint64_t evictions = 0;    // LRU evictions by the store
  // Calls that reached GitHub and got an HTTP answer (any status, 304 and limits included).
  std::uint64_t api_calls_made_rest = 0;
  std::uint64_t api_calls_made_graphql = 0;
  // Calls the client refused without contacting GitHub (a rate-limit block, ours or a peer's).
  std::uint64_t api_calls_refused_locally = 0;
  // Calls sent that got no HTTP answer (connection, TLS, timeout).
  std::uint64_t upstream_failures = 0;
  std::uint64_t api_calls_saved = 0;    // hits + peer hits + coalesced + 304 revalidations
  std::uint64_t revalidations_304 = 0;  // expired entries renewed by a 304
  std::uint64_t stale_served = 0;       // expired entries served because upstream failed
  std::uint64_t coalesced = 0;          // fetches that waited for another thread's call
  double hit_rate = 0;                  // (hits + peer_hits) / all lookups, 0..1
  std::uint64_t total_entries = 0;
  std::uint64_t total_size_bytes = 0;
  std::uint64_t api_calls_made() const noexcept {
    return api_calls_made_rest + api_calls_made_graphql;
  }
};

class GitHubAPICache {
 public:
  using Now = std::function<WallTime()>;

  // Opens the store at config.database_file() and the TTL rules (config.ttl_file, else
  // <dir>/ttl.conf if present). Errors are messages.
  static Checked<std::unique_ptr<GitHubAPICache>> open(const Config& config, Now now = wall_now);
  GitHubAPICache(std::unique_ptr<Store> store, TtlPolicy policy, Now now = wall_now);

  // A fresh entry (hits++) or nullopt (misses++; expirations++ if one had expired).
  std::optional<EntryPtr> get(const CacheKey& key);
  // A fresh entry (hits++), or nullopt counting nothing: for fast paths that fall back to
  // fetch(), which then counts the miss once.
  std::optional<EntryPtr> hit(const CacheKey& key);
  // Any stored entry, fresh or not; counts nothing.
  std::optional<EntryPtr> get_stale(const CacheKey& key);
  // Stores `response` with the key's TTL class (a TTL of 0 stores nothing and returns the entry
  // unstored). Only 2xx and 404 are cached. Errors: too_large, io_failure (store), malformed.
  Result<Lookup> put(const CacheKey& key, const UpstreamResponse& response);
  // Stores a ready entry (e.g. received from a peer; its origin and expiry are kept).
  Result<void> put_entry(const CacheKey& key, const EntryPtr& entry);
  Result<bool> invalidate(const CacheKey& key);
  Result<bool> invalidate_hash(const KeyDigest& key);  // by the key digest alone
  // Removes entries whose canonical key text starts with `prefix` (e.g. "GET
  // api.github.com/repos/o/r").
  Result<std::size_t> invalidate_prefix(std::string_view prefix);
  // Removes the entries under a resource: keys starting with `prefix` followed by a segment end
  // (' ', '/' or '?'), so "GET api.github.com/repos/o/r" never drops ".../repos/o/rx". Returns
  // how many went; a store error on one of the three ranges is skipped (counted as none).
  std::size_t invalidate_under(std::string_view prefix);
  // Removes every entry. Counters are not reset (they describe the process's lifetime).
  Result<std::size_t> clear();

  // Read-through: see docs/wire/cache-store.md, "fetch()". Errors: the upstream's error when it
  // failed and nothing (not even an expired entry) is stored; protocol_violation for a 304 we
  // did not ask for.
  // With `peers`, a miss asks the swarm first; an entry it returns is stored (keeping its origin,
  // signature and expiry) and counted as a peer hit.
  Result<Lookup> fetch(const CacheKey& key, const Upstream& upstream,
                       const PeerSource& peers = nullptr);

  void record_peer_hit() noexcept;
  CacheStats stats() const;
  const TtlPolicy& ttl_policy() const noexcept { return policy_; }
  Store& store() noexcept { return *store_; }
  // Threads currently waiting on another thread's upstream call for `key` (tests, metrics).
  std::size_t followers_waiting(const CacheKey& key) const;

 private:
  struct Flight {
    std::promise<Result<Lookup>> promise;
    std::shared_future<Result<Lookup>> future = promise.get_future().share();
    std::atomic<std::size_t> followers{0};
  };
  Result<Lookup> fetch_as_leader(const CacheKey& key, const Upstream& upstream,
                                 const PeerSource& peers);
  Result<Lookup> settle(const CacheKey& key, const EntryPtr& stored, UpstreamResponse response,
                        WallTime now);
  std::chrono::seconds ttl_for(const CacheKey& key, int status) const;
  EntryPtr lookup_stored(const CacheKey& key);
  // Counts an upstream attempt by how it ended (reached GitHub, refused locally, failed).
  void count_call(const CacheKey& key, const Result<UpstreamResponse>& response) noexcept;

  std::unique_ptr<Store> store_;
  TtlPolicy policy_;
  Now now_;

  log::Throttle stale_log_;  // "serving the expired entry", once per kLogThrottleInterval
  mutable std::mutex flights_mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;

  std::atomic<std::uint64_t> hits_{0}, misses_{0}, peer_hits_{0}, expirations_{0}, calls_rest_{0},
      calls_graphql_{0}, refused_locally_{0}, upstream_failures_{0}, saved_{0}, revalidated_{0}, stale_{0}, coalesced_{0};
};

// True for a response GitHub sends when a rate limit is hit: 429, or 403 with
// x-ratelimit-remaining: 0 or a retry-after header (docs.github.com, "Rate limits for the REST
// API").
bool is_rate_limited(const UpstreamResponse& response) noexcept;

// The process-wide cache (the seed's global_cache()), opened on first use with the Config that
// `configure()` returns: configuration flows in from the caller (node/, cli/), cache/ reads no
// environment. Later calls return the same cache and do not call `configure`. Returns the
// configuration or open error (and tries again on the next call).
Checked<GitHubAPICache*> global_cache(const std::function<Checked<Config>()>& configure);

}  // namespace ipfsa::cache
