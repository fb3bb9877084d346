// `ipfs-accelerate serve` (also `dashboard`): the node, and the one composition root. Wires the
// cache engine and GitHub client into the swarm (node::SwarmNode: libp2p host, sharing, gossip,
// bootstrap, mDNS, registry) and the service surface (service::Service: dashboard, JSON API,
// proxy, /metrics, MCP over HTTP), then runs until SIGINT/SIGTERM.
#include <boost/asio/signal_set.hpp>
#include <iostream>

#include "base/log.hpp"
#include "cli/common.hpp"
#include "discovery/registry/settings.hpp"
#include "io/asio.hpp"
#include "mcp/http_transport.hpp"
#include "mcp/server.hpp"
#include "node/config.hpp"
#include "node/local_github.hpp"
#include "node/swarm_node.hpp"
#include "service/config.hpp"
#include "service/service.hpp"
#include "share/swarm.hpp"

namespace ipfsa::cli {
namespace {

namespace asio = io::asio;

// Everything from the environment and flags, checked before anything starts.
struct ServeSetup {
  node::SwarmOptions swarm;
  service::ServiceConfig service;
};

std::optional<ServeSetup> configure(const ServeOptions& options) {
  const auto env = process_env();
  ServeSetup setup;
  auto p2p = node::load_p2p_config(env);
  if (!p2p) {
    log::error("{}", p2p.error());
    return std::nullopt;
  }
  setup.swarm.p2p = std::move(*p2p);
  setup.swarm.listen = options.listen;
  setup.swarm.agent_version = agent_version();
  const std::filesystem::path key_file =
      !options.swarm_key.empty() ? std::filesystem::path(options.swarm_key)
                                 : setup.swarm.p2p.swarm_key_file.value_or(std::filesystem::path{});
  if (!key_file.empty()) {
    setup.swarm.swarm_key_file_psk = load_swarm_key(key_file);
    if (!setup.swarm.swarm_key_file_psk) return std::nullopt;
  }
  auto secret = share::swarm_secret_from_env(env);
  if (!secret) {
    log::error("{}", secret.error());
    return std::nullopt;
  }
  setup.swarm.secret = std::move(*secret);
  auto registry = registry::registry_settings_from_env(env);
  if (!registry) {
    log::error("peer registry configuration (IPFS_ACCELERATE_GITHUB_REPO, GITHUB_REPOSITORY, "
               "RUNNER_NAME, IPFS_ACCELERATE_PUBLIC_IP): {}",
               registry.error().message());
    return std::nullopt;
  }
  setup.swarm.registry = std::move(*registry);
  auto service = service::load_service_config(env, options.dashboard_host, options.dashboard_port);
  if (!service) {
    log::error("{}", service.error());
    return std::nullopt;
  }
  setup.service = std::move(*service);
  return setup;
}

}  // namespace

int run_serve(const ServeOptions& options) {
  log::init_from_env();
  auto setup = configure(options);
  if (!setup) return 2;
  auto identity = load_identity();
  if (!identity) return 1;
  auto github = node::open_local_github(node::LocalNeed::client);
  if (!github) {
    std::cerr << "error: " << github.error() << "\n";
    return 1;
  }

  asio::io_context context;
  node::SwarmNode swarm(context, std::move(*identity), *github->cache, *github->client,
                        std::move(setup->swarm));
  mcp::Server mcp_server(swarm, mcp::ServerInfo{"ipfs-accelerate", std::string(kVersion)});
  mcp::HttpEndpoint mcp_endpoint(mcp_server);
  service::Service service(context, swarm, &mcp_endpoint, setup->service);

  int exit_code = 0;
  asio::signal_set signals(context, SIGINT, SIGTERM);
  auto shutdown = [&] {
    service.stop();
    swarm.stop();
    context.stop();
  };
  asio::post(context, [&] {
    if (auto error = swarm.start()) {
      // The dashboard still runs and shows the reason.
      log::error("P2P: {}", *error);
    }
    auto bound = service.start();
    if (!bound) {
      log::error("dashboard: cannot serve on {}:{}: {}", setup->service.host, setup->service.port,
                 bound.error().message());
      exit_code = 1;
      shutdown();
      return;
    }
    (void)bound;  // the service logs where it listens
  });
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    log::info("signal {}: shutting down", signal);
    shutdown();
  });
  context.run();
  return exit_code;
}

}  // namespace ipfsa::cli
