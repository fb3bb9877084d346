#include "p2p/host.hpp"

#include <ifaddrs.h>
#include <net/if.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/write.hpp>
#include <array>

#include "base/log.hpp"
#include "wire/varint.hpp"
#include "crypto/random.hpp"
#include "io/deadline.hpp"
#include "p2p/negotiate.hpp"
#include "p2p/upgrade.hpp"
#include "proto/identify/identify.hpp"
#include "proto/multistream/multistream.hpp"
#include "proto/ping/ping.hpp"
#include "proto/relay/relay.hpp"

namespace ipfsa::p2p {

namespace asio = io::asio;

namespace {

wire::Multiaddr endpoint_to_multiaddr(const io::tcp::endpoint& ep) {
  auto address = ep.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  auto ma = wire::Multiaddr::tcp(address.to_string(), ep.port());
  return ma ? *ma : wire::Multiaddr{};
}

// Interface addresses for wildcard listeners: loopback first, then the rest; IPv6 link-local
// addresses are skipped (they need a zone to be dialled).
std::vector<asio::ip::address> interface_addresses(bool v6) {
  std::vector<asio::ip::address> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr || !(it->ifa_flags & IFF_UP)) continue;
    if (!v6 && it->ifa_addr->sa_family == AF_INET) {
      auto* sin = reinterpret_cast<sockaddr_in*>(it->ifa_addr);
      asio::ip::address_v4::bytes_type b;
      std::memcpy(b.data(), &sin->sin_addr, 4);
      out.emplace_back(asio::ip::address_v4(b));
    } else if (v6 && it->ifa_addr->sa_family == AF_INET6) {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(it->ifa_addr);
      asio::ip::address_v6::bytes_type b;
      std::memcpy(b.data(), &sin6->sin6_addr, 16);
      asio::ip::address_v6 a(b);
      if (a.is_link_local()) continue;
      out.emplace_back(a);
    }
  }
  freeifaddrs(list);
  std::stable_partition(out.begin(), out.end(), [](const auto& a) { return a.is_loopback(); });
  return out;
}

// Negotiates a stream's protocol (p2p/negotiate.hpp) with a deadline; bytes read past the
// accepted line are put back in front of the stream, which is reset on failure.
template <class Negotiator>
io::Task<Result<std::string>> negotiate_with_deadline(Stream& stream, Negotiator negotiator,
                                                      Duration timeout) {
  auto protocol = co_await io::with_timeout(run_negotiation(negotiator, stream), timeout);
  if (!protocol) {
    stream.reset();
    co_return make_error_code(Error::timeout);
  }
  if (!*protocol) stream.reset();
  co_return std::move(*protocol);
}

}  // namespace

Host::Host(asio::io_context& context, HostConfig config)
    : context_(context),
      config_(std::move(config)),
      peer_id_(wire::PeerId::from_public_key(config_.identity.public_key())),
      identify_(IdentifyService::Hooks{.self = [this] { return self_info(); },
                                       .identified =
                                           [this](Connection& c) {
                                             address_book_.add(c.remote_peer(),
                                                               c.remote_info().listen_addrs);
                                             for (auto& h : identify_handlers_) h(c);
                                           }},
                config_.negotiate_timeout) {
  set_stream_handler(std::string(proto::identify::kProtocolId),
                     [this](Stream s) { return identify_.serve(std::move(s)); });
  set_stream_handler(std::string(proto::identify::kPushProtocolId),
                     [this](Stream s) { return identify_.serve_push(std::move(s)); });
  set_stream_handler(std::string(proto::ping::kProtocolId),
                     [this](Stream s) { return ping_service_.serve(std::move(s)); });
  set_stream_handler(std::string(proto::relay::kStopProtocolId),
                     [this](Stream s) { return serve_stop(std::move(s)); });
}

Host::~Host() = default;

Result<wire::Multiaddr> Host::listen(const wire::Multiaddr& addr) {
  auto target = addr.tcp_target();
  if (!target || (target->kind != wire::TcpTarget::Kind::ip4 &&
                  target->kind != wire::TcpTarget::Kind::ip6)) {
    log::error("cannot listen on {}: only /ip4/.../tcp/N and /ip6/.../tcp/N", addr.to_string());
    return Error::unsupported;
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(target->host, ec);
  if (ec) return Error::malformed;
  io::tcp::endpoint endpoint(address, target->port);
  auto acceptor = std::make_shared<io::tcp::acceptor>(context_);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && address.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    log::debug("listen on {} failed: {}", addr.to_string(), ec.message());
    return ec;
  }
  auto bound = endpoint_to_multiaddr(acceptor->local_endpoint());
  acceptors_.push_back(acceptor);
  bound_.push_back(bound);
  asio::co_spawn(context_, accept_loop(acceptor), asio::detached);
  // Peers learned our old address list through identify: tell them about the new one.
  if (!connections_.empty()) push_identify();
  return bound;
}

std::vector<wire::Multiaddr> Host::listen_addrs() const {
  std::vector<wire::Multiaddr> out;
  for (const auto& ma : bound_) {
    auto target = ma.tcp_target();
    boost::system::error_code ec;
    auto address = asio::ip::make_address(target->host, ec);
    if (ec || !address.is_unspecified()) {
      out.push_back(ma);
      continue;
    }
    for (const auto& a : interface_addresses(address.is_v6())) {
      if (auto m = wire::Multiaddr::tcp(a.to_string(), target->port)) out.push_back(*m);
    }
  }
  out.insert(out.end(), relay_addrs_.begin(), relay_addrs_.end());
  return out;
}

void Host::set_relay_addrs(std::vector<wire::Multiaddr> addrs) {
  if (addrs.size() > kMaxRelayAddrs) addrs.resize(kMaxRelayAddrs);
  if (addrs == relay_addrs_) return;
  relay_addrs_ = std::move(addrs);
  if (!connections_.empty()) push_identify();
}

UpgradeConfig Host::upgrade_config() const {
  return UpgradeConfig{&config_.identity, config_.psk ? &*config_.psk : nullptr,
                       config_.handshake_step_timeout, config_.inline_muxer_negotiation,
                       config_.upgrade_timeout};
}

io::Task<void> Host::accept_loop(std::shared_ptr<io::tcp::acceptor> acceptor) {
  while (acceptor->is_open()) {
    auto [ec, socket] = co_await acceptor->async_accept(io::kNoThrow);
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) break;
    if (ec) {
      // Out of descriptors or similar: back off briefly instead of spinning.
      log::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(context_, std::chrono::milliseconds(100));
      co_await pause.async_wait(io::kNoThrow);
      continue;
    }
    if (connections_.size() >= config_.max_connections) {
      log::debug("refusing inbound connection: {} connections", connections_.size());
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    boost::system::error_code rec;
    auto source = socket.remote_endpoint(rec).address();
    if (source.is_v6() && source.to_v6().is_v4_mapped()) {
      source = asio::ip::make_address_v4(asio::ip::v4_mapped, source.to_v6());
    }
    // Handshake slots are never a reason to refuse a newcomer: the oldest unfinished handshake
    // makes room (a flood can only churn its own sockets; a peer that finishes its handshake in
    // time gets in).
    make_room_for(source);
    pending_.emplace_back(context_.get_executor(), source);
    ++pending_live_;
    asio::co_spawn(context_, handle_inbound_socket(std::move(socket), std::prev(pending_.end())),
                   asio::detached);
  }
}

void Host::make_room_for(const asio::ip::address& source) {
  std::size_t from_source = 0;
  for (const auto& p : pending_) {
    if (!p.evicted && p.source == source) ++from_source;
  }
  const bool per_address = from_source >= kMaxPendingInboundPerAddress;
  if (!per_address && pending_live_ < kMaxPendingInbound) return;
  for (auto& p : pending_) {  // accept order: the first live one is the oldest
    if (p.evicted || (per_address && p.source != source)) continue;
    const auto now = Clock::now();
    if (!last_eviction_ || now - *last_eviction_ >= kEvictionLogQuiet) {
      log::warn(
          "inbound handshakes at the limit ({} pending, {} from {}; at most {} in all, {} per "
          "address): closing the oldest unfinished ones to admit new connections (a handshake "
          "flood?); not logged again until {} s without one",
          pending_live_, from_source, source.to_string(), kMaxPendingInbound,
          kMaxPendingInboundPerAddress,
          std::chrono::duration_cast<std::chrono::seconds>(kEvictionLogQuiet).count());
    }
    last_eviction_ = now;
    ++evicted_inbound_;
    evict(p);
    return;
  }
}

void Host::evict(PendingInbound& pending) {
  if (pending.evicted) return;
  pending.evicted = true;
  --pending_live_;
  // In the past: wakes a waiting handshake, and one that has not started waiting yet returns at
  // its first wait.
  pending.evict.expires_at(asio::steady_timer::time_point::min());
}

io::Task<void> Host::handle_inbound_socket(io::tcp::socket socket, PendingList::iterator pending) {
  using namespace boost::asio::experimental::awaitable_operators;
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  const auto remote_addr = ec ? wire::Multiaddr{} : endpoint_to_multiaddr(remote);
  std::string why;
  auto outcome = co_await (
      upgrade_inbound(Pipe(std::move(socket)), upgrade_config(), &why) ||
      pending->evict.async_wait(io::kNoThrow));
  const bool evicted = pending->evicted;
  if (!evicted) --pending_live_;
  pending_.erase(pending);
  if (evicted || outcome.index() == 1) {
    // Counted and logged (once per burst) by make_room_for; the socket closed with the upgrade.
    log::debug("inbound handshake from {} closed to make room", remote_addr.to_string());
    co_return;
  }
  auto& upgraded = std::get<0>(outcome);
  if (!upgraded) {
    log::info("inbound connection from {} failed: {}", remote_addr.to_string(),
              why.empty() ? upgraded.error().message() : why);
    co_return;
  }
  adopt(std::move(*upgraded), Direction::inbound, remote_addr);
}

std::shared_ptr<Connection> Host::adopt(Upgraded upgraded, Direction direction,
                                        wire::Multiaddr remote_addr) {
  auto remote = upgraded.remote_peer;
  auto connection = std::make_shared<Connection>(std::move(upgraded.secured), direction, remote,
                                                 remote_addr, config_.yamux);
  if (auto it = connections_.find(remote); it != connections_.end() && it->second->is_open()) {
    auto& existing = it->second;
    if (existing->relayed() != connection->relayed()) {
      // A direct connection beats a relayed one (hole punching, or the peer dialled us while we
      // reached it through a relay). The relayed one is kept, idle, to take over if the direct
      // one closes: the layers above see the peer leave it and arrive on the direct one.
      if (connection->relayed()) {
        connection->start([](Stream s) { s.reset(); }, [](Connection&, boost::system::error_code) {});
        connection->close(Error::session_closed);
        return existing;
      }
      auto demoted = existing;
      connections_.erase(it);
      if (auto old = fallbacks_.find(remote); old != fallbacks_.end()) {
        auto stale = old->second;
        fallbacks_.erase(old);
        stale->close(Error::session_closed);
      }
      fallbacks_[remote] = demoted;
      log::debug("direct connection to {} replaces the relayed one (kept as fallback)",
                 remote.to_string());
      for (auto& h : disconnect_handlers_) h(*demoted);
    } else {
      // One connection per peer. Simultaneous dials: both sides keep the connection dialled by
      // the peer with the smaller ID, so they agree without talking.
      const bool existing_by_us = existing->direction() == Direction::outbound;
      const wire::PeerId& existing_dialer = existing_by_us ? peer_id_ : remote;
      const wire::PeerId& new_dialer = direction == Direction::outbound ? peer_id_ : remote;
      if (existing_dialer == new_dialer || existing_dialer < new_dialer) {
        connection->start([](Stream s) { s.reset(); }, [](Connection&, boost::system::error_code) {});
        connection->close(Error::session_closed);
        return existing;
      }
      auto old = existing;
      connections_.erase(it);
      old->close(Error::session_closed);
    }
  }
  connections_[remote] = connection;
  if (direction == Direction::outbound && !remote_addr.empty()) {
    address_book_.add(remote, {remote_addr.without_peer_id()});
  }
  connection->start([this](Stream s) { dispatch_inbound(std::move(s)); },
                    [this](Connection& c, boost::system::error_code) { connection_closed(c); });
  log::debug("connected to {} ({}, {})", remote.to_string(), remote_addr.to_string(),
             direction == Direction::outbound ? "outbound" : "inbound");
  for (auto& h : connect_handlers_) h(*connection);
  asio::co_spawn(context_, identify_remote(connection), asio::detached);
  return connection;
}

void Host::connection_closed(Connection& c) {
  const auto& peer = c.remote_peer();
  if (auto f = fallbacks_.find(peer); f != fallbacks_.end() && f->second.get() == &c) {
    fallbacks_.erase(f);  // an idle fallback: the layers above already left it
    return;
  }
  auto it = connections_.find(peer);
  if (it == connections_.end() || it->second.get() != &c) {
    for (auto& h : disconnect_handlers_) h(c);
    return;
  }
  connections_.erase(it);
  for (auto& h : disconnect_handlers_) h(c);
  auto f = fallbacks_.find(peer);
  if (f == fallbacks_.end()) return;
  auto promoted = f->second;
  fallbacks_.erase(f);
  if (!promoted->is_open()) return;
  log::debug("direct connection to {} closed: the relayed one takes over", peer.to_string());
  connections_[peer] = promoted;
  for (auto& h : connect_handlers_) h(*promoted);
}

std::shared_ptr<Connection> Host::fallback(const wire::PeerId& peer) const {
  auto it = fallbacks_.find(peer);
  if (it == fallbacks_.end() || !it->second->is_open()) return nullptr;
  return it->second;
}

io::Task<Result<std::shared_ptr<Connection>>> Host::dial(const wire::Multiaddr& addr) {
  auto expected = addr.peer_id();
  if (expected && *expected == peer_id_) co_return make_error_code(Error::invalid_state);
  if (expected) {
    // A relayed connection does not stop a dial of a direct address: the direct one replaces it.
    auto existing = connection(*expected);
    if (existing && (!existing->relayed() || addr.is_relayed())) co_return existing;
  }
  if (addr.is_relayed()) co_return co_await dial_relayed(addr);
  auto target = addr.tcp_target();
  if (!target) {
    log::debug("cannot dial {}: not a TCP multiaddr", addr.to_string());
    co_return make_error_code(Error::unsupported);
  }
  if (connections_.size() >= config_.max_connections) {
    co_return make_error_code(Error::limit_exceeded);
  }
  io::tcp::socket socket(context_);
  // Resolve (DNS names; literals resolve without a query) and connect within the dial deadline.
  auto connect = [&]() -> io::Task<boost::system::error_code> {
    io::tcp::resolver resolver(context_);
    auto [rec, results] = co_await resolver.async_resolve(
        target->host, std::to_string(target->port), asio::ip::resolver_base::numeric_service,
        io::kNoThrow);
    if (rec) co_return rec;
    boost::system::error_code last = asio::error::host_not_found;
    for (const auto& entry : results) {
      const auto ep = entry.endpoint();
      if (target->kind == wire::TcpTarget::Kind::dns4 && !ep.address().is_v4()) continue;
      if (target->kind == wire::TcpTarget::Kind::dns6 && !ep.address().is_v6()) continue;
      boost::system::error_code ignored;
      socket.close(ignored);
      auto [cec] = co_await socket.async_connect(ep, io::kNoThrow);
      if (!cec) co_return cec;
      last = cec;
    }
    co_return last;
  };
  auto connected = co_await io::with_timeout(connect(), config_.dial_timeout);
  if (!connected) {
    log::debug("dial {} timed out", addr.to_string());
    co_return make_error_code(Error::timeout);
  }
  if (auto ec = *connected) {
    log::debug("dial {} failed: {}", addr.to_string(), ec.message());
    co_return ec;
  }
  boost::system::error_code ec;
  const auto remote_endpoint = socket.remote_endpoint(ec);
  std::string why;
  auto upgraded = co_await upgrade_outbound(Pipe(std::move(socket)), upgrade_config(), expected, &why);
  if (!upgraded) {
    log::info("dial {} failed during upgrade: {}", addr.to_string(),
              why.empty() ? upgraded.error().message() : why);
    co_return upgraded.error();
  }
  co_return adopt(std::move(*upgraded), Direction::outbound,
                  ec ? addr.without_peer_id() : endpoint_to_multiaddr(remote_endpoint));
}

io::Task<Result<std::shared_ptr<Connection>>> Host::dial(const wire::PeerId& peer) {
  if (auto existing = connection(peer)) co_return existing;
  auto addrs = address_book_.addrs(peer);
  if (addrs.empty()) co_return make_error_code(Error::not_found);
  boost::system::error_code last = Error::not_found;
  for (const auto& a : addrs) {
    auto c = co_await dial(a.with_peer_id(peer));
    if (c) co_return c;
    last = c.error();
  }
  co_return last;
}

io::Task<Result<Stream>> Host::new_stream(const wire::PeerId& peer,
                                          std::vector<std::string> protocols) {
  auto c = co_await dial(peer);
  if (!c) co_return c.error();
  co_return co_await new_stream(**c, std::move(protocols));
}

io::Task<Result<Stream>> Host::new_stream(Connection& connection,
                                          std::vector<std::string> protocols) {
  auto stream = connection.open_stream();
  if (!stream) co_return stream.error();
  if (config_.optimistic_negotiation && protocols.size() == 1) {
    auto dialer = std::make_unique<proto::multistream::Dialer>(protocols);
    Bytes proposal;
    (void)dialer->poll_transmit(proposal);
    if (auto w = co_await stream->write(proposal); !w) co_return w.error();
    stream->set_protocol(std::move(protocols.front()));
    stream->set_pending_negotiation(std::move(dialer));
    co_return std::move(*stream);
  }
  auto protocol = co_await negotiate_with_deadline(
      *stream, proto::multistream::Dialer(std::move(protocols)), config_.negotiate_timeout);
  if (!protocol) co_return protocol.error();
  stream->set_protocol(std::move(*protocol));
  co_return std::move(*stream);
}

void Host::set_stream_handler(std::string protocol, StreamHandler handler) {
  if (handlers_.size() >= kMaxStreamHandlers && !handlers_.count(protocol)) {
    log::error("too many stream handlers; {} not registered", protocol);
    return;
  }
  handlers_[std::move(protocol)] = std::move(handler);
}

void Host::remove_stream_handler(const std::string& protocol) { handlers_.erase(protocol); }

std::vector<std::string> Host::protocols() const {
  std::vector<std::string> out;
  for (const auto& [p, h] : handlers_) out.push_back(p);
  return out;
}

std::shared_ptr<Connection> Host::connection(const wire::PeerId& peer) const {
  auto it = connections_.find(peer);
  if (it == connections_.end() || !it->second->is_open()) return nullptr;
  return it->second;
}

std::vector<std::shared_ptr<Connection>> Host::connections() const {
  std::vector<std::shared_ptr<Connection>> out;
  for (const auto& [p, c] : connections_) {
    if (c->is_open()) out.push_back(c);
  }
  return out;
}

void Host::dispatch_inbound(Stream stream) {
  asio::co_spawn(context_, serve_inbound(std::move(stream)), asio::detached);
}

io::Task<void> Host::serve_inbound(Stream stream) {
  auto protocol = co_await negotiate_with_deadline(
      stream, proto::multistream::Listener(protocols()), config_.negotiate_timeout);
  if (!protocol) {
    log::debug("inbound stream from {}: negotiation failed: {}", stream.remote_peer().to_string(),
               protocol.error().message());
    co_return;
  }
  auto it = handlers_.find(*protocol);
  if (it == handlers_.end()) {
    stream.reset();
    co_return;
  }
  stream.set_protocol(std::move(*protocol));
  auto handler = it->second;  // a copy: the handler may replace itself
  co_await handler(std::move(stream));
}

proto::identify::PeerInfo Host::self_info() const {
  proto::identify::PeerInfo self;
  self.protocol_version = std::string(kProtocolVersion);
  self.agent_version = config_.agent_version;
  self.public_key = config_.identity.public_key();
  self.listen_addrs = listen_addrs();
  self.protocols = protocols();
  return self;
}

io::Task<void> Host::identify_remote(std::shared_ptr<Connection> connection) {
  // (A named vector: g++ 12 miscompiles initializer lists inside co_await expressions.)
  std::vector<std::string> protocol{std::string(proto::identify::kProtocolId)};
  auto stream = co_await new_stream(*connection, std::move(protocol));
  if (!stream) {
    log::debug("identify {}: {}", connection->remote_peer().to_string(), stream.error().message());
    co_return;
  }
  co_await identify_.identify(std::move(*stream));
}

void Host::push_identify() {
  for (auto& c : connections()) {
    asio::co_spawn(
        context_,
        [this, c]() -> io::Task<void> {
          std::vector<std::string> protocol{std::string(proto::identify::kPushProtocolId)};
          auto stream = co_await new_stream(*c, std::move(protocol));
          if (stream) co_await identify_.push(std::move(*stream));
        },
        asio::detached);
  }
}

io::Task<Result<void>> Host::ping(const wire::PeerId& peer, int count, Duration interval,
                                  std::function<void(int, Result<Duration>)> on_rtt) {
  std::vector<std::string> protocol{std::string(proto::ping::kProtocolId)};
  auto stream = co_await new_stream(peer, std::move(protocol));
  if (!stream) co_return stream.error();
  co_return co_await run_ping(std::move(*stream), count, interval, config_.negotiate_timeout,
                              std::move(on_rtt));
}

void Host::close() {
  for (auto& a : acceptors_) {
    boost::system::error_code ignored;
    a->close(ignored);
  }
  for (auto& p : pending_) evict(p);
  acceptors_.clear();
  bound_.clear();
  auto all = connections_;
  auto fallbacks = std::move(fallbacks_);
  fallbacks_.clear();
  for (auto& [p, c] : all) c->close(Error::session_closed);
  for (auto& [p, c] : fallbacks) c->close(Error::session_closed);
  connections_.clear();
}

}  // namespace ipfsa::p2p
