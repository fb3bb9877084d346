#include "node/swarm_node.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "base/log.hpp"
#include "discovery/mdns/mdns_discovery.hpp"
#include "discovery/registry/registry.hpp"
#include "discovery/registry/registry_service.hpp"
#include "io/asio.hpp"
#include "node/status_json.hpp"
#include "p2p/host.hpp"
#include "p2p/relay.hpp"
#include "pubsub/gossipsub.hpp"
#include "share/cache_protocol.hpp"
#include "share/sharing.hpp"

namespace ipfsa::node {

namespace asio = io::asio;

struct SwarmNode::Loops {
  // Keeps one bootstrap peer connected: dial, wait for the disconnect, redial with back-off (1 s
  // doubling to kBootstrapMaxBackoff, reset after a connection).
  static io::Task<void> keep_connected(SwarmNode& self, wire::Multiaddr addr) {
    Duration backoff = std::chrono::seconds(1);
    while (!self.stopping_) {
      auto connection = co_await self.host_->dial(addr);
      if (connection) {
        backoff = std::chrono::seconds(1);
        while (!self.stopping_ && (*connection)->is_open()) {
          asio::steady_timer poll(co_await asio::this_coro::executor, std::chrono::seconds(1));
          co_await poll.async_wait(io::kNoThrow);
        }
      } else {
        if (self.stopping_) break;
        log::info("bootstrap peer {} unreachable: {}; retrying in {} s", addr.to_string(),
                  connection.error().message(),
                  std::chrono::duration_cast<std::chrono::seconds>(backoff).count());
        asio::steady_timer pause(co_await asio::this_coro::executor, backoff);
        co_await pause.async_wait(io::kNoThrow);
        backoff = std::min<Duration>(backoff * 2, kBootstrapMaxBackoff);
      }
    }
  }

  static io::Task<void> refresh_loop(SwarmNode& self) {
    while (!self.stopping_) {
      asio::steady_timer tick(co_await asio::this_coro::executor, kStatusRefresh);
      co_await tick.async_wait(io::kNoThrow);
      if (!self.stopping_) self.refresh_status();
    }
  }
};

SwarmNode::SwarmNode(asio::io_context& context, crypto::Ed25519KeyPair identity,
                     cache::GitHubAPICache& cache, github::Client& client, SwarmOptions options)
    : context_(context),
      cache_(cache),
      client_(client),
      gateway_(cache, client),
      options_(std::move(options)),
      identity_(std::move(identity)) {
  status_.enabled = options_.p2p.enabled;
  status_.status = options_.p2p.enabled ? "starting" : "disabled by CACHE_ENABLE_P2P";
}

SwarmNode::~SwarmNode() {
  gateway_.set_sharing(nullptr);
  if (registry_service_) registry_service_->stop();
  if (sharing_) sharing_->stop();
}

std::optional<std::string> SwarmNode::start() {
  if (!options_.p2p.enabled) {
    log::info("P2P cache sharing disabled (CACHE_ENABLE_P2P={})", "false");
    return std::nullopt;
  }
  std::optional<SecretBytes> psk = options_.swarm_key_file_psk;
  if (options_.secret) {
    swarm_.emplace(*options_.secret);
    if (options_.secret->source != share::SecretSource::shared_secret) {
      log::warn(
          "the swarm secret comes from {}: only nodes with this identical token join this swarm "
          "(set CACHE_P2P_SHARED_SECRET on every node to share across tokens)",
          share::to_string(options_.secret->source));
    }
    if (psk) {
      log::info("using the pnet key from the swarm key file instead of the one derived from {}",
                share::to_string(options_.secret->source));
    } else {
      psk = swarm_->pnet_key();
    }
  } else {
    log::warn(
        "no swarm secret (CACHE_P2P_SHARED_SECRET, GH_TOKEN or GITHUB_TOKEN): P2P runs for status "
        "only and shares nothing");
  }
  p2p::HostConfig config{identity_, std::move(psk), options_.agent_version};
  host_ = std::make_unique<p2p::Host>(context_, std::move(config));
  if (auto error = listen()) {
    status_reason_ = *error;
    std::lock_guard lock(status_mutex_);
    status_.status = *error;
    return error;
  }
  log::info("P2P host started on port {}", port_);
  log::info("peer ID {}{}", host_->peer_id().to_string(),
            host_->config().psk ? " (private network)" : "");
  for (const auto& a : host_->listen_addrs()) {
    log::info("listening on {}", a.with_peer_id(host_->peer_id()).to_string());
  }
  host_->on_connect([this](p2p::Connection& c) {
    connected_since_ms_.try_emplace(c.remote_peer(),
                                    cache::wall_now().time_since_epoch().count());
    found_by_.try_emplace(c.remote_peer(), FoundBy::inbound);
    log::info("Connected to {} peer(s)", host_->connections().size());
    refresh_status();
  });
  host_->on_disconnect([this](p2p::Connection& c) {
    connected_since_ms_.erase(c.remote_peer());
    // How a peer was found describes one connection: the next may come the other way. Bootstrap
    // peers stay bootstrap peers (keep_connected redials them).
    if (auto it = found_by_.find(c.remote_peer());
        it != found_by_.end() && it->second != FoundBy::bootstrap) {
      found_by_.erase(it);
    }
    log::info("Connected to {} peer(s)", host_->connections().size());
    refresh_status();
  });
  host_->on_identify([this](p2p::Connection& c) {
    log::debug("peer {} runs {}", c.remote_peer().to_string(), c.remote_info().agent_version);
    if (relay_client_) relay_client_->consider(c);
    refresh_status();
  });
  start_relay();
  if (swarm_) start_sharing();
  for (const auto& ma : options_.p2p.bootstrap_peers) {  // load_p2p_config checked each one
    found_by_[*ma.peer_id()] = FoundBy::bootstrap;
    asio::co_spawn(context_, Loops::keep_connected(*this, ma), asio::detached);
  }
  start_discovery();
  asio::co_spawn(context_, Loops::refresh_loop(*this), asio::detached);
  refresh_status();
  return std::nullopt;
}

std::optional<std::string> SwarmNode::listen() {
  if (!options_.listen.empty()) {
    for (const auto& text : options_.listen) {
      auto ma = wire::Multiaddr::parse(text);
      if (!ma) return "--listen " + text + ": " + ma.error().message();
      auto bound = host_->listen(*ma);
      if (!bound) return "cannot listen on " + text + ": " + bound.error().message();
      if (port_ == 0) port_ = bound->tcp_target()->port;
    }
    return std::nullopt;
  }
  const std::uint16_t base = options_.p2p.listen_port;
  for (int attempt = 0; attempt < kListenPortAttempts; ++attempt) {
    const int candidate = base + attempt;
    if (candidate > 65535) break;
    const auto port = static_cast<std::uint16_t>(candidate);
    auto v4 = host_->listen(*wire::Multiaddr::tcp("0.0.0.0", port));
    if (!v4) {
      log::debug("port {} unavailable: {}", candidate, v4.error().message());
      continue;
    }
    // IPv6 is best effort: hosts without it still serve on IPv4.
    if (auto v6 = host_->listen(*wire::Multiaddr::tcp("::", port)); !v6) {
      log::debug("no IPv6 listener on port {}: {}", candidate, v6.error().message());
    }
    if (attempt > 0) log::warn("port {} is busy; using port {}", base, candidate);
    port_ = port;
    return std::nullopt;
  }
  return "no free port in " + std::to_string(base) + ".." +
         std::to_string(base + kListenPortAttempts - 1);
}

void SwarmNode::start_relay() {
  // Serving: CACHE_RELAY=on; auto waits for a measured public address, which this version does
  // not measure yet (AutoNAT), so auto does not serve.
  if (options_.p2p.relay == RelayMode::on) {
    relay_server_ = std::make_unique<p2p::RelayServer>(*host_);
    relay_server_->start();
    log::info("relaying circuits for the swarm (CACHE_RELAY=on)");
  }
  // Reserving: on every relay we come to know (bootstrap peers and connected peers that relay),
  // up to p2p::kMaxRelays, so that members behind NAT can be reached through it. A relay of our
  // own does not reserve elsewhere.
  if (!relay_server_) {
    relay_client_ = std::make_unique<p2p::RelayClient>(*host_, p2p::RelayClient::Config{});
    relay_client_->start();
  }
}

void SwarmNode::start_sharing() {
  share::SharingConfig config;
  config.owner_timeout = std::chrono::milliseconds(options_.p2p.owner_timeout_ms);
  if (const auto& token = client_.config().token; !token.view().empty()) {
    config.token_fingerprint = swarm_->token_fingerprint(token.view());
  }
  sharing_ = std::make_unique<share::Sharing>(context_, *host_, cache_, identity_, config);
  gossip_ = std::make_unique<pubsub::Gossipsub>(context_, *host_);
  gossip_->start();
  gossip_->subscribe(swarm_->topic(), [this](const pubsub::ReceivedMessage& m) {
    switch (sharing_->on_announcement(m.author, m.data)) {
      case share::Verdict::accept:
        return pubsub::Validation::accept;
      case share::Verdict::reject:
        return pubsub::Validation::reject;
      case share::Verdict::ignore:
        break;
    }
    return pubsub::Validation::ignore;
  });
  sharing_->start([this](const share::Recipe& r) { return fetch_for_peer(r); },
                  [this](Bytes announcement) {
                    if (auto sent = gossip_->publish(swarm_->topic(), std::move(announcement));
                        !sent) {
                      log::debug("announcement not published: {}", sent.error().message());
                    }
                  },
                  [this](const std::string& resource, cache::WallTime until) {
                    client_.hold_off(resource, until);
                  });
  gateway_.set_sharing(sharing_.get());
  log::info("✓ P2P cache sharing enabled (swarm {})", swarm_->id().substr(0, 8));
}

Result<cache::EntryPtr> SwarmNode::fetch_for_peer(const share::Recipe& recipe) {
  Result<Answer> answer = Error::unsupported;
  if (recipe.kind == cache::ApiKind::rest) {
    if (recipe.host != client_.config().api_url) return Error::unsupported;  // another GitHub
    RestCall call;
    call.method = "GET";
    call.target = recipe.target;
    call.accept = recipe.accept;
    answer = gateway_.rest(call, GitHubGateway::SwarmUse::as_owner);
  } else {
    if (recipe.host != client_.config().graphql_url) return Error::unsupported;
    GraphqlCall call;
    call.query = recipe.query;
    call.variables_json = recipe.variables_json;
    call.operation_name = recipe.operation_name;
    answer = gateway_.graphql(call, GitHubGateway::SwarmUse::as_owner);
  }
  if (!answer) return answer.error();
  if (!answer->cached || !answer->entry) return Error::not_found;
  return answer->entry;
}

void SwarmNode::start_discovery() {
  if (options_.p2p.mdns) {
    mdns_ = std::make_unique<discovery::MdnsDiscovery>(
        context_, host_->peer_id(), [this] { return host_->listen_addrs(); },
        [this](const wire::PeerId& peer, const std::vector<wire::Multiaddr>& addrs) {
          dial_discovered(peer, addrs, FoundBy::mdns);
        });
    if (auto started = mdns_->start(); !started) mdns_.reset();  // logged by MdnsDiscovery
  }
  if (options_.registry) {
    const auto advertised =
        registry::advertised_multiaddr(host_->listen_addrs(), host_->peer_id());
    if (!advertised) return;
    registry::RegistryConfig config;
    config.repo = options_.registry->repo;
    config.self = registry::self_record(*options_.registry, host_->peer_id(), *advertised, port_,
                                        {{"agent", options_.agent_version}});
    auto created = registry::Registry::create(client_, std::move(config));
    if (!created) {
      log::warn("peer registry off: {}", created.error().message());
      return;
    }
    registry_ = std::move(*created);
    registry::ServiceCallbacks callbacks;
    callbacks.on_peers = [this](std::vector<registry::RegistryPeer> peers) {
      asio::post(context_, [this, peers = std::move(peers)] {
        for (const auto& p : peers) dial_discovered(p.peer_id, p.addrs, FoundBy::registry);
        refresh_status();
      });
    };
    // Failures are logged by the service itself (the first in a row as a warning, later ones at
    // debug): no on_error here, which would log each one again.
    registry_service_ = std::make_unique<registry::RegistryService>(
        *registry_, registry::ServiceSchedule{}, std::move(callbacks));
    registry_service_->start();
    log::info("peer registry: {} (issue \"p2p-peer-registry\")", options_.registry->repo);
  }
}

void SwarmNode::dial_discovered(const wire::PeerId& peer, const std::vector<wire::Multiaddr>& addrs,
                                FoundBy found_by) {
  if (stopping_ || !host_ || peer == host_->peer_id() || addrs.empty()) return;
  host_->address_book().add(peer, addrs);
  if (host_->connection(peer)) return;
  if (discovery_dials_ >= kMaxDiscoveryDialsInFlight) return;
  found_by_[peer] = found_by;
  ++discovery_dials_;
  log::debug("dialling {} found by {}", peer.to_string(), to_string(found_by));
  asio::co_spawn(
      context_,
      [this, peer]() -> io::Task<void> {
        auto connection = co_await host_->dial(peer);
        --discovery_dials_;
        if (!connection) {
          log::debug("could not reach discovered peer {}: {}", peer.to_string(),
                     connection.error().message());
          // Unless it reached us meanwhile, forget the attempt: a later inbound connection from
          // it was not found by this dial.
          if (!host_->connection(peer)) found_by_.erase(peer);
        }
      },
      asio::detached);
}

void SwarmNode::refresh_status() {
  P2pStatus s;
  s.enabled = options_.p2p.enabled;
  s.active = host_ && !stopping_ && port_ != 0 && status_reason_.empty();
  s.status = s.active ? "active" : (stopping_ ? "stopped" : status_reason_);
  s.sharing = sharing_ != nullptr;
  if (host_) {
    s.peer_id = host_->peer_id().to_string();
    for (const auto& a : host_->listen_addrs()) {
      s.listen_addrs.push_back(a.with_peer_id(host_->peer_id()).to_string());
    }
    const auto counters =
        sharing_ ? sharing_->peer_counters() : std::map<wire::PeerId, share::PeerCounters>{};
    for (const auto& c : host_->connections()) {
      if (!c->is_open()) continue;
      PeerView v;
      v.peer_id = c->remote_peer().to_string();
      // Where the peer listens (identify) first: for an inbound connection the remote address
      // has an ephemeral port. Then the connection's own address, if it is not among them.
      for (const auto& a : c->remote_info().listen_addrs) v.addrs.push_back(a.to_string());
      const auto remote = c->remote_addr().to_string();
      if (std::find(v.addrs.begin(), v.addrs.end(), remote) == v.addrs.end()) {
        v.addrs.push_back(remote);
      }
      v.agent = c->remote_info().agent_version;
      if (auto rtt = c->last_rtt()) {
        v.rtt_ms = std::chrono::duration<double, std::milli>(*rtt).count();
      }
      if (auto it = connected_since_ms_.find(c->remote_peer()); it != connected_since_ms_.end()) {
        v.connected_since_ms = it->second;
      }
      if (auto it = counters.find(c->remote_peer()); it != counters.end()) {
        v.entries_served = it->second.served;
        v.entries_received = it->second.received;
      }
      if (auto it = found_by_.find(c->remote_peer()); it != found_by_.end())
        v.found_by = it->second;
      v.relayed = c->relayed();
      s.peers.push_back(std::move(v));
    }
  }
  s.relay_mode = std::string(to_string(options_.p2p.relay));
  if (relay_server_) {
    const auto st = relay_server_->stats();
    s.relay_serving = relay_server_->running();
    s.relay_reservations = st.reservations;
    s.relay_circuits = st.circuits;
    s.relay_circuits_opened = st.counters.circuits_opened;
  }
  if (relay_client_ && host_) {
    for (const auto& r : relay_client_->reservations()) {
      RelayReservationView v;
      v.relay = r.relay.to_string();
      v.expires_ms = static_cast<std::int64_t>(r.expire) * 1000;
      for (const auto& a : r.circuit_addrs) {
        v.circuit_addrs.push_back(a.with_peer_id(host_->peer_id()).to_string());
      }
      s.relay_reservations_held.push_back(std::move(v));
    }
  }
  if (registry_service_) {
    s.registry_repo = options_.registry->repo;
    s.registry_error = registry_service_->last_error();
    for (const auto& p : registry_service_->peers()) {
      RegistryPeerView r;
      r.peer_id = p.peer_id.to_string();
      r.runner_name = p.record.runner_name;
      r.listen_port = p.record.listen_port;
      r.last_seen = iso8601_utc(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    p.record.last_seen.time_since_epoch())
                                    .count());
      r.multiaddr = p.record.multiaddr;
      r.connected = host_ && host_->connection(p.peer_id) != nullptr;
      s.registry_peers.push_back(std::move(r));
    }
  }
  if (sharing_) {
    const auto st = sharing_->stats();
    s.bytes_in = st.bytes_in;
    s.bytes_out = st.bytes_out;
    if (gossip_) {
      const auto g = gossip_->stats();
      s.bytes_in += g.router.bytes_in;
      s.bytes_out += g.router.bytes_out;
    }
    s.announcements_sent = st.announcements_sent;
    s.announcements_received = st.announcements_received;
    s.entries_rejected = st.rejected;
    s.swarm_members = st.members;
    s.requests_forwarded = st.forwarded;
    s.owners_unreachable = st.owner_unreachable;
    s.on_demand_dials = st.on_demand_dials;
    s.pulled_from_owner = st.pulled_from_owner;
    s.pulled_from_successor = st.pulled_from_successor;
    s.taken_back = st.taken_back;
    s.fetched_for_peers = st.served_upstream;
  }
  std::lock_guard lock(status_mutex_);
  status_ = std::move(s);
}

P2pStatus SwarmNode::p2p_status() {
  std::lock_guard lock(status_mutex_);
  return status_;
}

void SwarmNode::stop() {
  if (stopping_) return;
  stopping_ = true;
  gateway_.set_sharing(nullptr);
  if (registry_service_) registry_service_->stop();
  if (mdns_) mdns_->stop();
  if (gossip_) gossip_->stop();
  if (sharing_) sharing_->stop();
  if (relay_client_) relay_client_->stop();
  if (relay_server_) relay_server_->stop();
  if (host_) host_->close();
  refresh_status();
}

}  // namespace ipfsa::node
