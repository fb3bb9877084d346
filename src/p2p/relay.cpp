#include "p2p/relay.hpp"

#include <algorithm>

#include "base/log.hpp"
#include "io/deadline.hpp"
#include "io/signal.hpp"
#include "proto/relay/voucher.hpp"

namespace ipfsa::p2p {

namespace asio = io::asio;
namespace relay = proto::relay;

namespace {

std::uint64_t wall_seconds() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(WallClock::now().time_since_epoch())
          .count());
}

relay::HopMessage hop_status(relay::Status status) {
  return relay::HopMessage{.type = relay::HopMessage::Type::status, .status = status};
}

// One hop message from the stream within the Host's hop deadline.
io::Task<Result<relay::HopMessage>> read_hop(Stream& stream, Duration timeout) {
  auto body = co_await io::with_timeout(stream.read_length_prefixed(relay::kMaxMessageSize),
                                        timeout);
  if (!body) co_return make_error_code(Error::timeout);
  if (!*body) co_return body->error();
  co_return relay::decode_hop(**body);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RelayServer

struct RelayServer::Circuit {
  Circuit(asio::any_io_executor ex, Stream source, Stream target, wire::PeerId s, wire::PeerId d,
          const std::optional<relay::Limit>& limit, TimePoint now)
      : a(std::move(source)),
        b(std::move(target)),
        src(std::move(s)),
        dst(std::move(d)),
        up(limit, now),
        down(limit, now),
        deadline(ex) {}
  Stream a;  // the initiator's hop stream
  Stream b;  // the target's stop stream
  wire::PeerId src;
  wire::PeerId dst;
  relay::CircuitBudget up;    // initiator -> target
  relay::CircuitBudget down;  // target -> initiator
  asio::steady_timer deadline;
  int pumps = 2;
  bool cut = false;
  void cut_both() {
    cut = true;
    a.reset();
    b.reset();
  }
};

RelayServer::RelayServer(Host& host, relay::Limits limits)
    : host_(host), reservations_(limits), alive_(std::make_shared<bool>(true)) {}

RelayServer::~RelayServer() {
  *alive_ = false;
  if (running_) host_.remove_stream_handler(std::string(relay::kHopProtocolId));
}

void RelayServer::start() {
  if (running_) return;
  running_ = true;
  host_.set_stream_handler(std::string(relay::kHopProtocolId),
                           [this](Stream s) { return serve_hop(std::move(s)); });
  if (!disconnect_hooked_) {
    disconnect_hooked_ = true;
    host_.on_disconnect([this, alive = alive_](Connection& c) {
      // The reservation lives as long as the reserving peer's connection (spec: the relay keeps
      // the connection; when it goes, the peer cannot be reached anyway).
      if (!*alive || host_.connection(c.remote_peer())) return;
      reservations_.remove(c.remote_peer());
    });
  }
}

void RelayServer::stop() {
  if (!running_) return;
  running_ = false;
  host_.remove_stream_handler(std::string(relay::kHopProtocolId));
  reservations_ = relay::Reservations(reservations_.limits());
  for (auto& weak : circuits_) {
    if (auto c = weak.lock()) c->cut_both();
  }
  circuits_.clear();
}

RelayServerStats RelayServer::stats() const {
  return RelayServerStats{reservations_.reservation_count(), reservations_.circuit_count(),
                          reservations_.counters(), cut_data_, cut_duration_};
}

std::vector<Bytes> RelayServer::public_addrs() const {
  std::vector<Bytes> out;
  for (const auto& a : host_.listen_addrs()) {
    if (a.is_relayed()) continue;
    if (out.size() == relay::kMaxReservationAddrs) break;
    out.push_back(a.with_peer_id(host_.peer_id()).bytes());
  }
  return out;
}

io::Task<void> RelayServer::serve_hop(Stream stream) {
  auto alive = alive_;
  auto request = co_await read_hop(stream, host_.config().hop_timeout);
  if (!*alive || !running_) {
    stream.reset();
    co_return;
  }
  if (!request) {
    log::info("hop request from {} rejected: {}", stream.remote_peer().to_string(),
              request.error().message());
    (void)co_await stream.write(relay::frame_hop(hop_status(relay::Status::malformed_message)));
    stream.reset();
    co_return;
  }
  switch (request->type) {
    case relay::HopMessage::Type::reserve:
      co_await reserve(stream);
      co_return;
    case relay::HopMessage::Type::connect:
      co_await connect(std::move(stream), *request);
      co_return;
    case relay::HopMessage::Type::status:
      break;
  }
  (void)co_await stream.write(relay::frame_hop(hop_status(relay::Status::unexpected_message)));
  stream.reset();
}

io::Task<void> RelayServer::reserve(Stream& stream) {
  const wire::PeerId peer = stream.remote_peer();
  Connection& connection = stream.connection();
  relay::HopMessage answer = hop_status(relay::Status::permission_denied);
  if (!connection.relayed()) {  // a reservation through another relay would reach nobody
    const auto target = connection.remote_addr().tcp_target();
    const std::string ip = target ? target->host : std::string();
    const auto wall = wall_seconds();
    const auto outcome = reservations_.reserve(peer, ip, Clock::now(), wall);
    answer.status = outcome.status;
    if (outcome.status == relay::Status::ok) {
      answer.reservation = relay::Reservation{
          .expire = outcome.expire,
          .addrs = public_addrs(),
          .voucher = relay::make_voucher(host_.config().identity, peer, outcome.expire)};
      answer.limit = outcome.limit;
      log::debug("relay: reservation for {} ({}) until {}", peer.to_string(),
                 outcome.renewed ? "renewed" : "new", outcome.expire);
    } else {
      log::info("relay: reservation for {} from {} refused: {}", peer.to_string(), ip,
                relay::to_string(outcome.status));
    }
  }
  if (auto w = co_await stream.write(relay::frame_hop(answer)); w) (void)stream.close_write();
}

io::Task<void> RelayServer::connect(Stream stream, const relay::HopMessage& request) {
  auto alive = alive_;
  const wire::PeerId src = stream.remote_peer();
  auto refuse = [&](relay::Status status) -> io::Task<void> {
    (void)co_await stream.write(relay::frame_hop(hop_status(status)));
    (void)stream.close_write();
  };
  if (stream.connection().relayed()) {
    co_await refuse(relay::Status::permission_denied);
    co_return;
  }
  if (!request.peer) {
    co_await refuse(relay::Status::malformed_message);
    co_return;
  }
  const wire::PeerId dst = request.peer->id;
  if (const auto status = reservations_.open_circuit(src, dst, Clock::now());
      status != relay::Status::ok) {
    co_await refuse(status);
    co_return;
  }
  const auto limit = reservations_.circuit_limit();
  // From here the circuit is counted: every way out closes it.
  auto target = host_.connection(dst);
  Result<Stream> stop = make_error_code(Error::not_found);
  if (target) {
    std::vector<std::string> protocol{std::string(relay::kStopProtocolId)};
    stop = co_await host_.new_stream(*target, std::move(protocol));
  }
  Result<relay::StopMessage> answer = make_error_code(Error::not_found);
  if (*alive && stop) {
    auto exchange = [&]() -> io::Task<Result<relay::StopMessage>> {
      relay::StopMessage m{.type = relay::StopMessage::Type::connect,
                           .peer = relay::Peer{src, {}},
                           .limit = limit};
      if (auto w = co_await stop->write(relay::frame_stop(m)); !w) co_return w.error();
      auto body = co_await stop->read_length_prefixed(relay::kMaxMessageSize);
      if (!body) co_return body.error();
      co_return relay::decode_stop(*body);
    };
    auto r = co_await io::with_timeout(exchange(), host_.config().hop_timeout);
    answer = r ? std::move(*r) : Result<relay::StopMessage>(make_error_code(Error::timeout));
  }
  if (!*alive) co_return;
  if (!answer || answer->type != relay::StopMessage::Type::status ||
      answer->status != relay::Status::ok) {
    log::info("relay: circuit {} -> {} failed at the target: {}", src.to_string(),
              dst.to_string(),
              !answer ? answer.error().message()
                      : std::string(relay::to_string(
                            answer->status.value_or(relay::Status::unexpected_message))));
    if (stop) stop->reset();
    reservations_.close_circuit(src, dst);
    co_await refuse(relay::Status::connection_failed);
    co_return;
  }
  relay::HopMessage ok = hop_status(relay::Status::ok);
  ok.limit = limit;
  if (auto w = co_await stream.write(relay::frame_hop(ok)); !w || !*alive || !running_) {
    stop->reset();
    stream.reset();
    if (*alive) reservations_.close_circuit(src, dst);
    co_return;
  }
  auto executor = co_await asio::this_coro::executor;
  auto circuit = std::make_shared<Circuit>(executor, std::move(stream), std::move(*stop), src, dst,
                                           limit, Clock::now());
  std::erase_if(circuits_, [](const auto& w) { return w.expired(); });
  circuits_.push_back(circuit);
  log::debug("relay: circuit {} -> {} open", src.to_string(), dst.to_string());
  asio::co_spawn(executor, pump(circuit->a, circuit->b, circuit, true), asio::detached);
  asio::co_spawn(executor, pump(circuit->b, circuit->a, circuit, false), asio::detached);
  if (circuit->up.deadline()) asio::co_spawn(executor, watch_duration(circuit), asio::detached);
}

io::Task<void> RelayServer::pump(Stream from, Stream to, std::shared_ptr<Circuit> circuit,
                                 bool forward) {
  auto alive = alive_;
  Bytes buffer(kSpliceChunk);
  auto& budget = forward ? circuit->up : circuit->down;
  for (;;) {
    auto n = co_await from.read_some(buffer);
    if (!n) {  // reset (by the peer, or by us cutting the circuit)
      to.reset();
      break;
    }
    if (*n == 0) {  // FIN: pass it on; the other direction may go on
      (void)to.close_write();
      break;
    }
    if (!budget.consume(*n)) {
      // The data limit: what still fits goes through, then the circuit ends.
      const auto left = static_cast<std::size_t>(budget.bytes_left().value_or(0));
      if (left > 0 && budget.consume(left)) (void)co_await to.write(ByteView(buffer).first(left));
      if (*alive && !circuit->cut) {
        ++cut_data_;
        log::debug("relay: circuit {} -> {} reached its data limit", circuit->src.to_string(),
                   circuit->dst.to_string());
      }
      circuit->cut_both();
      break;
    }
    if (auto w = co_await to.write(ByteView(buffer.data(), *n)); !w) {
      from.reset();
      break;
    }
  }
  if (--circuit->pumps == 0) {
    circuit->deadline.cancel();
    if (*alive) reservations_.close_circuit(circuit->src, circuit->dst);
  }
}

io::Task<void> RelayServer::watch_duration(std::shared_ptr<Circuit> circuit) {
  auto alive = alive_;
  circuit->deadline.expires_at(*circuit->up.deadline());
  auto [ec] = co_await circuit->deadline.async_wait(io::kNoThrow);
  if (ec || circuit->pumps == 0 || circuit->cut) co_return;
  if (*alive) ++cut_duration_;
  log::debug("relay: circuit {} -> {} reached its duration limit", circuit->src.to_string(),
             circuit->dst.to_string());
  circuit->cut_both();
}

// ---------------------------------------------------------------------------------------------
// RelayClient

RelayClient::RelayClient(Host& host, Config config)
    : host_(host), config_(config), alive_(std::make_shared<bool>(true)) {}

RelayClient::~RelayClient() { *alive_ = false; }

void RelayClient::add_candidate(const wire::PeerId& relay, std::optional<wire::Multiaddr> addr) {
  if (relay == host_.peer_id()) return;
  if (addr) host_.address_book().add(relay, {addr->without_peer_id()});
  if (!candidates_.count(relay) && candidates_.size() >= kMaxRelayCandidates) return;
  candidates_[relay] = std::move(addr);
  if (running_) fill();
}

void RelayClient::consider(const Connection& connection) {
  const auto& protocols = connection.remote_info().protocols;
  if (connection.relayed() ||
      std::find(protocols.begin(), protocols.end(), relay::kHopProtocolId) == protocols.end()) {
    return;
  }
  add_candidate(connection.remote_peer());
}

void RelayClient::start() {
  if (running_) return;
  running_ = true;
  host_.on_disconnect([this, alive = alive_](Connection& c) {
    if (!*alive) return;
    auto it = keepers_.find(c.remote_peer());
    if (it == keepers_.end() || host_.connection(c.remote_peer())) return;
    *it->second = false;  // its keeper sees the relay gone at its next wake-up
    keepers_.erase(it);
    held_.erase(c.remote_peer());
    failed_at_[c.remote_peer()] = Clock::now();
    publish();
    fill();
  });
  fill();
}

void RelayClient::stop() {
  running_ = false;
  for (auto& [relay, flag] : keepers_) *flag = false;
  keepers_.clear();
  held_.clear();
  publish();
}

std::vector<RelayReservation> RelayClient::reservations() const {
  std::vector<RelayReservation> out;
  for (const auto& [relay, r] : held_) out.push_back(r);
  return out;
}

void RelayClient::fill() {
  if (!running_) return;
  const auto now = Clock::now();
  for (const auto& [relay, addr] : candidates_) {
    if (keepers_.size() >= config_.max_relays) break;
    if (keepers_.count(relay)) continue;
    if (auto f = failed_at_.find(relay); f != failed_at_.end() && now - f->second < config_.retry) {
      continue;
    }
    auto flag = std::make_shared<bool>(true);
    keepers_[relay] = flag;
    asio::co_spawn(host_.context(), keep(relay, flag), asio::detached);
  }
}

void RelayClient::publish() {
  std::vector<wire::Multiaddr> addrs;
  for (const auto& [relay, r] : held_) {
    for (const auto& a : r.circuit_addrs) {
      if (std::find(addrs.begin(), addrs.end(), a) == addrs.end()) addrs.push_back(a);
    }
  }
  host_.set_relay_addrs(std::move(addrs));
}

io::Task<Result<RelayReservation>> RelayClient::reserve(const wire::PeerId& relay_peer) {
  auto alive = alive_;
  auto connection = co_await host_.dial(relay_peer);
  if (!connection) co_return connection.error();
  if ((*connection)->relayed()) co_return make_error_code(Error::unsupported);
  std::vector<std::string> protocol{std::string(relay::kHopProtocolId)};
  auto stream = co_await host_.new_stream(**connection, std::move(protocol));
  if (!stream) co_return stream.error();
  const relay::HopMessage request{.type = relay::HopMessage::Type::reserve};
  if (auto w = co_await stream->write(relay::frame_hop(request)); !w) co_return w.error();
  auto answer = co_await read_hop(*stream, host_.config().hop_timeout);
  stream->reset();  // the exchange is one message each way
  if (!answer) co_return answer.error();
  if (!*alive) co_return make_error_code(Error::cancelled);
  if (answer->type != relay::HopMessage::Type::status) {
    co_return make_error_code(Error::protocol_violation);
  }
  if (answer->status != relay::Status::ok) {
    log::info("relay {} refused our reservation: {}", relay_peer.to_string(),
              relay::to_string(answer->status.value_or(relay::Status::unexpected_message)));
    co_return make_error_code(answer->status == relay::Status::reservation_refused ||
                                      answer->status == relay::Status::resource_limit_exceeded
                                  ? Error::peer_busy
                                  : Error::refused);
  }
  if (!answer->reservation || !answer->reservation->expire) {
    co_return make_error_code(Error::protocol_violation);
  }
  const auto& reservation = *answer->reservation;
  if (reservation.voucher) {
    // Optional in the spec; when the relay sends one it must be its own, for us.
    auto voucher = relay::open_voucher(*reservation.voucher);
    if (!voucher || voucher->relay != relay_peer || voucher->peer != host_.peer_id()) {
      log::info("relay {} sent a voucher that is not its own for us: reservation ignored",
                relay_peer.to_string());
      co_return make_error_code(Error::invalid_signature);
    }
  }
  RelayReservation held{relay_peer, *reservation.expire, {}, answer->limit};
  auto add_circuit = [&](const wire::Multiaddr& a) {
    if (a.is_relayed() || held.circuit_addrs.size() >= kMaxRelayAddrs) return;
    if (a.peer_id() && *a.peer_id() != relay_peer) return;
    auto components = a.without_peer_id().components();
    components.push_back({wire::Protocol::p2p, relay_peer.bytes()});
    components.push_back({wire::Protocol::p2p_circuit, {}});
    auto circuit = wire::Multiaddr::from_components(std::move(components));
    if (std::find(held.circuit_addrs.begin(), held.circuit_addrs.end(), circuit) ==
        held.circuit_addrs.end()) {
      held.circuit_addrs.push_back(std::move(circuit));
    }
  };
  for (const auto& a : relay::parse_addrs(reservation.addrs).addrs) add_circuit(a);
  // A relay that names no address is reached where we reached it.
  if (held.circuit_addrs.empty()) add_circuit((*connection)->remote_addr());
  held_.insert_or_assign(relay_peer, held);
  publish();
  co_return held;
}

io::Task<void> RelayClient::keep(wire::PeerId relay_peer, std::shared_ptr<bool> flag) {
  auto alive = alive_;
  for (;;) {
    auto held = co_await reserve(relay_peer);
    if (!*alive || !*flag) co_return;
    if (!held) {
      log::debug("reservation on {} failed: {}", relay_peer.to_string(), held.error().message());
      keepers_.erase(relay_peer);
      held_.erase(relay_peer);
      failed_at_[relay_peer] = Clock::now();
      publish();
      fill();
      // Ask again once the retry pause passed (fill() skips it until then).
      asio::steady_timer pause(co_await asio::this_coro::executor, config_.retry);
      co_await pause.async_wait(io::kNoThrow);
      if (*alive) fill();
      co_return;
    }
    const auto wall = wall_seconds();
    const Duration ttl = std::chrono::seconds(held->expire > wall ? held->expire - wall : 0);
    const Duration renew_in = std::max(ttl - config_.renew_margin, ttl / 2);
    asio::steady_timer renew(co_await asio::this_coro::executor, renew_in);
    co_await renew.async_wait(io::kNoThrow);
    if (!*alive || !*flag) co_return;
  }
}

}  // namespace ipfsa::p2p
