#include "share/sharing.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "base/log.hpp"
#include "io/asio.hpp"
#include "p2p/host.hpp"
#include "share/sharing_counters.hpp"

namespace ipfsa::share {

namespace asio = io::asio;

Sharing::Sharing(asio::io_context& context, p2p::Host& host, cache::GitHubAPICache& cache,
                 const crypto::Ed25519KeyPair& key, SharingConfig config)
    : context_(context),
      host_(host),
      cache_(cache),
      key_(key),
      config_(std::move(config)),
      workers_(std::make_unique<boost::asio::thread_pool>(kFetchWorkers)),
      counters_(std::make_unique<Counters>()),
      membership_(host.peer_id()) {}

Sharing::~Sharing() { stop(); }

void Sharing::start(Fetch fetch, Publish publish, RateLimitHandler on_rate_limit) {
  fetch_ = std::move(fetch);
  publish_ = std::move(publish);
  on_rate_limit_ = std::move(on_rate_limit);
  running_ = true;
  start_serving();
  start_members();
  // The host outlives no one's handlers: they check that this service still exists.
  std::weak_ptr<bool> alive = alive_;
  host_.on_connect([this, alive](p2p::Connection& c) {
    if (alive.expired() || !running_) return;
    auto it = banned_until_.find(c.remote_peer());
    if (it == banned_until_.end()) return;
    if (Clock::now() < it->second) {
      log::info("sharing: refusing banned peer {}", c.remote_peer().to_string());
      c.close(make_error_code(Error::protocol_violation));
    } else {
      banned_until_.erase(it);
    }
  });
  host_.on_disconnect([this, alive](p2p::Connection& c) {
    if (alive.expired()) return;
    std::lock_guard lock(peers_mutex_);
    peers_.erase(c.remote_peer());
  });
}

void Sharing::stop() {
  if (!running_.exchange(false)) return;
  release_pulls();
  host_.remove_stream_handler(std::string(kCacheProtocol));
  host_.remove_stream_handler(std::string(kMembersProtocol));
  workers_->join();
}

void Sharing::offence(const wire::PeerId& peer, std::string_view why) {
  ++counters_->rejected;
  int offences = 0;
  {
    std::lock_guard lock(peers_mutex_);
    offences = ++peers_[peer].offences;
  }
  log::warn("sharing: peer {} sent an {}; offence {} of {}", peer.to_string(), why, offences,
            config_.max_offences);
  if (offences < config_.max_offences) return;
  banned_until_[peer] = Clock::now() + config_.ban_duration;
  if (auto c = host_.connection(peer)) {
    log::warn("sharing: disconnecting {} for {} s", peer.to_string(),
              std::chrono::duration_cast<std::chrono::seconds>(config_.ban_duration).count());
    c->close(make_error_code(Error::protocol_violation));
  }
}

void Sharing::publish(const Announcement& announcement) {
  if (!publish_ || !running_) return;
  ++counters_->sent;
  publish_(encode_announcement(announcement));
}

void Sharing::announce_entry(const cache::CacheKey& key, const cache::EntryPtr& entry) {
  if (!entry || !entry->origin.empty()) return;  // only what we fetched ourselves
  EntryAnnouncement e;
  e.key_hash = key.hash;
  e.cid = entry->cid;
  e.etag = std::string(entry->header("etag"));
  e.fetched_at_ms = entry->fetched_at.time_since_epoch().count();
  e.expires_at_ms = entry->expires_at.time_since_epoch().count();
  e.size = entry->body ? entry->body->size() : 0;
  e.origin = host_.peer_id().to_string();
  const Announcement a{kAnnouncementVersion, cache::wall_now().time_since_epoch().count(), std::move(e)};
  asio::post(context_, [this, a] { publish(a); });
}

void Sharing::announce_invalidation(std::string prefix) {
  const Announcement a{kAnnouncementVersion, cache::wall_now().time_since_epoch().count(),
                       Invalidation{std::move(prefix)}};
  asio::post(context_, [this, a] { publish(a); });
}

void Sharing::announce_rate_limit(std::string resource, cache::WallTime reset) {
  if (config_.token_fingerprint.empty()) return;
  const Announcement a{kAnnouncementVersion, cache::wall_now().time_since_epoch().count(),
                       RateLimitNotice{config_.token_fingerprint, reset.time_since_epoch().count(),
                                       std::move(resource)}};
  asio::post(context_, [this, a] { publish(a); });
}

Verdict Sharing::on_announcement(const wire::PeerId& author, ByteView data) {
  auto a = decode_announcement(data);
  if (!a) {
    if (a.error() == Error::unsupported) return Verdict::ignore;  // a newer version
    ++counters_->rejected;
    log::debug("sharing: malformed announcement from {}: {}", author.to_string(), a.error().message());
    return Verdict::reject;
  }
  ++counters_->received;
  if (auto* m = std::get_if<MemberRecord>(&a->body)) {
    // Signed by the member itself: any member may carry it (the exchange relays newcomers).
    if (!verify_member_record(*m)) {
      ++counters_->rejected;
      log::warn("sharing: {} sent a member record that does not verify", author.to_string());
      return Verdict::reject;
    }
    const Applied applied = accept_member(*m);
    return applied == Applied::future ? Verdict::ignore : Verdict::accept;
  }
  if (auto* e = std::get_if<EntryAnnouncement>(&a->body)) {
    if (e->origin != author.to_string()) {  // one member speaking for another
      ++counters_->rejected;
      log::warn("sharing: {} announced an entry in the name of {}", author.to_string(), e->origin);
      return Verdict::reject;
    }
    note_holder(e->key_hash, author, e->expires_at_ms);
    return Verdict::accept;
  }
  if (auto* inv = std::get_if<Invalidation>(&a->body)) {
    if (!inv->prefix.starts_with("GET ") && !inv->prefix.starts_with("POST ")) return Verdict::reject;
    ++counters_->invalidations;
    std::string prefix = inv->prefix;
    asio::post(*workers_, [this, prefix] {
      // Cut at a segment end, as the writer's gateway does ("/repos/o/r" keeps "/repos/o/rx").
      const std::size_t dropped = cache_.invalidate_under(prefix);
      log::debug("sharing: a peer's write invalidated {} entries under {}", dropped, prefix);
    });
    return Verdict::accept;
  }
  const auto& notice = std::get<RateLimitNotice>(a->body);
  const auto until = cache::WallTime(std::chrono::milliseconds(notice.reset_at_ms));
  const auto now = cache::wall_now();
  if (until <= now || until > now + kMaxRateLimitHold) return Verdict::ignore;
  if (!config_.token_fingerprint.empty() && notice.token_fingerprint == config_.token_fingerprint) {
    ++counters_->rate_limits;
    log::info("sharing: peer {} reports our token rate-limited ({}) until {} ms", author.to_string(),
              notice.resource, notice.reset_at_ms);
    if (on_rate_limit_) on_rate_limit_(notice.resource, until);
  }
  return Verdict::accept;
}

void Sharing::note_holder(const std::string& key_hash, const wire::PeerId& peer,
                          std::int64_t expires_at_ms) {
  auto h = holders_.find(key_hash);
  if (h == holders_.kNone) {
    h = holders_.put(key_hash, {}).handle;  // the least recently announced key makes room
  } else {
    holders_.touch(h);
  }
  auto& peers = holders_.value(h);
  std::erase_if(peers, [&](const Holder& x) { return x.peer == peer; });
  if (peers.size() >= kMaxHoldersPerKey) peers.erase(peers.begin());
  peers.push_back(Holder{peer, expires_at_ms});
}

std::vector<Sharing::Holder> Sharing::holders(const std::string& key_hash) const {
  const auto* peers = holders_.peek(key_hash);
  if (peers == nullptr) return {};
  return {peers->rbegin(), peers->rend()};  // most recent first
}

SharingStats Sharing::stats() const {
  const auto& c = *counters_;
  SharingStats s;
  s.pulls = c.pulls;
  s.pulled_from_owner = c.from_owner;
  s.pulled_from_announcer = c.from_announcer;
  s.pull_failures = c.pull_failures;
  s.owner_timeouts = c.owner_timeouts;
  s.served = c.served;
  s.served_upstream = c.served_upstream;
  s.rejected = c.rejected;
  s.bytes_in = c.bytes_in;
  s.bytes_out = c.bytes_out;
  s.announcements_sent = c.sent;
  s.announcements_received = c.received;
  s.invalidations_received = c.invalidations;
  s.rate_limit_notices = c.rate_limits;
  s.members = c.members;
  s.member_records = c.member_records;
  s.forwarded = c.forwarded;
  s.owner_unreachable = c.owner_unreachable;
  s.pulled_from_successor = c.from_successor;
  s.taken_back = c.taken_back;
  s.on_demand_dials = c.on_demand_dials;
  return s;
}

std::map<wire::PeerId, PeerCounters> Sharing::peer_counters() const {
  std::lock_guard lock(peers_mutex_);
  return peers_;
}

}  // namespace ipfsa::share
