// service_testbed: the HTTP service over a real gateway, without a libp2p host, for the node:test
// suites in tests/service/ and bench/service/run.sh. The cache and the GitHub client come from
// the environment as for `ipfs-accelerate api` (CACHE_DIR, GITHUB_API_URL, GITHUB_GRAPHQL_URL,
// GH_TOKEN, ...); the service from load_service_config() (--host, --port,
// IPFS_ACCELERATE_DASHBOARD_*). P2P shows as disabled; /mcp is the MCP engine over the same
// backend.
//
//   service_testbed [--host ADDR] [--port N]
// Prints one JSON line when listening: {"event":"listening","url":"http://127.0.0.1:PORT"}, then
// serves until SIGINT/SIGTERM.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "base/log.hpp"
#include "cache/config.hpp"
#include "github/config.hpp"
#include "mcp/http_transport.hpp"
#include "service/service.hpp"

namespace {

using namespace ipfsa;

class TestbedBackend final : public node::ServiceBackend {
 public:
  TestbedBackend(cache::GitHubAPICache& cache, node::GitHubGateway& gateway)
      : cache_(cache), gateway_(gateway) {}
  node::P2pStatus p2p_status() override {
    node::P2pStatus status;
    status.status = "disabled (service testbed: no libp2p host)";
    return status;
  }
  cache::CacheStats cache_stats() override { return cache_.stats(); }
  node::GitHubGateway& gateway() override { return gateway_; }

 private:
  cache::GitHubAPICache& cache_;
  node::GitHubGateway& gateway_;
};

}  // namespace

int main(int argc, char** argv) {
  log::init_from_env();
  std::optional<std::string> host;
  std::optional<std::string> port;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--host") {
      host = argv[i + 1];
    } else if (flag == "--port") {
      port = argv[i + 1];
    } else {
      std::cerr << "usage: service_testbed [--host ADDR] [--port N]\n";
      return 2;
    }
  }
  auto config = service::load_service_config(process_env(), host, port);
  if (!config) {
    std::cerr << "error: " << config.error() << "\n";
    return 2;
  }
  auto cache_config = cache::Config::from_env(process_env());
  if (!cache_config) {
    std::cerr << "error: cache: " << cache_config.error() << "\n";
    return 2;
  }
  auto cache = cache::GitHubAPICache::open(*cache_config);
  if (!cache) {
    std::cerr << "error: cache: " << cache.error() << "\n";
    return 1;
  }
  auto client_config = github::config_from_process_env();
  if (!client_config) {
    std::cerr << "error: GitHub client configuration: " << client_config.error().message() << "\n";
    return 2;
  }
  auto client = github::Client::create(std::move(*client_config));
  if (!client) {
    std::cerr << "error: GitHub client: " << client.error().message() << "\n";
    return 1;
  }
  node::GitHubGateway gateway(**cache, **client);
  TestbedBackend backend(**cache, gateway);

  boost::asio::io_context io;
  mcp::Server mcp_server(backend, mcp::ServerInfo{});
  mcp::HttpEndpoint mcp_endpoint(mcp_server);
  service::Service service(io, backend, &mcp_endpoint, std::move(*config));
  auto bound = service.start();
  if (!bound) {
    std::cerr << "error: cannot start the service: " << bound.error().message() << "\n";
    return 1;
  }
  const std::string url = bound->url();
  std::printf("{\"event\":\"listening\",\"url\":\"%s\"}\n", url.c_str());
  std::fflush(stdout);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { service.stop(); });
  io.run();
  return 0;
}
