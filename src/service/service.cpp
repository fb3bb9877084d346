#include "service/service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "base/log.hpp"
#include "io/asio.hpp"
#include "mcp/http_transport.hpp"
#include "service/assets.hpp"
#include "service/http_server.hpp"
#include "service/proxy.hpp"
#include "service/security.hpp"

namespace ipfsa::service {
namespace {

namespace asio = io::asio;

std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_get(std::string_view method) { return method == "GET" || method == "HEAD"; }

// Where links back to the proxy point: gh's absolute-form requests for api.*.localhost have the
// API at the root; everyone else at /api/v3.
std::string proxy_base(const HttpRequest& request, const HttpRoute& route) {
  const bool gh_mode = !std::string_view(request.target).starts_with("/") &&
                       route.base.starts_with("http://api.") &&
                       route.base.find(".localhost") != std::string::npos;
  return gh_mode ? route.base : route.base + std::string(kRestPrefix);
}

HttpResponse method_not_allowed(std::string_view allow) {
  auto r = github_error(405, "Method Not Allowed");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

HttpResponse rejected(int status, std::string_view message) {
  auto r = github_error(status, message);
  r.close = true;
  return r;
}

// "/a/b?c" -> "/a/b".
std::string_view path_only(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

bool under(std::string_view path, std::string_view prefix) {
  return path == prefix ||
         (path.starts_with(prefix) && (path[prefix.size()] == '/' || path[prefix.size()] == '?'));
}

}  // namespace

struct Service::Sampler {
  explicit Sampler(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  bool stopped = false;
};

Service::Service(asio::io_context& io, node::ServiceBackend& backend, mcp::HttpEndpoint* mcp,
                 ServiceConfig config)
    : io_(io),
      backend_(backend),
      mcp_(mcp),
      config_(std::move(config)),
      loopback_(is_loopback_address(config_.host)),
      history_(kHistoryPoints, config_.history_interval.count()) {}

Service::~Service() {
  stop();
  server_.reset();  // joins the worker pool: no handler runs past this point
}

Result<ListenAddress> Service::start() {
  if (!loopback_ && !config_.token) return Error::invalid_state;
  HttpHandlers handlers;
  handlers.route = [this](const HttpRequest& head) { return route(head); };
  handlers.handle = [this](const HttpRequest& request, const HttpRoute& r) {
    return handle(request, r);
  };
  handlers.try_inline = [this](const HttpRequest& request, const HttpRoute& r) {
    return try_fresh_hit(request, r);
  };
  server_ = std::make_unique<HttpServer>(io_, config_.limits, std::move(handlers), metrics_);
  auto bound = server_->listen(config_.host, config_.port);
  if (!bound) return bound.error();
  const ListenAddress where = *bound;
  log::info("dashboard and API on {}", where.url());
  if (!loopback_) log::info("dashboard: non-loopback address; every API route requires the token");

  // The history: one sample now, then one every interval (snapshots only: no network call).
  sampler_ = std::make_shared<Sampler>(io_);
  history_.add(epoch_ms(), backend_.cache_stats());
  asio::co_spawn(
      io_,
      [](std::shared_ptr<Sampler> sampler, Service* self,
         std::chrono::seconds interval) -> io::Task<void> {
        while (!sampler->stopped) {
          sampler->timer.expires_after(interval);
          auto [ec] = co_await sampler->timer.async_wait(io::kNoThrow);
          if (ec || sampler->stopped) co_return;
          self->history_.add(epoch_ms(), self->backend_.cache_stats());
        }
      }(sampler_, this, config_.history_interval),
      asio::detached);
  return where;
}

void Service::stop() {
  if (sampler_) {
    sampler_->stopped = true;
    sampler_->timer.cancel();
  }
  if (server_) server_->stop();
}

bool Service::authorized(const HttpRequest& request) const {
  if (!config_.token) return true;
  if (auto own = request.header("x-ipfsa-token"); !own.empty()) {
    return token_matches(own, *config_.token);
  }
  auto credential = authorization_credential(request.header("authorization"));
  return credential && token_matches(*credential, *config_.token);
}

std::optional<SecretBytes> Service::upstream_token(const HttpRequest& request) const {
  auto credential = authorization_credential(request.header("authorization"));
  if (!credential) return std::nullopt;
  // The service's own token authenticates to us; it never goes to GitHub.
  if (config_.token && token_matches(*credential, *config_.token)) return std::nullopt;
  return SecretBytes(
      std::span(reinterpret_cast<const std::uint8_t*>(credential->data()), credential->size()));
}

HttpRoute Service::route(const HttpRequest& head) {
  HttpRoute r;
  std::string authority(head.header("host"));
  std::string path = head.target;
  bool gh_mode = false;
  if (!path.empty() && path.front() != '/') {
    // Absolute form (RFC 9112 §3.2.2): http://authority/path.
    constexpr std::string_view kHttp = "http://";
    if (!path.starts_with(kHttp)) {
      r.answer = rejected(400, "Bad Request");
      return r;
    }
    auto slash = path.find('/', kHttp.size());
    authority = path.substr(kHttp.size(),
                            slash == std::string::npos ? std::string::npos : slash - kHttp.size());
    path = slash == std::string::npos ? std::string("/") : path.substr(slash);
    auto name = host_name(authority);
    gh_mode = name && name->starts_with("api.") && name->ends_with(".localhost");
  }
  if (authority.empty() && head.version >= 11) {
    r.answer = rejected(400, "Missing Host header");
    return r;
  }
  if (loopback_ && !is_local_host_header(authority)) {
    r.answer =
        rejected(421, "This service answers only to localhost names (DNS rebinding defence)");
    metrics_.reject(Rejection::forbidden);
    return r;
  }
  if (auto origin = head.header("origin"); !origin.empty() && !is_same_origin(origin, authority)) {
    metrics_.reject(Rejection::forbidden);
    r.answer = rejected(403, "Cross-origin requests are not accepted");
    return r;
  }
  r.base = "http://" + authority;
  if (gh_mode) {
    const auto p = path_only(path);
    path = (p == "/graphql") ? std::string(kGraphqlPath) : std::string(kRestPrefix) + path;
  }
  r.path = path;
  const auto p = path_only(path);
  if (p == "/" || p == "/index.html" || p.starts_with("/assets/") || p == "/favicon.ico") {
    r.route_class = RouteClass::page;
    if (!is_get(head.method)) r.answer = method_not_allowed("GET, HEAD");
    return r;  // the page never needs the token
  }
  if (p == "/healthz") {
    r.route_class = RouteClass::health;
  } else if (p == "/metrics") {
    r.route_class = RouteClass::metrics;
  } else if (p.starts_with("/api/mcp/")) {
    r.route_class = RouteClass::api;
  } else if (under(p, kRestPrefix)) {
    r.route_class = RouteClass::proxy;
    r.blocking = true;
    r.max_body = config_.limits.max_proxy_body_bytes;
  } else if (p == kGraphqlPath) {
    r.route_class = RouteClass::graphql;
    r.blocking = true;
    r.max_body = config_.limits.max_proxy_body_bytes;
  } else if (p == "/mcp") {
    r.route_class = RouteClass::mcp;
    r.blocking = true;
  } else {
    r.route_class = RouteClass::other;
  }
  r.max_body = std::min(r.max_body,
                        r.route_class == RouteClass::proxy || r.route_class == RouteClass::graphql
                            ? config_.limits.max_proxy_body_bytes
                            : config_.limits.max_body_bytes);
  if (!authorized(head)) {
    metrics_.reject(Rejection::unauthorized);
    auto answer = rejected(401, "Requires authentication");
    answer.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"ipfs-accelerate\"");
    r.answer = std::move(answer);
  }
  return r;
}

HttpResponse Service::handle(const HttpRequest& request, const HttpRoute& route) {
  const auto p = path_only(route.path);
  HttpResponse response;
  switch (route.route_class) {
    case RouteClass::page:
      response = serve_asset(request, p);
      break;
    case RouteClass::health:
      response = is_get(request.method) ? HttpResponse::json(200, "{\"status\":\"ok\"}")
                                        : method_not_allowed("GET, HEAD");
      break;
    case RouteClass::metrics:
      if (!is_get(request.method)) {
        response = method_not_allowed("GET, HEAD");
      } else {
        response =
            HttpResponse::text(200, metrics_.render(backend_.cache_stats(), backend_.p2p_status()),
                               "text/plain; version=0.0.4; charset=utf-8");
      }
      break;
    case RouteClass::api:
      if (!is_get(request.method)) {
        response = method_not_allowed("GET, HEAD");
      } else if (p == "/api/mcp/peers") {
        response = HttpResponse::json(200, peers_json(backend_.p2p_status(), epoch_ms()));
      } else if (p == "/api/mcp/cache/stats") {
        response = HttpResponse::json(
            200, cache_stats_json(backend_.cache_stats(), backend_.p2p_status()));
      } else if (p == "/api/mcp/cache/history") {
        response = HttpResponse::json(200, history_.to_json());
      } else {
        response = github_error(404, "Not Found");
      }
      break;
    case RouteClass::proxy:
      response = proxy_rest(request, route);
      break;
    case RouteClass::graphql:
      response =
          request.method == "POST" ? proxy_graphql(request, route) : method_not_allowed("POST");
      break;
    case RouteClass::mcp:
      response = call_mcp(request);
      break;
    case RouteClass::other:
      response = github_error(404, "Not Found");
      break;
  }
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

HttpResponse Service::serve_asset(const HttpRequest& request, std::string_view path) const {
  std::string_view name;
  if (path == "/" || path == "/index.html") {
    name = "index.html";
  } else if (path == "/favicon.ico") {
    name = find_asset("favicon.ico") ? "favicon.ico" : "favicon.svg";
  } else {
    name = path.substr(std::string_view("/assets/").size());
  }
  const EmbeddedAsset* asset = find_asset(name);
  if (asset == nullptr) {
    if (name == "index.html") {
      auto r = HttpResponse::text(200, std::string(fallback_page()), "text/html; charset=utf-8");
      r.headers.emplace_back("Cache-Control", "no-cache");
      return r;
    }
    return HttpResponse::text(404, "Not Found\n");
  }
  HttpResponse r;
  r.headers.emplace_back("Content-Type", std::string(content_type_for(asset->name)));
  r.headers.emplace_back("ETag", std::string(asset->etag));
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // The page loads only its own script, style and images and talks only to this origin (the
  // dashboard's tests run it under exactly this policy).
  r.headers.emplace_back("Content-Security-Policy", std::string(kDashboardCsp));
  if (request.header("if-none-match") == asset->etag) {
    r.status = 304;
    return r;
  }
  // The asset bytes live in the binary: share them without a copy per request would need a
  // non-owning body; assets are small, so one copy per response is fine.
  r.body = std::make_shared<const std::string>(asset->body);
  return r;
}

std::optional<HttpResponse> Service::try_fresh_hit(const HttpRequest& request,
                                                   const HttpRoute& route) {
  if (route.route_class != RouteClass::proxy || !is_get(request.method)) return std::nullopt;
  std::string_view rest = std::string_view(route.path).substr(kRestPrefix.size());
  if (rest.empty()) rest = "/";
  auto& gateway = backend_.gateway();
  auto answer = gateway.fresh_hit(rest, upstream_accept(request));
  if (!answer) return std::nullopt;
  auto response = answer_response(request, *answer, gateway.client().config().api_url,
                                  proxy_base(request, route));
  response.add_header_line("X-Content-Type-Options", "nosniff");
  return response;
}

HttpResponse Service::proxy_rest(const HttpRequest& request, const HttpRoute& route) {
  std::string_view rest = std::string_view(route.path).substr(kRestPrefix.size());
  if (rest.empty() || rest.front() == '?') {
    rest = rest.empty() ? std::string_view("/") : rest;
  }
  auto call = rest_call(request, rest, upstream_token(request));
  auto& gateway = backend_.gateway();
  auto answer = gateway.rest(call);
  if (!answer) {
    log::debug("proxy {} {}: {}", request.method, path_only(rest), answer.error().message());
    return gateway_error(answer.error(), gateway.client().retry_after());
  }
  return answer_response(request, *answer, gateway.client().config().api_url,
                         proxy_base(request, route));
}

HttpResponse Service::proxy_graphql(const HttpRequest& request, const HttpRoute& route) {
  auto call = graphql_call(request, upstream_token(request));
  if (!call) {
    return github_error(400, call.error() == Error::too_large
                                 ? "GraphQL query or variables too large"
                                 : "Problems parsing JSON: expected {\"query\": \"...\"}");
  }
  auto& gateway = backend_.gateway();
  auto answer = gateway.graphql(*call);
  if (!answer) return gateway_error(answer.error(), gateway.client().retry_after("graphql"));
  return answer_response(request, *answer, gateway.client().config().api_url,
                         route.base + std::string(kRestPrefix));
}

HttpResponse Service::call_mcp(const HttpRequest& request) {
  if (mcp_ != nullptr) {
    mcp::HttpExchange exchange;
    exchange.method = request.method;
    exchange.headers = request.headers;
    exchange.body = request.body;
    auto reply = mcp_->handle(exchange);
    HttpResponse response;
    response.status = reply.status;
    for (auto& [name, value] : reply.headers) {
      // The MCP engine must not open CORS: same-origin only, whatever it says.
      if (name.size() == 27 && (name[0] == 'a' || name[0] == 'A') &&
          name.find("llow-origin") != std::string::npos) {
        continue;
      }
      response.headers.emplace_back(std::move(name), std::move(value));
    }
    response.body = std::make_shared<const std::string>(std::move(reply.body));
    return response;
  }
  return github_error(404, "No MCP endpoint on this node");
}

}  // namespace ipfsa::service
