// The asking side of the swarm cache: pull() on a miss asks the key's owner, then peers that
// announced it, and verifies what comes back (docs/wire/cache-protocol.md).
#include <boost/asio/co_spawn.hpp>
#include <condition_variable>

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
                              const cache::EntryPtr& stored) {
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
  asio::co_spawn(context_, Asking::pull_async(*this, key, recipe),
                 [wait](std::exception_ptr e, cache::EntryPtr entry) {
                   wait->finish(e ? nullptr : std::move(entry));
                 });
  // Woken by the coroutine (which keeps its own deadlines) or by stop(). The guard only covers
  // an io_context that stopped running without stop() being called.
  const auto guard = Clock::now() + config_.owner_timeout + config_.fetch_timeout +
                     config_.peer_timeout * static_cast<int>(kMaxFallbackPeers) + 2s;
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

io::Task<Result<cache::EntryPtr>> Sharing::Asking::ask_member(Sharing& self, wire::PeerId peer,
                                                              Request request) {
  const bool connected = self.host_.connection(peer) != nullptr;
  const Duration first = self.config_.owner_timeout + (connected ? Duration::zero() : kOwnerDialTimeout);
  auto answer = co_await ask(self, peer, std::move(request), first, self.config_.fetch_timeout);
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
  if (ranked.empty() || ranked.front() == self.host_.peer_id()) co_return nullptr;  // ours to fetch
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
    if (owner == self.host_.peer_id()) co_return nullptr;
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
  for (const auto& peer : self.holders(key.hash)) {
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

}  // namespace ipfsa::share
