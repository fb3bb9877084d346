// `ipfs-accelerate serve`: the node. Starts the libp2p host on CACHE_LISTEN_PORT (or the next free
// port up to +20), dials CACHE_BOOTSTRAP_PEERS with back-off, and runs until SIGINT/SIGTERM.
// Later issues add the cache, sharing and the dashboard here.
#include <boost/asio/signal_set.hpp>
#include <iostream>

#include "base/log.hpp"
#include "cli/common.hpp"
#include "node/config.hpp"
#include "p2p/host.hpp"

namespace ipfsa::cli {
namespace {

namespace asio = io::asio;

// Binds the default listeners on the first free port in [port, port + 20].
std::optional<std::uint16_t> listen_default(p2p::Host& host, std::uint16_t port) {
  for (int attempt = 0; attempt < node::kListenPortAttempts; ++attempt) {
    const int candidate = port + attempt;
    if (candidate > 65535) break;
    auto v4 = host.listen(*wire::Multiaddr::tcp("0.0.0.0", static_cast<std::uint16_t>(candidate)));
    if (!v4) {
      log::debug("port {} unavailable: {}", candidate, v4.error().message());
      continue;
    }
    // IPv6 is best effort: hosts without it still serve on IPv4.
    if (auto v6 = host.listen(*wire::Multiaddr::tcp("::", static_cast<std::uint16_t>(candidate))); !v6) {
      log::debug("no IPv6 listener on port {}: {}", candidate, v6.error().message());
    }
    if (attempt > 0) log::warn("port {} is busy; using port {}", port, candidate);
    return static_cast<std::uint16_t>(candidate);
  }
  return std::nullopt;
}

// Keeps one bootstrap peer connected: dial, wait for the disconnect, redial with back-off
// (1 s doubling to 60 s, reset after a connection that lasted).
io::Task<void> keep_connected(p2p::Host& host, wire::Multiaddr addr, const bool& stopping) {
  Duration backoff = std::chrono::seconds(1);
  while (!stopping) {
    auto connection = co_await host.dial(addr);
    if (connection) {
      backoff = std::chrono::seconds(1);
      while (!stopping && (*connection)->is_open()) {
        asio::steady_timer poll(co_await asio::this_coro::executor, std::chrono::seconds(1));
        co_await poll.async_wait(io::kNoThrow);
      }
    } else {
      log::info("bootstrap peer {} unreachable: {}; retrying in {} s", addr.to_string(),
                connection.error().message(),
                std::chrono::duration_cast<std::chrono::seconds>(backoff).count());
      asio::steady_timer pause(co_await asio::this_coro::executor, backoff);
      co_await pause.async_wait(io::kNoThrow);
      backoff = std::min<Duration>(backoff * 2, std::chrono::seconds(60));
    }
  }
}

}  // namespace

int run_serve(const ServeOptions& options) {
  log::init_from_env();
  auto config = node::load_p2p_config(node::process_env());
  if (!config) {
    log::error("{}", config.error);
    return 2;
  }
  auto identity = load_identity();
  if (!identity) return 1;
  std::optional<SecretBytes> psk;
  std::filesystem::path key_file =
      !options.swarm_key.empty() ? std::filesystem::path(options.swarm_key)
                                 : config.value->swarm_key_file.value_or(std::filesystem::path{});
  if (!key_file.empty()) {
    psk = load_swarm_key(key_file);
    if (!psk) return 2;
  }
  std::vector<wire::Multiaddr> bootstrap;
  for (const auto& text : config.value->bootstrap_peers) {
    auto ma = wire::Multiaddr::parse(text);
    if (!ma || !ma->peer_id()) {
      log::error("CACHE_BOOTSTRAP_PEERS: {} is not a multiaddr ending in /p2p/<peer id>", text);
      return 2;
    }
    bootstrap.push_back(*ma);
  }

  asio::io_context context;
  p2p::Host host(context, p2p::HostConfig{std::move(*identity), std::move(psk), agent_version()});
  std::uint16_t port = 0;
  if (options.listen.empty()) {
    auto bound = listen_default(host, config.value->listen_port);
    if (!bound) {
      log::error("no free port in {}..{}", config.value->listen_port,
                 config.value->listen_port + node::kListenPortAttempts - 1);
      return 1;
    }
    port = *bound;
  } else {
    for (const auto& text : options.listen) {
      auto ma = wire::Multiaddr::parse(text);
      if (!ma) {
        log::error("--listen {}: {}", text, ma.error().message());
        return 2;
      }
      auto bound = host.listen(*ma);
      if (!bound) {
        log::error("cannot listen on {}: {}", text, bound.error().message());
        return 1;
      }
      if (port == 0) port = bound->tcp_target()->port;
    }
  }
  log::info("P2P host started on port {}", port);
  log::info("peer ID {}{}", host.peer_id().to_string(), host.config().psk ? " (private network)" : "");
  for (const auto& a : host.listen_addrs()) {
    log::info("listening on {}", a.with_peer_id(host.peer_id()).to_string());
  }
  auto report = [&host](p2p::Connection&) {
    log::info("Connected to {} peer(s)", host.connections().size());
  };
  host.on_connect(report);
  host.on_disconnect([&host](p2p::Connection&) {
    // The closing connection is already out of the table.
    log::info("Connected to {} peer(s)", host.connections().size());
  });
  host.on_identify([](p2p::Connection& c) {
    log::debug("peer {} runs {}", c.remote_peer().to_string(), c.remote_info().agent_version);
  });

  bool stopping = false;
  for (const auto& addr : bootstrap) {
    asio::co_spawn(context, keep_connected(host, addr, stopping), asio::detached);
  }
  asio::signal_set signals(context, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    log::info("signal {}: shutting down", signal);
    stopping = true;
    host.close();
    context.stop();
  });
  context.run();
  return 0;
}

}  // namespace ipfsa::cli
