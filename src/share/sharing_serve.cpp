// The serving side of the swarm cache: answers /ipfs-accelerate/cache/1.0.0 requests from the
// local cache or, for keys this node owns, fetches them once for the asker
// (docs/wire/cache-protocol.md).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>

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
        ++self.counters_->served_upstream;
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
