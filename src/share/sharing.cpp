#include "share/sharing.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <future>

#include "base/log.hpp"
#include "io/deadline.hpp"
#include "share/rendezvous.hpp"
#include "share/signed_entry.hpp"

namespace ipfsa::share {

namespace asio = io::asio;

// A request must arrive this soon after the stream opened.
inline constexpr Duration kRequestReadTimeout = 5s;
inline constexpr Duration kReplyWriteTimeout = 10s;

struct Sharing::Counters {
  std::atomic<std::uint64_t> pulls{0}, from_owner{0}, from_announcer{0}, pull_failures{0},
      owner_timeouts{0}, served{0}, served_upstream{0}, rejected{0}, bytes_in{0}, bytes_out{0},
      sent{0}, received{0}, invalidations{0}, rate_limits{0};
};

Sharing::Sharing(asio::io_context& context, p2p::Host& host, cache::GitHubAPICache& cache,
                 const crypto::Ed25519KeyPair& key, SharingConfig config)
    : context_(context),
      host_(host),
      cache_(cache),
      key_(key),
      config_(std::move(config)),
      counters_(std::make_unique<Counters>()) {}

Sharing::~Sharing() { stop(); }

void Sharing::start(Fetch fetch, Publish publish, RateLimitHandler on_rate_limit) {
  fetch_ = std::move(fetch);
  publish_ = std::move(publish);
  on_rate_limit_ = std::move(on_rate_limit);
  running_ = true;
  host_.set_stream_handler(std::string(kCacheProtocol),
                           [this](p2p::Stream s) -> io::Task<void> { return serve(std::move(s)); });
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
  host_.remove_stream_handler(std::string(kCacheProtocol));
  workers_.join();
}

std::vector<wire::PeerId> Sharing::members() const {
  std::vector<wire::PeerId> out{host_.peer_id()};
  for (const auto& c : host_.connections()) {
    if (!c->is_open()) continue;
    const auto& protocols = c->remote_info().protocols;
    if (std::find(protocols.begin(), protocols.end(), kCacheProtocol) == protocols.end()) continue;
    out.push_back(c->remote_peer());
  }
  return out;
}

cache::EntryPtr Sharing::pull(const cache::CacheKey& key, const Recipe& recipe,
                              const cache::EntryPtr& /*stored*/) {
  if (!running_) return nullptr;
  if (pulls_in_flight_.fetch_add(1) >= kMaxPullsInFlight) {
    --pulls_in_flight_;
    return nullptr;
  }
  auto promise = std::make_shared<std::promise<cache::EntryPtr>>();
  auto future = promise->get_future();
  asio::co_spawn(context_, pull_async(key, recipe),
                 [promise](std::exception_ptr e, cache::EntryPtr entry) {
                   promise->set_value(e ? nullptr : std::move(entry));
                 });
  // The coroutine keeps its own deadlines; this guard only covers an io_context that stopped,
  // and stop() releases every waiting caller at once (they go upstream or give up).
  const auto guard = Clock::now() + config_.owner_timeout + config_.fetch_timeout +
                     config_.peer_timeout * static_cast<int>(kMaxFallbackPeers) + 2s;
  cache::EntryPtr out;
  while (running_ && Clock::now() < guard) {
    if (future.wait_for(50ms) == std::future_status::ready) {
      out = future.get();
      break;
    }
  }
  --pulls_in_flight_;
  return out;
}

io::Task<cache::EntryPtr> Sharing::pull_async(cache::CacheKey key, Recipe recipe) {
  const auto ranked = rank_members(key.hash, members());
  if (ranked.empty() || ranked.front() == host_.peer_id()) co_return nullptr;  // ours to fetch
  ++counters_->pulls;
  Request request;
  request.key_hash = key.hash;
  request.recipe = recipe;
  request.allow_upstream = true;
  const wire::PeerId owner = ranked.front();
  auto from_owner = co_await ask(owner, request, config_.owner_timeout, config_.fetch_timeout);
  if (from_owner) {
    ++counters_->from_owner;
    co_return std::move(*from_owner);
  }
  if (from_owner.error() == Error::timeout) ++counters_->owner_timeouts;
  log::debug("sharing: owner {} of {} did not answer: {}", owner.to_string(), key.text,
             from_owner.error().message());
  request.allow_upstream = false;
  std::size_t asked = 0;
  for (const auto& peer : holders(key.hash)) {
    if (asked == kMaxFallbackPeers) break;
    if (peer == owner || peer == host_.peer_id() || !host_.connection(peer)) continue;
    ++asked;
    auto from_peer = co_await ask(peer, request, config_.peer_timeout, config_.peer_timeout);
    if (from_peer) {
      ++counters_->from_announcer;
      co_return std::move(*from_peer);
    }
  }
  ++counters_->pull_failures;
  co_return nullptr;
}

io::Task<Result<cache::EntryPtr>> Sharing::ask(wire::PeerId peer, Request request, Duration first,
                                               Duration total) {
  const TimePoint start = Clock::now();
  TimePoint deadline = start + first;
  auto remaining = [&deadline] {
    return std::max<Duration>(Duration::zero(), deadline - Clock::now());
  };
  std::vector<std::string> protocols{std::string(kCacheProtocol)};
  auto opened = co_await io::with_timeout(host_.new_stream(peer, std::move(protocols)), first);
  if (!opened) co_return Error::timeout;
  if (!*opened) co_return opened->error();
  p2p::Stream stream = std::move(**opened);
  const Bytes payload = frame(encode_request(request));
  auto written = co_await io::with_timeout(stream.write(payload), remaining());
  if (!written || !*written) {
    stream.reset();
    co_return written ? written->error() : Error::timeout;
  }
  counters_->bytes_out += payload.size();
  (void)stream.close_write();
  for (;;) {
    auto in = co_await io::with_timeout(stream.read_length_prefixed(kMaxResponseBytes), remaining());
    if (!in || !*in) {
      stream.reset();
      co_return in ? in->error() : Error::timeout;
    }
    counters_->bytes_in += (*in)->size();
    auto response = decode_response(**in);
    if (!response) {
      stream.reset();
      offence(peer, "malformed cache response");
      co_return response.error();
    }
    if (response->status == ResponseStatus::pending) {
      deadline = start + total;  // the owner is fetching from GitHub for us
      continue;
    }
    if (response->status != ResponseStatus::ok) {
      stream.reset();
      co_return response->status == ResponseStatus::busy ? Error::limit_exceeded : Error::not_found;
    }
    deadline = std::max(deadline, start + total);
    auto body = co_await io::with_timeout(stream.read_length_prefixed(kMaxBodyFrameBytes), remaining());
    stream.reset();  // one entry per stream: we are done either way
    if (!body || !*body) co_return body ? body->error() : Error::timeout;
    counters_->bytes_in += (*body)->size();
    auto text = std::make_shared<const std::string>((*body)->begin(), (*body)->end());
    auto entry = cache::decode_meta(response->meta, text);
    if (!entry) {
      offence(peer, "entry whose body does not match its metadata");
      co_return entry.error();
    }
    if (auto verified = verify_entry(*entry, request.key_hash); !verified) {
      offence(peer, "entry failing verification (" + verified.error().message() + ")");
      co_return verified.error();
    }
    if (!entry->fresh_at(cache::wall_now())) co_return Error::not_found;
    {
      std::lock_guard lock(peers_mutex_);
      ++peers_[peer].received;
    }
    co_return std::make_shared<const cache::Entry>(std::move(*entry));
  }
}

cache::EntryPtr Sharing::fresh_local(const cache::CacheKey& key) {
  auto stored = cache_.get_stale(key);
  if (!stored || !*stored || !(*stored)->fresh_at(cache::wall_now())) return nullptr;
  return *stored;
}

io::Task<Result<cache::EntryPtr>> Sharing::fetch_for_peer(Recipe recipe) {
  if (!fetch_) co_return Error::unsupported;
  auto task = [this, recipe = std::move(recipe)]() -> io::Task<Result<cache::EntryPtr>> {
    try {
      co_return fetch_(recipe);
    } catch (const std::exception& e) {
      log::warn("sharing: fetch for a peer threw: {}", e.what());
      co_return Error::io_failure;
    }
  };
  co_return co_await asio::co_spawn(workers_, task(), asio::use_awaitable);
}

io::Task<void> Sharing::reply(p2p::Stream& stream, const Response& response,
                              const cache::Entry* entry) {
  Bytes out = frame(encode_response(response));
  if (entry && entry->body) append(out, frame(as_bytes(*entry->body)));
  auto written = co_await io::with_timeout(stream.write(out), kReplyWriteTimeout);
  if (!written || !*written) {
    stream.reset();
    co_return;
  }
  counters_->bytes_out += out.size();
}

io::Task<void> Sharing::serve(p2p::Stream stream) {
  const wire::PeerId peer = stream.remote_peer();
  if (!running_) {
    stream.reset();
    co_return;
  }
  auto in = co_await io::with_timeout(stream.read_length_prefixed(kMaxRequestBytes), kRequestReadTimeout);
  if (!in || !*in) {
    stream.reset();
    co_return;
  }
  counters_->bytes_in += (*in)->size();
  Response response;
  auto request = decode_request(**in);
  if (!request) {
    response.status = ResponseStatus::refused;
    response.message = "cannot decode request: " + request.error().message();
    if (request.error() != Error::unsupported) offence(peer, "malformed cache request");
    co_await reply(stream, response, nullptr);
    (void)stream.close_write();
    co_return;
  }
  auto key = recipe_key(request->recipe);
  if (!key || key->hash != request->key_hash) {
    response.status = ResponseStatus::refused;
    response.message = key ? "key hash does not match the recipe" : "bad recipe: " + key.error().message();
    co_await reply(stream, response, nullptr);
    (void)stream.close_write();
    co_return;
  }
  if (serves_in_flight_ >= config_.max_serves) {
    response.status = ResponseStatus::busy;
    co_await reply(stream, response, nullptr);
    (void)stream.close_write();
    co_return;
  }
  ++serves_in_flight_;
  cache::EntryPtr entry = fresh_local(*key);
  if (!entry && request->allow_upstream && running_) {
    Response pending;
    pending.status = ResponseStatus::pending;
    co_await reply(stream, pending, nullptr);
    auto fetched = co_await fetch_for_peer(request->recipe);
    if (fetched && *fetched && (*fetched)->fresh_at(cache::wall_now())) {
      entry = *fetched;
      ++counters_->served_upstream;
    } else {
      response.status = ResponseStatus::error;
      response.message = fetched ? "not cacheable" : fetched.error().message();
    }
  }
  --serves_in_flight_;
  if (entry) {
    const cache::EntryPtr out =
        entry->origin.empty() ? sign_entry(*entry, key->hash, key_, host_.peer_id()) : entry;
    response.status = ResponseStatus::ok;
    response.meta = cache::encode_meta(*out);
    co_await reply(stream, response, out.get());
    ++counters_->served;
    std::lock_guard lock(peers_mutex_);
    ++peers_[peer].served;
  } else {
    if (response.status != ResponseStatus::error) response.status = ResponseStatus::not_found;
    co_await reply(stream, response, nullptr);
  }
  (void)stream.close_write();
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
  if (auto* e = std::get_if<EntryAnnouncement>(&a->body)) {
    if (e->origin != author.to_string()) {  // one member speaking for another
      ++counters_->rejected;
      log::warn("sharing: {} announced an entry in the name of {}", author.to_string(), e->origin);
      return Verdict::reject;
    }
    note_holder(e->key_hash, author);
    return Verdict::accept;
  }
  if (auto* inv = std::get_if<Invalidation>(&a->body)) {
    if (!inv->prefix.starts_with("GET ") && !inv->prefix.starts_with("POST ")) return Verdict::reject;
    ++counters_->invalidations;
    std::string prefix = inv->prefix;
    asio::post(workers_, [this, prefix] {
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

void Sharing::note_holder(const std::string& key_hash, const wire::PeerId& peer) {
  auto h = holders_.find(key_hash);
  if (h == holders_.kNone) {
    h = holders_.put(key_hash, {}).handle;  // the least recently announced key makes room
  } else {
    holders_.touch(h);
  }
  auto& peers = holders_.value(h);
  std::erase(peers, peer);
  if (peers.size() >= kMaxHoldersPerKey) peers.erase(peers.begin());
  peers.push_back(peer);
}

std::vector<wire::PeerId> Sharing::holders(const std::string& key_hash) const {
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
  return s;
}

std::map<wire::PeerId, PeerCounters> Sharing::peer_counters() const {
  std::lock_guard lock(peers_mutex_);
  return peers_;
}

}  // namespace ipfsa::share
