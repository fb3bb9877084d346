// The node's HTTP service: dashboard page, JSON API, GitHub-compatible proxy, MCP over HTTP,
// /metrics and /healthz on one HttpServer (docs/service.md).
//
//   GET  /, /assets/<file>                 dashboard (embedded; never needs the token)
//   GET  /api/mcp/peers                    json_api.hpp
//   GET  /api/mcp/cache/stats              json_api.hpp
//   GET  /api/mcp/cache/history            StatsHistory, sampled every history_interval
//   GET  /metrics                          Prometheus text 0.0.4 (metrics.hpp)
//   GET  /healthz                          {"status":"ok"}
//   *    /api/v3/<path>, POST /api/graphql GitHub-compatible proxy (proxy.hpp)
//   POST/GET/DELETE /mcp                   mcp::HttpEndpoint (404 when none is given)
// Absolute-form requests for http://api.<name>.localhost/<path> (Debian's gh with
// GH_HOST=github.localhost and HTTP_PROXY at this service) are served as /api/v3/<path> and
// /graphql as /api/graphql.
//
// Lifetime: `backend` and `mcp` outlive the Service. Threading: the io_context is run by one
// thread; start() and stop() are called on it (or while it is not running). Blocking work
// (gateway, MCP) runs on the server's worker pool.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "node/service_backend.hpp"
#include "service/config.hpp"
#include "service/http_message.hpp"
#include "service/json_api.hpp"
#include "service/metrics.hpp"

namespace boost::asio {
class io_context;
}

namespace ipfsa::mcp {
class HttpEndpoint;
}

namespace ipfsa::service {

struct HttpRoute;  // service/http_server.hpp (which brings Asio: kept out of this header)
class HttpServer;

inline constexpr std::string_view kDashboardCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

class Service {
 public:
  Service(boost::asio::io_context& io, node::ServiceBackend& backend, mcp::HttpEndpoint* mcp,
          ServiceConfig config);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Binds config.host:config.port and starts serving and sampling the history. Errors:
  // io_failure (port in use, address not on this machine), invalid_state (a non-loopback
  // address without a token: load_service_config() refuses that too).
  Result<ListenAddress> start();
  // Stops accepting, closes every connection and the history timer. Idempotent.
  void stop();

  // The routes as pure functions (the server calls them; tests may too).
  HttpRoute route(const HttpRequest& head);  // counts refusals
  HttpResponse handle(const HttpRequest& request, const HttpRoute& route);
  // A fresh cache hit for a proxied GET/HEAD, answered without the worker pool (the lookup is
  // in memory or one local store read); nullopt otherwise.
  std::optional<HttpResponse> try_fresh_hit(const HttpRequest& request, const HttpRoute& route);

  const Metrics& metrics() const noexcept { return metrics_; }
  StatsHistory& history() noexcept { return history_; }

 private:
  struct Sampler;
  HttpResponse serve_asset(const HttpRequest& request, std::string_view path) const;
  HttpResponse proxy_rest(const HttpRequest& request, const HttpRoute& route);
  HttpResponse proxy_graphql(const HttpRequest& request, const HttpRoute& route);
  HttpResponse call_mcp(const HttpRequest& request);
  std::optional<SecretBytes> upstream_token(const HttpRequest& request) const;
  bool authorized(const HttpRequest& request) const;

  boost::asio::io_context& io_;
  node::ServiceBackend& backend_;
  mcp::HttpEndpoint* mcp_;
  ServiceConfig config_;
  bool loopback_;
  Metrics metrics_;
  StatsHistory history_;
  std::unique_ptr<HttpServer> server_;
  std::shared_ptr<Sampler> sampler_;
};

}  // namespace ipfsa::service
