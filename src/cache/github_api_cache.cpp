#include "cache/github_api_cache.hpp"

#include <algorithm>
#include <exception>

#include "base/ascii.hpp"
#include "base/log.hpp"
#include "base/log_throttle.hpp"
#include "wire/cid.hpp"

namespace ipfsa::cache {
namespace {

using log::suppressed_note;

std::string_view find_header(const Headers& headers, std::string_view name) noexcept {
  for (const auto& h : headers) {
    if (ascii_iequals(h.name, name)) return h.value;
  }
  return {};
}

bool is_success(int status) noexcept { return status >= 200 && status <= 299; }
bool is_cacheable(int status) noexcept { return is_success(status) || status == 404; }

// An entry for a response we pass through without storing: no size cap (the caller still gets
// what GitHub sent), expired from the start.
EntryPtr uncached_entry(const UpstreamResponse& r, WallTime now) {
  Entry e;
  e.status = r.status;
  for (std::string_view kept : kKeptHeaders) {
    const auto v = find_header(r.headers, kept);
    if (!v.empty()) e.headers.push_back({std::string(kept), std::string(v)});
  }
  e.cid = wire::Cid::sha256_raw(as_bytes(r.body)).to_string();
  e.body = std::make_shared<const std::string>(r.body);
  e.fetched_at = now;
  e.expires_at = now;
  return std::make_shared<const Entry>(std::move(e));
}

}  // namespace

std::string_view to_string(CacheStatus status) noexcept {
  switch (status) {
    case CacheStatus::hit:
      return "hit";
    case CacheStatus::miss:
      return "miss";
    case CacheStatus::revalidated:
      return "revalidated";
    case CacheStatus::stale:
      return "stale";
    case CacheStatus::peer:
      return "peer";
  }
  return "miss";
}

bool is_rate_limited(const UpstreamResponse& response) noexcept {
  if (response.status == 429) return true;
  if (response.status != 403) return false;
  return find_header(response.headers, "x-ratelimit-remaining") == "0" ||
         !find_header(response.headers, "retry-after").empty();
}

Checked<std::unique_ptr<GitHubAPICache>> GitHubAPICache::open(const Config& config, Now now) {
  using R = Checked<std::unique_ptr<GitHubAPICache>>;
  std::optional<std::filesystem::path> ttl_file = config.ttl_file;
  std::error_code ec;
  if (!ttl_file && std::filesystem::exists(config.dir / kTtlFileName, ec)) {
    ttl_file = config.dir / kTtlFileName;
  }
  auto policy = ttl_file ? TtlPolicy::load(*ttl_file, config.default_ttl)
                         : Checked<TtlPolicy>(TtlPolicy(config.default_ttl));
  if (!policy) return R::failure(policy.error());
  auto store = Store::open(config.store_options());
  if (!store) return R::failure(store.error());
  return R(std::make_unique<GitHubAPICache>(std::move(*store), std::move(*policy), std::move(now)));
}

GitHubAPICache::GitHubAPICache(std::unique_ptr<Store> store, TtlPolicy policy, Now now)
    : store_(std::move(store)), policy_(std::move(policy)), now_(std::move(now)) {}

EntryPtr GitHubAPICache::lookup_stored(const CacheKey& key) {
  auto entry = store_->get(key.digest);
  if (entry) return *entry;
  if (entry.error() != Error::not_found) {
    log::warn("cache: reading {} failed ({}); treating it as absent", key.text,
              entry.error().message());
  }
  return nullptr;
}

std::optional<EntryPtr> GitHubAPICache::get(const CacheKey& key) {
  EntryPtr entry = lookup_stored(key);
  if (entry && entry->fresh_at(now_())) {
    ++hits_;
    ++saved_;
    return entry;
  }
  if (entry) ++expirations_;
  ++misses_;
  return std::nullopt;
}

std::optional<EntryPtr> GitHubAPICache::hit(const CacheKey& key) {
  EntryPtr entry = lookup_stored(key);
  if (!entry || !entry->fresh_at(now_())) return std::nullopt;
  ++hits_;
  ++saved_;
  return entry;
}

std::optional<EntryPtr> GitHubAPICache::get_stale(const CacheKey& key) {
  EntryPtr entry = lookup_stored(key);
  if (!entry) return std::nullopt;
  return entry;
}

std::chrono::seconds GitHubAPICache::ttl_for(const CacheKey& key, int status) const {
  const auto ttl = policy_.classify(key).ttl;
  return status == 404 ? std::min(ttl, kNotFoundTtl) : ttl;
}

Result<Lookup> GitHubAPICache::put(const CacheKey& key, const UpstreamResponse& response) {
  const WallTime now = now_();
  const auto ttl = ttl_for(key, response.status);
  if (!is_cacheable(response.status) || ttl.count() == 0) {
    return Lookup{CacheStatus::miss, uncached_entry(response, now), false};
  }
  auto entry = make_entry(response.status, response.headers, response.body, now, now + ttl);
  if (!entry) return entry.error();
  auto shared = std::make_shared<const Entry>(std::move(*entry));
  if (auto ok = store_->put(key.text, key.digest, shared); !ok) return ok.error();
  return Lookup{CacheStatus::miss, std::move(shared), true};
}

Result<void> GitHubAPICache::put_entry(const CacheKey& key, const EntryPtr& entry) {
  return store_->put(key.text, key.digest, entry);
}

Result<bool> GitHubAPICache::invalidate(const CacheKey& key) { return store_->erase(key.digest); }

Result<bool> GitHubAPICache::invalidate_hash(const KeyDigest& key) { return store_->erase(key); }

Result<std::size_t> GitHubAPICache::invalidate_prefix(std::string_view prefix) {
  return store_->erase_prefix(prefix);
}

std::size_t GitHubAPICache::invalidate_under(std::string_view prefix) {
  std::size_t dropped = 0;
  for (const char end : {' ', '/', '?'}) {
    std::string range(prefix);
    range += end;
    if (auto n = store_->erase_prefix(range)) dropped += *n;
  }
  return dropped;
}

Result<std::size_t> GitHubAPICache::clear() { return store_->clear(); }

void GitHubAPICache::record_peer_hit() noexcept {
  ++peer_hits_;
  ++saved_;
}

void GitHubAPICache::count_call(const CacheKey& key,
                                const Result<UpstreamResponse>& response) noexcept {
  if (!response) {
    if (response.error() == Error::rate_limited) {
      ++refused_locally_;
    } else {
      ++upstream_failures_;
    }
  } else if (key.kind == ApiKind::graphql) {
    ++calls_graphql_;
  } else {
    ++calls_rest_;
  }
}

std::size_t GitHubAPICache::followers_waiting(const CacheKey& key) const {
  std::lock_guard lock(flights_mutex_);
  const auto it = flights_.find(key.hash);
  return it == flights_.end() ? 0 : it->second->followers.load();
}

Result<Lookup> GitHubAPICache::fetch(const CacheKey& key, const Upstream& upstream,
                                     const PeerSource& peers) {
  if (EntryPtr entry = lookup_stored(key); entry && entry->fresh_at(now_())) {
    ++hits_;
    ++saved_;
    return Lookup{CacheStatus::hit, std::move(entry), true};
  }
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    std::lock_guard lock(flights_mutex_);
    auto& slot = flights_[key.hash];
    if (!slot) {
      slot = std::make_shared<Flight>();
      leader = true;
    } else {
      ++slot->followers;
    }
    flight = slot;
  }
  if (!leader) {
    // Single flight: wait for the leader's answer instead of calling GitHub again.
    Result<Lookup> shared = flight->future.get();
    ++coalesced_;
    if (!shared) return shared;
    Lookup lookup = *shared;
    if (lookup.status == CacheStatus::stale) {
      ++stale_;
    } else if (lookup.status == CacheStatus::peer) {
      ++peer_hits_;
      ++saved_;
    } else {
      lookup.status = CacheStatus::hit;
      ++hits_;
      ++saved_;
    }
    return lookup;
  }
  Result<Lookup> result = Error::io_failure;
  try {
    result = fetch_as_leader(key, upstream, peers);
  } catch (const std::exception& e) {  // the upstream callback must not strand the followers
    log::warn("cache: upstream for {} threw: {}", key.text, e.what());
    result = Error::io_failure;
  } catch (...) {
    result = Error::io_failure;
  }
  {
    std::lock_guard lock(flights_mutex_);
    flights_.erase(key.hash);
  }
  flight->promise.set_value(result);
  return result;
}

Result<Lookup> GitHubAPICache::fetch_as_leader(const CacheKey& key, const Upstream& upstream,
                                               const PeerSource& peers) {
  // Re-check: a previous leader may have stored a fresh answer since our first look.
  EntryPtr stored = lookup_stored(key);
  if (stored && stored->fresh_at(now_())) {
    ++hits_;
    ++saved_;
    return Lookup{CacheStatus::hit, std::move(stored), true};
  }
  if (stored) ++expirations_;
  if (peers) {
    if (EntryPtr from_peer = peers(key, stored); from_peer && from_peer->fresh_at(now_())) {
      const bool stored_ok = static_cast<bool>(put_entry(key, from_peer));
      ++peer_hits_;
      ++saved_;
      return Lookup{CacheStatus::peer, std::move(from_peer), stored_ok};
    }
  }
  ConditionalHeaders conditional;
  if (stored && stored->status == 200) {
    conditional.if_none_match = std::string(stored->header("etag"));
    conditional.if_modified_since = std::string(stored->header("last-modified"));
  }
  Result<UpstreamResponse> response = upstream(conditional);
  count_call(key, response);
  const WallTime now = now_();
  if (!response) {
    if (stored) {  // stale-if-error (RFC 5861 section 4): keep answering while GitHub is away
      if (auto skipped = stale_log_.allow(std::chrono::steady_clock::now())) {
        log::info("cache: upstream failed for {} ({}); serving the expired entry{}", key.text,
                  response.error().message(), suppressed_note(*skipped));
      }
      ++stale_;
      return Lookup{CacheStatus::stale, std::move(stored), true};
    }
    ++misses_;
    return response.error();
  }
  return settle(key, stored, std::move(*response), now);
}

Result<Lookup> GitHubAPICache::settle(const CacheKey& key, const EntryPtr& stored,
                                      UpstreamResponse response, WallTime now) {
  if (response.status == 304) {
    if (!stored) {
      ++misses_;
      return Error::protocol_violation;
    }
    // RFC 9111 section 4.3.4: a 304 freshens the stored response; updated validators replace ours.
    Entry renewed = *stored;
    for (auto& h : renewed.headers) {
      const auto v = find_header(response.headers, h.name);
      if ((h.name == "etag" || h.name == "last-modified") && !v.empty() &&
          v.size() <= kMaxHeaderValueBytes) {
        h.value = std::string(v);
      }
    }
    renewed.fetched_at = now;
    renewed.expires_at = now + ttl_for(key, renewed.status);
    renewed.origin.clear();  // we vouch for it now
    renewed.signature.clear();
    auto shared = std::make_shared<const Entry>(std::move(renewed));
    const bool stored_ok = static_cast<bool>(store_->renew(key.digest, shared));
    ++revalidated_;
    ++saved_;
    return Lookup{CacheStatus::revalidated, std::move(shared), stored_ok};
  }
  if (stored && (is_rate_limited(response) || response.status >= 500)) {
    if (auto skipped = stale_log_.allow(std::chrono::steady_clock::now())) {
      log::info("cache: GitHub answered {} for {}; serving the expired entry{}", response.status,
                key.text, suppressed_note(*skipped));
    }
    ++stale_;
    return Lookup{CacheStatus::stale, stored, true};
  }
  ++misses_;
  const auto ttl = ttl_for(key, response.status);
  if (!is_cacheable(response.status) || ttl.count() == 0) {
    return Lookup{CacheStatus::miss, uncached_entry(response, now), false};
  }
  if (response.body.size() > kMaxEntryBytes) {
    log::warn("cache: {} answered {} bytes, over the {}-byte entry cap; not cached", key.text,
              response.body.size(), kMaxEntryBytes);
    return Lookup{CacheStatus::miss, uncached_entry(response, now), false};
  }
  auto entry =
      make_entry(response.status, response.headers, std::move(response.body), now, now + ttl);
  if (!entry) return entry.error();
  auto shared = std::make_shared<const Entry>(std::move(*entry));
  auto ok = store_->put(key.text, key.digest, shared);
  if (!ok) {
    log::warn("cache: storing {} failed ({}); answering without caching", key.text,
              ok.error().message());
  }
  return Lookup{CacheStatus::miss, std::move(shared), static_cast<bool>(ok)};
}

CacheStats GitHubAPICache::stats() const {
  CacheStats s;
  s.hits = hits_;
  s.misses = misses_;
  s.peer_hits = peer_hits_;
  s.expirations = expirations_;
  s.api_calls_made_rest = calls_rest_;
  s.api_calls_made_graphql = calls_graphql_;
  s.api_calls_refused_locally = refused_locally_;
  s.upstream_failures = upstream_failures_;
  s.api_calls_saved = saved_;
  s.revalidations_304 = revalidated_;
  s.stale_served = stale_;
  s.coalesced = coalesced_;
  const auto store = store_->stats();
  s.evictions = store.evictions;
  s.total_entries = store.total_entries;
  s.total_size_bytes = store.total_size_bytes;
  const double answered_locally = static_cast<double>(s.hits + s.peer_hits);
  const double all =
      answered_locally + static_cast<double>(s.misses + s.revalidations_304 + s.stale_served);
  s.hit_rate = all > 0 ? answered_locally / all : 0.0;
  return s;
}

Checked<GitHubAPICache*> global_cache(const std::function<Checked<Config>()>& configure) {
  static std::mutex mutex;
  static std::unique_ptr<GitHubAPICache> cache;
  std::lock_guard lock(mutex);
  if (cache) return cache.get();
  auto config = configure();
  if (!config) return config.status();
  auto opened = GitHubAPICache::open(*config);
  if (!opened) return opened.status();
  cache = std::move(*opened);
  return cache.get();
}

}  // namespace ipfsa::cache
