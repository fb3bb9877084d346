// The cache protocol's streams, both sides (docs/wire/cache-protocol.md). Asking: pull() on a miss
// asks the key's owner (or its successor), then peers that announced it, and verifies what comes
// back. Serving: answers from the local cache or, for keys this node owns, fetches them once for
// the asker; a member whose view names another owner forwards once. One file, because the serving
// side asks too (a forward) and the coroutines' declarations stay out of headers (no Asio there).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <random>

#include "base/log.hpp"
#include "io/asio.hpp"
#include "io/deadline.hpp"
#include "p2p/host.hpp"
#include "share/rendezvous.hpp"
#include "share/sharing.hpp"
#include "share/sharing_counters.hpp"
#include "share/signed_entry.hpp"

namespace ipfsa::share {

namespace asio = io::asio;

struct Sharing::Asking {
  static io::Task<cache::EntryPtr> pull_async(Sharing& self, cache::CacheKey key, Recipe recipe);
  // We own the key: take a copy still fresh from a member that announced one, if any.
  static io::Task<cache::EntryPtr> take_back(Sharing& self, cache::CacheKey key, Recipe recipe);
  static io::Task<Result<cache::EntryPtr>> ask(Sharing& self, wire::PeerId peer, Request request,
                                               Duration first, Duration total);
  // ask() with allow_upstream to a member in the owner role: dials it if need be (a longer first
  // deadline) and counts a connection opened for it against kMaxOnDemandConnections.
  static io::Task<Result<cache::EntryPtr>> ask_member(Sharing& self, wire::PeerId peer,
                                                      Request request);
  // Connects to a member we are not connected to (kMaxOwnerDials, kOwnerRedialPause).
  static io::Task<Result<void>> dial_member(Sharing& self, const wire::PeerId& peer);
};

namespace {

// The member answered (nothing, busy, or something we refused): it is there. Anything else (no
// connection, no answer in time, a reset, another peer at its address) means it is not.
template <typename Code>
bool is_unreachable(const Code& e) {
  for (const Error answered : {Error::not_found, Error::peer_busy, Error::malformed,
                               Error::truncated, Error::too_large, Error::invalid_signature,
                               Error::unsupported, Error::cancelled}) {
    if (e == answered) return false;
  }
  return true;
}

}  // namespace

struct Sharing::PullWait {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  cache::EntryPtr entry;

  void finish(cache::EntryPtr e) {
    {
      std::lock_guard lock(mutex);
      if (done) return;
      done = true;
      entry = std::move(e);
    }
    done_cv.notify_all();
  }
};

void Sharing::release_pulls() {
  std::lock_guard lock(pull_waits_mutex_);
  for (auto& wait : pull_waits_) wait->finish(nullptr);  // they go upstream or give up
}

cache::EntryPtr Sharing::pull(const cache::CacheKey& key, const Recipe& recipe,
                              const cache::EntryPtr& stored, PullScope scope) {
  if (!running_) return nullptr;
  if (pulls_in_flight_.fetch_add(1) >= kMaxPullsInFlight) {
    --pulls_in_flight_;
    return nullptr;
  }
  auto wait = std::make_shared<PullWait>();
  {
    std::lock_guard lock(pull_waits_mutex_);
    pull_waits_.push_back(wait);
  }
  if (!running_) wait->finish(nullptr);  // stop() ran before we registered
  asio::co_spawn(context_,
                 scope == PullScope::owner_copy ? Asking::take_back(*this, key, recipe)
                                                : Asking::pull_async(*this, key, recipe),
                 [wait](std::exception_ptr e, cache::EntryPtr entry) {
                   wait->finish(e ? nullptr : std::move(entry));
                 });
  // Woken by the coroutine (which keeps its own deadlines) or by stop(). The guard only covers
  // an io_context that stopped running without stop() being called.
  // Per member asked: its dials (each up to its deadline, then a pause), the ask and its one fresh
  // attempt, the fetch.
  const Duration dials = (kOwnerDialTimeout + config_.owner_timeout +
                          kOwnerRedialPause * (1 << kMaxOwnerDials)) *
                         static_cast<int>(kMaxOwnerDials);
  const auto guard = Clock::now() +
                     (dials + config_.owner_timeout * 2 + kOwnerDialTimeout + config_.fetch_timeout) *
                         static_cast<int>(kMaxOwnerAttempts) +
                     config_.peer_timeout * static_cast<int>(kMaxFallbackPeers + 1) + 2s;
  cache::EntryPtr out;
  {
    std::unique_lock lock(wait->mutex);
    wait->done_cv.wait_until(lock, guard, [&] { return wait->done; });
    out = wait->entry;
  }
  {
    std::lock_guard lock(pull_waits_mutex_);
    std::erase(pull_waits_, wait);
  }
  --pulls_in_flight_;
  if (out && stored && out->fetched_at <= stored->fetched_at) {
    log::debug("sharing: {} from the swarm is not newer than ours: revalidating instead",
               key.text);
    return nullptr;
  }
  return out;
}

io::Task<Result<void>> Sharing::Asking::dial_member(Sharing& self, const wire::PeerId& peer) {
  static thread_local std::minstd_rand jitter{std::random_device{}()};
  for (std::size_t attempt = 1;; ++attempt) {
    auto dialled = co_await io::with_timeout(self.host_.dial(peer),
                                             kOwnerDialTimeout + self.config_.owner_timeout);
    if (!dialled) co_return Error::timeout;
    if (*dialled) co_return Result<void>{};
    const auto e = dialled->error();
    // Refused at TCP (gone), silent (its deadline is spent), or no address: not dialled again.
    if (attempt == kMaxOwnerDials || e == asio::error::connection_refused ||
        e == Error::timeout || e == Error::not_found || !self.running_) {
      co_return e;
    }
    const auto window = std::chrono::duration_cast<std::chrono::microseconds>(kOwnerRedialPause) *
                        (1 << attempt);
    asio::steady_timer pause(co_await asio::this_coro::executor,
                             std::chrono::microseconds(jitter() % (window.count() + 1)));
    co_await pause.async_wait(io::kNoThrow);
  }
}

io::Task<Result<cache::EntryPtr>> Sharing::Asking::ask_member(Sharing& self, wire::PeerId peer,
                                                              Request request) {
  const bool connected = self.host_.connection(peer) != nullptr;
  if (!connected) {
    if (auto dialled = co_await dial_member(self, peer); !dialled) co_return dialled.error();
  }
  auto answer = co_await ask(self, peer, request, self.config_.owner_timeout, self.config_.fetch_timeout);
  if (!answer && is_unreachable(answer.error()) && answer.error() != Error::timeout) {
    // The connection broke. Before calling the member gone, one fresh attempt (a new dial if need
    // be): two members dialling each other at once lose one of the two connections (the Host
    // keeps one per peer) and a stream opened on it fails, though both are there. A member that
    // is gone refuses the dial at once. (A silent member, one that timed out, is not asked again:
    // that would double its deadline.)
    answer = co_await ask(self, peer, std::move(request),
                          self.config_.owner_timeout + kOwnerDialTimeout, self.config_.fetch_timeout);
  }
  if (!connected) {
    if (self.host_.connection(peer)) self.note_on_demand(peer);
  } else if (auto it = self.on_demand_.find(peer); it != self.on_demand_.end()) {
    it->second = Clock::now();  // last use, for the least-recently-used close
  }
  co_return answer;
}

io::Task<cache::EntryPtr> Sharing::Asking::pull_async(Sharing& self, cache::CacheKey key,
                                                       Recipe recipe) {
  const auto ranked = rank_members(key.hash, self.members());
  if (ranked.empty()) co_return nullptr;
  if (ranked.front() == self.host_.peer_id()) co_return co_await take_back(self, key, recipe);
  ++self.counters_->pulls;
  Request request;
  request.key_hash = key.hash;
  request.recipe = recipe;
  request.allow_upstream = true;
  request.forward_hops = kMaxForwardHops;  // a member that knows a better owner passes it on once
  // The owner; if it cannot be reached, its successor (whom every other asker picks too, so one
  // member fetches); if that is us, we fetch.
  for (std::size_t attempt = 0; attempt < kMaxOwnerAttempts && attempt < ranked.size(); ++attempt) {
    const wire::PeerId& owner = ranked[attempt];
    if (owner == self.host_.peer_id()) co_return co_await take_back(self, key, recipe);
    auto answer = co_await ask_member(self, owner, request);
    if (answer) {
      ++(attempt == 0 ? self.counters_->from_owner : self.counters_->from_successor);
      co_return std::move(*answer);
    }
    if (answer.error() == Error::timeout) ++self.counters_->owner_timeouts;
    log::debug("sharing: {} {} of {} did not answer: {}", attempt == 0 ? "owner" : "successor",
               owner.to_string(), key.text, answer.error().message());
    if (!is_unreachable(answer.error())) break;  // it is there and has nothing: no second fetch
    self.member_unreachable(owner);
  }
  request.allow_upstream = false;
  request.forward_hops = 0;
  std::size_t asked = 0;
  for (const auto& [peer, expires_at_ms] : self.holders(key.hash)) {
    if (asked == kMaxFallbackPeers) break;
    if (peer == ranked.front() || peer == self.host_.peer_id() || !self.host_.connection(peer)) continue;
    ++asked;
    auto from_peer = co_await ask(self, peer, request, self.config_.peer_timeout, self.config_.peer_timeout);
    if (from_peer) {
      ++self.counters_->from_announcer;
      co_return std::move(*from_peer);
    }
  }
  ++self.counters_->pull_failures;
  co_return nullptr;
}

// The owner's copy is missing or expired, and the owner is us. Another member may have fetched the
// key meanwhile: our successor while we restarted or could not be reached (it announced the entry
// it fetched). Rather than a second upstream call within that entry's TTL, ask the member that
// announced the latest copy still fresh, once, from its store (no upstream, no forward). Steady
// state costs nothing: only a key's fetcher announces it, and that is the owner.
io::Task<cache::EntryPtr> Sharing::Asking::take_back(Sharing& self, cache::CacheKey key,
                                                     Recipe recipe) {
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(cache::wall_now().time_since_epoch()).count();
  for (const auto& [peer, expires_at_ms] : self.holders(key.hash)) {
    if (expires_at_ms <= now_ms || peer == self.host_.peer_id() || !self.host_.connection(peer)) {
      continue;
    }
    Request request;
    request.key_hash = key.hash;
    request.recipe = recipe;
    request.allow_upstream = false;
    request.forward_hops = 0;
    auto answer = co_await ask(self, peer, std::move(request), self.config_.peer_timeout,
                               self.config_.peer_timeout);
    if (answer && *answer) {
      ++self.counters_->taken_back;
      log::debug("sharing: {} taken back from {}, who fetched it while we were away", key.text,
                 peer.to_string());
      co_return std::move(*answer);
    }
    break;  // one try: our own fetch is the fallback
  }
  co_return nullptr;
}

io::Task<Result<cache::EntryPtr>> Sharing::Asking::ask(Sharing& self, wire::PeerId peer,
                                                       Request request, Duration first,
                                                       Duration total) {
  const TimePoint start = Clock::now();
  TimePoint deadline = start + first;
  auto remaining = [&deadline] {
    return std::max<Duration>(Duration::zero(), deadline - Clock::now());
  };
  std::vector<std::string> protocols{std::string(kCacheProtocol)};
  auto opened = co_await io::with_timeout(self.host_.new_stream(peer, std::move(protocols)), first);
  if (!opened) co_return Error::timeout;
  if (!*opened) co_return opened->error();
  p2p::Stream stream = std::move(**opened);
  const Bytes payload = frame(encode_request(request));
  auto written = co_await io::with_timeout(stream.write(payload), remaining());
  if (!written || !*written) {
    stream.reset();
    co_return written ? written->error() : Error::timeout;
  }
  self.counters_->bytes_out += payload.size();
  (void)stream.close_write();
  for (;;) {
    auto in = co_await io::with_timeout(stream.read_length_prefixed(kMaxResponseBytes), remaining());
    if (!in || !*in) {
      stream.reset();
      co_return in ? in->error() : Error::timeout;
    }
    self.counters_->bytes_in += (*in)->size();
    auto response = decode_response(**in);
    if (!response) {
      stream.reset();
      self.offence(peer, "malformed cache response");
      co_return response.error();
    }
    if (response->status == ResponseStatus::pending) {
      deadline = start + total;  // the owner is fetching from GitHub for us
      continue;
    }
    if (response->status != ResponseStatus::ok) {
      stream.reset();
      co_return response->status == ResponseStatus::busy ? Error::peer_busy : Error::not_found;
    }
    deadline = std::max(deadline, start + total);
    auto body = co_await io::with_timeout(stream.read_length_prefixed(kMaxBodyFrameBytes), remaining());
    stream.reset();  // one entry per stream: we are done either way
    if (!body || !*body) co_return body ? body->error() : Error::timeout;
    self.counters_->bytes_in += (*body)->size();
    auto text = std::make_shared<const std::string>((*body)->begin(), (*body)->end());
    auto entry = cache::decode_meta(response->meta, text);
    if (!entry) {
      self.offence(peer, "entry whose body does not match its metadata");
      co_return entry.error();
    }
    if (auto verified = verify_entry(*entry, request.key_hash); !verified) {
      self.offence(peer, "entry failing verification (" + verified.error().message() + ")");
      co_return verified.error();
    }
    if (!entry->fresh_at(cache::wall_now())) co_return Error::not_found;
    {
      std::lock_guard lock(self.peers_mutex_);
      ++self.peers_[peer].received;
    }
    co_return std::make_shared<const cache::Entry>(std::move(*entry));
  }
}


// ---- Serving ----

// A request must arrive this soon after the stream opened.
inline constexpr Duration kRequestReadTimeout = 5s;
inline constexpr Duration kReplyWriteTimeout = 10s;

struct Sharing::Serving {
  static io::Task<void> serve(Sharing& self, p2p::Stream stream);
  static io::Task<void> reply(Sharing& self, p2p::Stream& stream, const Response& response,
                              const cache::Entry* entry);
  static io::Task<Result<cache::EntryPtr>> fetch_for_peer(Sharing& self, Recipe recipe);
};

void Sharing::start_serving() {
  host_.set_stream_handler(std::string(kCacheProtocol), [this](p2p::Stream s) -> io::Task<void> {
    return Serving::serve(*this, std::move(s));
  });
}

cache::EntryPtr Sharing::fresh_local(const cache::CacheKey& key) {
  auto stored = cache_.get_stale(key);
  if (!stored || !*stored || !(*stored)->fresh_at(cache::wall_now())) return nullptr;
  return *stored;
}

io::Task<Result<cache::EntryPtr>> Sharing::Serving::fetch_for_peer(Sharing& self, Recipe recipe) {
  if (!self.fetch_) co_return Error::unsupported;
  auto task = [&self, recipe = std::move(recipe)]() -> io::Task<Result<cache::EntryPtr>> {
    try {
      co_return self.fetch_(recipe);
    } catch (const std::exception& e) {
      log::warn("sharing: fetch for a peer threw: {}", e.what());
      co_return Error::io_failure;
    }
  };
  co_return co_await asio::co_spawn(*self.workers_, task(), asio::use_awaitable);
}

io::Task<void> Sharing::Serving::reply(Sharing& self, p2p::Stream& stream,
                                       const Response& response, const cache::Entry* entry) {
  Bytes out = frame(encode_response(response));
  if (entry && entry->body) append(out, frame(as_bytes(*entry->body)));
  auto written = co_await io::with_timeout(stream.write(out), kReplyWriteTimeout);
  if (!written || !*written) {
    stream.reset();
    co_return;
  }
  self.counters_->bytes_out += out.size();
}

io::Task<void> Sharing::Serving::serve(Sharing& self, p2p::Stream stream) {
  const wire::PeerId peer = stream.remote_peer();
  if (!self.running_) {
    stream.reset();
    co_return;
  }
  auto in = co_await io::with_timeout(stream.read_length_prefixed(kMaxRequestBytes), kRequestReadTimeout);
  if (!in || !*in) {
    stream.reset();
    co_return;
  }
  self.counters_->bytes_in += (*in)->size();
  Response response;
  auto request = decode_request(**in);
  if (!request) {
    response.status = ResponseStatus::refused;
    response.message = "cannot decode request: " + request.error().message();
    if (request.error() != Error::unsupported) self.offence(peer, "malformed cache request");
    co_await reply(self, stream, response, nullptr);
    (void)stream.close_write();
    co_return;
  }
  auto key = recipe_key(request->recipe);
  if (!key || key->hash != request->key_hash) {
    response.status = ResponseStatus::refused;
    response.message = key ? "key hash does not match the recipe" : "bad recipe: " + key.error().message();
    co_await reply(self, stream, response, nullptr);
    (void)stream.close_write();
    co_return;
  }
  if (self.serves_in_flight_ >= self.config_.max_serves) {
    response.status = ResponseStatus::busy;
    co_await reply(self, stream, response, nullptr);
    (void)stream.close_write();
    co_return;
  }
  ++self.serves_in_flight_;
  cache::EntryPtr entry = self.fresh_local(*key);
  if (!entry && request->allow_upstream && self.running_) {
    Response pending;
    pending.status = ResponseStatus::pending;
    co_await reply(self, stream, pending, nullptr);
    bool fetch_here = true;
    // The asker's view of the members differs from ours (a join, a departure, a partition): if
    // ours names another owner, pass the request on once (docs/wire/membership.md). The forwarded
    // request carries no hops left, so it is answered where it lands: never a loop.
    if (request->forward_hops > 0) {
      const auto ranked = rank_members(key->hash, self.members());
      if (!ranked.empty() && ranked.front() != self.host_.peer_id() && ranked.front() != peer) {
        Request onward = *request;
        onward.forward_hops = request->forward_hops - 1;
        ++self.counters_->forwarded;
        auto answer = co_await Asking::ask_member(self, ranked.front(), std::move(onward));
        if (answer) {
          entry = *answer;
          fetch_here = false;
        } else if (!is_unreachable(answer.error())) {
          fetch_here = false;  // the owner tried and has nothing: a second fetch would not help
          response.status = ResponseStatus::error;
          response.message = "the owner has no answer: " + answer.error().message();
        } else {
          self.member_unreachable(ranked.front());  // gone: we take over
        }
      }
    }
    if (fetch_here && self.running_) {
      auto fetched = co_await fetch_for_peer(self, request->recipe);
      if (fetched && *fetched && (*fetched)->fresh_at(cache::wall_now())) {
        entry = *fetched;
        // Ours (no origin yet), or a copy taken back from the member that fetched it.
        if (entry->origin.empty()) ++self.counters_->served_upstream;
      } else {
        response.status = ResponseStatus::error;
        response.message = fetched ? "not cacheable" : fetched.error().message();
      }
    }
  }
  --self.serves_in_flight_;
  if (entry) {
    const cache::EntryPtr out =
        entry->origin.empty() ? sign_entry(*entry, key->hash, self.key_, self.host_.peer_id()) : entry;
    response.status = ResponseStatus::ok;
    response.meta = cache::encode_meta(*out);
    co_await reply(self, stream, response, out.get());
    ++self.counters_->served;
    std::lock_guard lock(self.peers_mutex_);
    ++self.peers_[peer].served;
  } else {
    if (response.status != ResponseStatus::error) response.status = ResponseStatus::not_found;
    co_await reply(self, stream, response, nullptr);
  }
  (void)stream.close_write();
}

}  // namespace ipfsa::share
