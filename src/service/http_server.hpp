// The HTTP/1.1 server every route runs on (Boost.Beast on the node's io_context, C++20
// coroutines). One coroutine per connection reads a request, routes it, answers, and loops while
// keep-alive holds. What it guarantees (docs/service.md, "Limits"):
//
// - Request line + headers <= HttpLimits::max_header_bytes (431), read within header_timeout of
//   the first byte (408); a body <= the route's limit (413) within body_timeout (408); malformed
//   requests get 400. Each of these answers carries "Connection: close" and ends the connection.
// - An idle keep-alive connection is closed after idle_timeout; a response must be written within
//   write_timeout. At most max_connections are open. When a newcomer finds them all taken, the
//   connection that has been in its request header longest (a fresh connection that has not
//   finished its first header, or a keep-alive one inside its next) is closed to make room, so
//   stalled clients cannot lock new ones out; only when no connection is in its header is the
//   newcomer answered 503. Making room is logged once per burst (kEvictionLogQuiet).
// - Routes that block (HttpRoute::blocking: gateway, MCP) run on a pool of kWorkerThreads threads
//   and the connection resumes on its io_context afterwards, so a slow upstream or a slow client
//   never holds up other connections.
// - Response headers whose name or value contain CR, LF or NUL are dropped (no header injection
//   from cached or upstream values). HEAD answers carry Content-Length but no body.
//
// Threading: REQUIRES the io_context to be run by one thread. listen() and stop() are called on
// that thread (or before it runs / after it stopped). route() runs on the io thread; handle() on
// the io thread or, for blocking routes, on a pool thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "service/config.hpp"
#include "service/http_message.hpp"
#include "service/metrics.hpp"

namespace boost::asio {
class io_context;
}

namespace ipfsa::service {

// Closing connections to make room is logged once, then again only after this long without.
inline constexpr Duration kEvictionLogQuiet = std::chrono::seconds(10);

struct HttpRoute {
  RouteClass route_class = RouteClass::other;
  std::size_t max_body = kMaxBodyBytes;
  bool blocking = false;
  std::optional<HttpResponse> answer;  // set: answer now, before reading the body, and close
  std::string path;  // origin-form target the handler serves (absolute-form requests mapped)
  std::string base;  // "http://<authority>" the client addressed (for links back to us)
};

struct HttpHandlers {
  // After the header, before the body (request.body is empty).
  std::function<HttpRoute(const HttpRequest& head)> route;
  // The full request. Must not throw (a throw becomes a 500).
  std::function<HttpResponse(const HttpRequest& request, const HttpRoute& route)> handle;
  // Optional, for blocking routes: an answer that can be given on the io thread without
  // blocking (e.g. a fresh cache hit), or nullopt to run handle() on the worker pool.
  std::function<std::optional<HttpResponse>(const HttpRequest& request, const HttpRoute& route)>
      try_inline;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpLimits limits, HttpHandlers handlers,
             Metrics& metrics);
  ~HttpServer();  // stops, then waits for running blocking handlers
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Errors: io_failure (address in use, bad address).
  Result<ListenAddress> listen(const std::string& host, std::uint16_t port);
  // Closes the listener and every connection. Idempotent.
  void stop();

  struct State;  // the implementation's (public only so its helpers can name it)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ipfsa::service
