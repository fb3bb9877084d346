// The gossipsub I/O shell: streams, send queues and the heartbeat timer around the router.
#include "pubsub/gossipsub.hpp"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "base/log.hpp"
#include "crypto/random.hpp"
#include "io/signal.hpp"
#include "p2p/host.hpp"
#include "wire/varint.hpp"

namespace ipfsa::pubsub {
namespace gs = proto::gossipsub;
namespace asio = io::asio;

namespace {

std::uint64_t random_u64() {
  Bytes b = crypto::random_bytes(8);
  return (std::uint64_t{load_be32(b.data())} << 32) | load_be32(b.data() + 4);
}

// The pubsub spec asks for increasing seqnos across restarts: start at the wall clock in ns,
// as go-libp2p and js-libp2p do.
std::uint64_t first_seqno() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::optional<gs::Protocol> meshsub_of(const p2p::Connection& connection) {
  const auto& protocols = connection.remote_info().protocols;
  auto has = [&](std::string_view p) {
    return std::find(protocols.begin(), protocols.end(), p) != protocols.end();
  };
  if (has(gs::kProtocolV12)) return gs::Protocol::v1_2;
  if (has(gs::kProtocolV11)) return gs::Protocol::v1_1;
  return std::nullopt;
}

}  // namespace

// One peer: its send queue and outbound stream, and the inbound streams we read.
struct PeerLink {
  PeerLink(asio::any_io_executor ex, wire::PeerId id, gs::Protocol p)
      : peer(std::move(id)), protocol(p), wake(ex) {}
  wire::PeerId peer;
  gs::Protocol protocol;
  std::deque<Bytes> queue;  // length-prefixed frames
  io::Signal wake;
  bool closed = false;
  std::vector<p2p::Stream> inbound;
  p2p::Stream outbound;
};

struct Gossipsub::State : std::enable_shared_from_this<Gossipsub::State> {
  State(asio::io_context& c, p2p::Host& h, GossipsubConfig cfg)
      : context(c),
        host(h),
        config(cfg),
        router(h.config().identity, cfg.router, random_u64(), first_seqno(), Clock::now()),
        timer(c) {}

  asio::io_context& context;
  p2p::Host& host;
  GossipsubConfig config;
  gs::Router router;
  asio::steady_timer timer;
  bool running = false;
  bool flushing = false;
  std::map<std::string, Handler> handlers;
  std::unordered_map<wire::PeerId, std::shared_ptr<PeerLink>> links;
  GossipsubStats counters;

  std::shared_ptr<PeerLink> ensure_link(const wire::PeerId& peer, gs::Protocol protocol,
                                        p2p::Direction direction);
  void drop_link(const wire::PeerId& peer);
  void flush();
  // Coroutines take the state by shared_ptr: it lives as long as any of them runs.
  static io::Task<void> writer(std::shared_ptr<State> self, std::shared_ptr<PeerLink> link);
  static io::Task<void> reader(std::shared_ptr<State> self, p2p::Stream stream,
                               std::shared_ptr<PeerLink> link);
  static io::Task<void> serve_inbound(std::weak_ptr<State> weak, p2p::Stream stream);
  static io::Task<void> heartbeat_loop(std::shared_ptr<State> self);
};

std::shared_ptr<PeerLink> Gossipsub::State::ensure_link(const wire::PeerId& peer,
                                                        gs::Protocol protocol,
                                                        p2p::Direction direction) {
  if (auto it = links.find(peer); it != links.end()) return it->second;
  if (auto added = router.add_peer(peer, protocol, direction == p2p::Direction::outbound); !added) {
    log::debug("gossipsub: peer {} not added: {}", peer.to_string(), added.error().message());
    return nullptr;
  }
  auto link = std::make_shared<PeerLink>(context.get_executor(), peer, protocol);
  links.emplace(peer, link);
  log::debug("gossipsub: peer {} ({})", peer.to_string(),
             protocol == gs::Protocol::v1_2 ? gs::kProtocolV12 : gs::kProtocolV11);
  asio::co_spawn(context, writer(shared_from_this(), link), asio::detached);
  flush();  // our subscriptions
  return link;
}

void Gossipsub::State::drop_link(const wire::PeerId& peer) {
  auto it = links.find(peer);
  if (it == links.end()) return;
  auto link = it->second;
  links.erase(it);
  router.remove_peer(peer);
  link->closed = true;
  link->queue.clear();
  for (auto& s : link->inbound) s.reset();
  link->inbound.clear();
  link->wake.notify();
}

void Gossipsub::State::flush() {
  if (flushing) return;  // a handler published: the outer loop picks it up
  flushing = true;
  for (;;) {
    bool progress = false;
    for (Bytes rpc; auto out = router.poll_transmit(rpc); rpc.clear()) {
      progress = true;
      auto it = links.find(out->peer);
      if (it == links.end() || it->second->closed ||
          it->second->queue.size() >= config.max_send_queue_frames) {
        ++counters.frames_dropped;
        continue;
      }
      Bytes frame = wire::encode_uvarint(rpc.size());
      append(frame, rpc);
      it->second->queue.push_back(std::move(frame));
      it->second->wake.notify();
    }
    while (auto event = router.poll()) {
      progress = true;
      Validation verdict = Validation::ignore;
      if (auto h = handlers.find(event->topic); h != handlers.end() && h->second) {
        const ReceivedMessage message{event->topic, std::move(event->data), event->author,
                                      event->propagator, event->id};
        verdict = h->second(message);
      }
      if (verdict == Validation::accept) ++counters.messages_in;
      if (verdict == Validation::reject) ++counters.messages_invalid;
      router.report_validation(event->id, verdict);
    }
    if (!progress) break;
  }
  flushing = false;
}

io::Task<void> Gossipsub::State::writer(std::shared_ptr<State> self,
                                        std::shared_ptr<PeerLink> link) {
  auto& host = self->host;
  auto& config = self->config;
  auto& counters = self->counters;
  auto& links = self->links;
  int opens = 0;
  while (!link->closed && self->running) {
    auto connection = host.connection(link->peer);
    if (!connection || opens >= config.max_stream_opens) break;
    if (opens++ > 0) {
      asio::steady_timer pause(self->context, config.reopen_delay);
      co_await pause.async_wait(io::kNoThrow);
      if (link->closed || !self->running) break;
    }
    std::vector<std::string> protocols{
        std::string(link->protocol == gs::Protocol::v1_2 ? gs::kProtocolV12 : gs::kProtocolV11)};
    auto stream = co_await host.new_stream(*connection, std::move(protocols));
    if (!stream) {
      log::debug("gossipsub: stream to {} failed: {}", link->peer.to_string(),
                 stream.error().message());
      continue;
    }
    if (link->closed || !self->running) {
      stream->reset();
      break;
    }
    ++counters.streams_opened;
    link->outbound = *stream;
    for (;;) {
      while (link->queue.empty() && !link->closed && self->running) co_await link->wake.wait();
      if (link->closed || !self->running) break;
      // Coalesce what is queued into one write.
      Bytes batch = std::move(link->queue.front());
      link->queue.pop_front();
      while (!link->queue.empty() && batch.size() < 64 * 1024) {
        append(batch, link->queue.front());
        link->queue.pop_front();
      }
      auto written = co_await stream->write(batch);
      if (!written) {
        log::debug("gossipsub: write to {} failed: {}", link->peer.to_string(),
                   written.error().message());
        break;
      }
    }
    if (link->closed || !self->running) {
      (void)stream->close_write();
      break;
    }
    stream->reset();  // broken: open a new one while the connection lives
  }
  // The stream is gone for good: the peer cannot hear us, so it leaves the router.
  if (!link->closed && self->running) {
    auto it = links.find(link->peer);
    if (it != links.end() && it->second == link) self->drop_link(link->peer);
  }
}

io::Task<void> Gossipsub::State::reader(std::shared_ptr<State> self, p2p::Stream stream,
                                        std::shared_ptr<PeerLink> link) {
  const wire::PeerId peer = stream.remote_peer();
  for (;;) {
    auto frame = co_await stream.read_length_prefixed(gs::kMaxRpcBytes);
    if (!frame) {
      log::debug("gossipsub: inbound stream from {} ended: {}", peer.to_string(),
                 frame.error().message());
      break;
    }
    if (!self->running || link->closed) break;
    if (auto ok = self->router.handle_input(peer, *frame, Clock::now()); !ok) {
      log::debug("gossipsub: bad RPC from {}: {}", peer.to_string(), ok.error().message());
    }
    self->flush();
  }
  std::erase_if(link->inbound, [&](const p2p::Stream& s) { return s.id() == stream.id(); });
  stream.reset();
}

io::Task<void> Gossipsub::State::heartbeat_loop(std::shared_ptr<State> self) {
  while (self->running) {
    self->timer.expires_at(*self->router.poll_timeout());  // the heartbeat is always scheduled
    (void)co_await self->timer.async_wait(io::kNoThrow);
    if (!self->running) break;
    self->router.handle_timeout(Clock::now());
    self->flush();
  }
}

io::Task<void> Gossipsub::State::serve_inbound(std::weak_ptr<State> weak, p2p::Stream stream) {
  auto self = weak.lock();
  if (!self || !self->running) {
    stream.reset();
    co_return;
  }
  // The peer speaks meshsub even if its identify has not reached us yet.
  const auto protocol = gs::parse_protocol(stream.protocol()).value_or(gs::Protocol::v1_1);
  auto link = self->ensure_link(stream.remote_peer(), protocol, stream.connection().direction());
  if (!link) {
    stream.reset();
    co_return;
  }
  link->inbound.push_back(stream);
  co_await reader(self, std::move(stream), std::move(link));
}

Gossipsub::Gossipsub(asio::io_context& context, p2p::Host& host, GossipsubConfig config)
    : state_(std::make_shared<State>(context, host, config)) {}

Gossipsub::~Gossipsub() { stop(); }

const wire::PeerId& Gossipsub::local_peer() const noexcept { return state_->router.local_peer(); }

void Gossipsub::start() {
  auto& s = *state_;
  if (s.running) return;
  s.running = true;
  std::weak_ptr<State> weak = state_;
  for (auto protocol : {gs::kProtocolV12, gs::kProtocolV11}) {
    s.host.set_stream_handler(std::string(protocol), [weak](p2p::Stream stream) {
      return State::serve_inbound(weak, std::move(stream));
    });
  }
  s.host.on_identify([weak](p2p::Connection& connection) {
    auto state = weak.lock();
    if (!state || !state->running) return;
    if (auto protocol = meshsub_of(connection)) {
      state->ensure_link(connection.remote_peer(), *protocol, connection.direction());
    }
  });
  s.host.on_disconnect([weak](p2p::Connection& connection) {
    auto state = weak.lock();
    if (!state) return;
    // One connection per peer: a newer one may already have replaced this one.
    if (state->host.connection(connection.remote_peer())) return;
    state->drop_link(connection.remote_peer());
  });
  for (const auto& connection : s.host.connections()) {
    if (auto protocol = meshsub_of(*connection)) {
      s.ensure_link(connection->remote_peer(), *protocol, connection->direction());
    }
  }
  s.host.push_identify();
  asio::co_spawn(s.context, State::heartbeat_loop(state_), asio::detached);
}

void Gossipsub::stop() {
  auto& s = *state_;
  if (!s.running) return;
  s.running = false;
  s.host.remove_stream_handler(std::string(gs::kProtocolV12));
  s.host.remove_stream_handler(std::string(gs::kProtocolV11));
  s.timer.cancel();
  std::vector<wire::PeerId> peers;
  for (const auto& [peer, link] : s.links) peers.push_back(peer);
  for (const auto& peer : peers) s.drop_link(peer);
}

void Gossipsub::subscribe(std::string topic, Handler on_message) {
  state_->handlers[topic] = std::move(on_message);
  state_->router.subscribe(topic);
  state_->flush();
}

void Gossipsub::unsubscribe(const std::string& topic) {
  state_->handlers.erase(topic);
  state_->router.unsubscribe(topic);
  state_->flush();
}

Result<Bytes> Gossipsub::publish(const std::string& topic, Bytes data) {
  auto id = state_->router.publish(topic, std::move(data), Clock::now());
  if (!id) return id.error();
  ++state_->counters.messages_published;
  state_->flush();
  return id;
}

GossipsubStats Gossipsub::stats() const {
  GossipsubStats out = state_->counters;
  out.peers = state_->links.size();
  for (const auto& topic : state_->router.topics()) {
    out.mesh_sizes[topic] = state_->router.mesh(topic).size();
  }
  out.router = state_->router.stats();
  out.messages_invalid += out.router.invalid;
  return out;
}

std::vector<wire::PeerId> Gossipsub::mesh_peers(const std::string& topic) const {
  return state_->router.mesh(topic);
}

std::vector<wire::PeerId> Gossipsub::topic_peers(const std::string& topic) const {
  std::vector<wire::PeerId> out;
  for (const auto& peer : state_->router.peers()) {
    if (state_->router.peer_subscribed(peer, topic)) out.push_back(peer);
  }
  return out;
}

}  // namespace ipfsa::pubsub
