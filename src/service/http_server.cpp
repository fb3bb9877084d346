#include "service/http_server.hpp"

#include <array>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <unordered_set>

#include "base/ascii.hpp"
#include "base/log.hpp"
#include "io/asio.hpp"

namespace ipfsa::service {
namespace {

namespace asio = io::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using io::kNoThrow;
using io::Task;
using io::tcp;

inline constexpr std::size_t kReadChunk = 16 * 1024;
// After an error answer: how long and how much we keep reading (and discarding) so that closing
// does not reset the connection before the client has read the answer.
inline constexpr Duration kLingerTime = std::chrono::seconds(1);
inline constexpr std::size_t kLingerBytes = 1024 * 1024;

bool has_body(int status) { return status >= 200 && status != 204 && status != 304; }

std::string head_text(const HttpResponse& r, std::size_t length, bool close) {
  std::string out;
  out.reserve(160 + r.header_lines.size());
  out += "HTTP/1.1 ";
  out += std::to_string(r.status);
  out += ' ';
  auto reason = http::obsolete_reason(static_cast<http::status>(r.status));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  for (const auto& [name, value] : r.headers) {
    if (name.empty() || !header_safe(name) || !header_safe(value)) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += r.header_lines;
  if (has_body(r.status)) {
    out += "Content-Length: ";
    out += std::to_string(length);
    out += "\r\n";
  }
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

HttpResponse error_answer(int status, std::string_view message) {
  std::string body = "{\"message\":\"";
  body += message;
  body += "\"}";
  auto r = HttpResponse::json(status, std::move(body));
  r.close = true;
  return r;
}

}  // namespace

namespace {
struct Connection;
}

struct HttpServer::State {
  State(asio::io_context& context, HttpLimits l, HttpHandlers h, Metrics& m)
      : io(context), limits(l), handlers(std::move(h)), metrics(m), pool(kWorkerThreads) {}

  asio::io_context& io;
  HttpLimits limits;
  HttpHandlers handlers;
  Metrics& metrics;
  asio::thread_pool pool;
  std::optional<tcp::acceptor> acceptor;
  std::unordered_set<Connection*> open;
  std::uint64_t next_header_seq = 0;  // orders connections by when their header began
  std::optional<std::chrono::steady_clock::time_point> last_eviction;
  bool stopped = false;
};

namespace {

using State = HttpServer::State;

// A connection's socket and its deadline. Beast's tcp_stream closes the socket when a deadline
// passes, which would leave no way to answer 408; here the watchdog cancels the pending operation
// instead (it completes with operation_aborted and `expired` set) and the socket stays usable.
struct Connection {
  using TimerClock = asio::steady_timer::clock_type;
  explicit Connection(tcp::socket s)
      : socket(std::move(s)), timer(socket.get_executor(), asio::steady_timer::time_point::max()) {}
  tcp::socket socket;
  asio::steady_timer timer;
  asio::steady_timer::time_point deadline = asio::steady_timer::time_point::max();
  bool expired = false;
  bool done = false;
  // Waiting for (the rest of) a request header: a fresh connection until its first header is
  // complete, a keep-alive one from the first byte of its next request. Such a connection is
  // closed, oldest header_seq first, to make room when the server is full.
  bool in_header = true;
  std::uint64_t header_seq = 0;

  // Sets the deadline of what follows. The timer is only touched to move it earlier: a later
  // deadline is picked up when the timer fires, so a keep-alive request costs no timer operation
  // in the steady state.
  void expires_after(Duration d) {
    expired = false;
    deadline = TimerClock::now() + d;
    if (deadline < timer.expiry()) timer.expires_at(deadline);  // wakes the watchdog
  }
  void disarm() { deadline = asio::steady_timer::time_point::max(); }
  void close() {
    done = true;
    timer.cancel();
    boost::system::error_code ignored;
    socket.close(ignored);
  }
};

// Registers a connection for stop(), for make_room() and the connection gauge.
class Tracked {
 public:
  Tracked(State& state, Connection* stream) : state_(state), stream_(stream) {
    state_.open.insert(stream_);
    state_.metrics.connection_opened();
  }
  ~Tracked() {
    state_.open.erase(stream_);  // a no-op when make_room() took it out already
    state_.metrics.connection_closed();
  }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;

 private:
  State& state_;
  Connection* stream_;
};

void begin_header(State& state, Connection& c) {
  c.in_header = true;
  c.header_seq = state.next_header_seq++;
}

// The server is full and `newcomer` is one too many: closes the connection that has been in its
// request header longest (a slow or stalled client), so that the newcomer need not be refused.
// False when no other connection is in its header (all are being served, or idle between
// keep-alive requests): the newcomer is then answered 503.
bool make_room(State& state, Connection* newcomer) {
  Connection* victim = nullptr;
  for (Connection* c : state.open) {
    if (c == newcomer || !c->in_header || c->done) continue;
    if (!victim || c->header_seq < victim->header_seq) victim = c;
  }
  if (!victim) return false;
  const auto now = std::chrono::steady_clock::now();
  if (!state.last_eviction || now - *state.last_eviction >= kEvictionLogQuiet) {
    log::warn(
        "http: {} connections open (the limit): closing the oldest ones still in their request "
        "header to admit new clients (a slow-header flood?); not logged again until {} s "
        "without one",
        state.limits.max_connections,
        std::chrono::duration_cast<std::chrono::seconds>(kEvictionLogQuiet).count());
  }
  state.last_eviction = now;
  state.metrics.reject(Rejection::busy);
  state.open.erase(victim);  // its session ends at its next resumption
  victim->close();
  return true;
}

Task<void> watchdog(std::shared_ptr<Connection> c) {
  while (!c->done) {
    co_await c->timer.async_wait(kNoThrow);
    if (c->done) co_return;
    if (c->deadline <= Connection::TimerClock::now()) {
      c->expired = true;
      c->deadline = asio::steady_timer::time_point::max();
      boost::system::error_code ignored;
      c->socket.cancel(ignored);
    }
    c->timer.expires_at(c->deadline);
  }
}

HttpResponse call_handle(State& state, const HttpRequest& request, const HttpRoute& route) {
  try {
    return state.handlers.handle(request, route);
  } catch (const std::exception& e) {
    log::error("http: handler for {} {} failed: {}", request.method, request.target, e.what());
  } catch (...) {
    log::error("http: handler for {} {} failed", request.method, request.target);
  }
  return error_answer(500, "Internal Server Error");
}

Task<bool> write_response(State& state, Connection& stream, const HttpResponse& response,
                          bool head_only, bool close) {
  const std::size_t length = response.body ? response.body->size() : 0;
  const std::string head = head_text(response, length, close);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::const_buffer{}};
  if (!head_only && length > 0 && has_body(response.status)) {
    buffers[1] = asio::buffer(*response.body);
  }
  stream.expires_after(state.limits.write_timeout);
  auto [ec, n] = co_await asio::async_write(stream.socket, buffers, kNoThrow);
  co_return !ec && !stream.expired;
}

// Half-closes, then reads and discards what the client still sends (bounded), then closes.
Task<void> linger_close(Connection& stream) {
  boost::system::error_code ignored;
  stream.socket.shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(kLingerTime);
  std::array<char, 4096> sink;
  std::size_t drained = 0;
  while (drained < kLingerBytes) {
    auto [ec, n] = co_await stream.socket.async_read_some(asio::buffer(sink), kNoThrow);
    if (ec) break;
    drained += n;
  }
  stream.close();
}

Task<void> reject(State& state, Connection& stream, Rejection reason, int status,
                  std::string_view message) {
  state.metrics.reject(reason);
  const auto answer = error_answer(status, message);
  if (co_await write_response(state, stream, answer, false, true)) co_await linger_close(stream);
}

Task<void> session(std::shared_ptr<State> state, tcp::socket socket) {
  auto connection = std::make_shared<Connection>(std::move(socket));
  Connection& stream = *connection;
  asio::co_spawn(state->io, watchdog(connection), asio::detached);
  struct Closer {
    Connection& c;
    ~Closer() { c.close(); }
  } closer{stream};
  Tracked tracked(*state, &stream);
  begin_header(*state, stream);
  const auto& limits = state->limits;
  if (state->open.size() > limits.max_connections && !make_room(*state, &stream)) {
    stream.in_header = false;  // being answered 503: not one to close for the next newcomer
    co_await reject(*state, stream, Rejection::busy, 503, "Too many connections");
    co_return;
  }
  boost::system::error_code ignored;
  auto remote_ep = stream.socket.remote_endpoint(ignored);
  const std::string remote =
      remote_ep.address().to_string() + ":" + std::to_string(remote_ep.port());
  beast::flat_buffer buffer;
  while (!state->stopped) {
    // Keep-alive: wait (idle_timeout) for the first byte of the next request.
    if (buffer.size() == 0) {
      stream.expires_after(limits.idle_timeout);
      auto [ec, n] = co_await stream.socket.async_read_some(buffer.prepare(kReadChunk), kNoThrow);
      if (ec || state->stopped) co_return;
      buffer.commit(n);
    }
    if (!stream.in_header) begin_header(*state, stream);
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(std::max(limits.max_body_bytes, limits.max_proxy_body_bytes));
    // A request usually arrives whole in one read: parse it from the buffer at once, without
    // another trip through the event loop; read more only for a header still incomplete.
    boost::system::error_code hec;
    buffer.consume(parser.put(buffer.data(), hec));
    if (hec == http::error::need_more) hec = {};
    if (!hec && !parser.is_header_done()) {
      stream.expires_after(limits.header_timeout);
      auto [read_ec, read_n] =
          co_await http::async_read_header(stream.socket, buffer, parser, kNoThrow);
      hec = read_ec;
    }
    if (state->stopped) co_return;
    if (hec) {
      if (stream.expired) {
        co_await reject(*state, stream, Rejection::timeout, 408, "Request Timeout");
      } else if (hec == http::error::body_limit) {  // a declared Content-Length
        co_await reject(*state, stream, Rejection::body_too_large, 413, "Payload Too Large");
      } else if (hec == http::error::header_limit || hec == http::error::buffer_overflow) {
        co_await reject(*state, stream, Rejection::header_too_large, 431,
                        "Request Header Fields Too Large");
      } else if (hec.category() == http::make_error_code(http::error::end_of_stream).category() ||
                 hec == http::error::partial_message) {
        if (hec != http::error::end_of_stream && hec != http::error::partial_message) {
          co_await reject(*state, stream, Rejection::bad_request, 400, "Bad Request");
        }
      }
      co_return;  // socket errors: the peer is gone
    }
    stream.in_header = false;
    const auto& message = parser.get();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.version = message.version();
    request.remote = remote;
    request.headers.reserve(16);
    for (const auto& field : message) {
      request.headers.emplace_back(ascii_lower(field.name_string()), std::string(field.value()));
    }
    HttpRoute route;
    try {
      route = state->handlers.route(request);
    } catch (...) {
      route.answer = error_answer(500, "Internal Server Error");
    }
    if (route.answer) {
      route.answer->close = true;
      if (co_await write_response(*state, stream, *route.answer, request.method == "HEAD", true)) {
        co_await linger_close(stream);
      }
      co_return;
    }
    if (!parser.is_done()) {
      if (auto declared = parser.content_length(); declared && *declared > route.max_body) {
        co_await reject(*state, stream, Rejection::body_too_large, 413, "Payload Too Large");
        co_return;
      }
      parser.body_limit(route.max_body);
      if (ascii_lower(request.header("expect")) == "100-continue") {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        stream.expires_after(limits.write_timeout);
        auto [wec, wn] =
            co_await asio::async_write(stream.socket, asio::buffer(kContinue), kNoThrow);
        if (wec) co_return;
      }
      stream.expires_after(limits.body_timeout);
      auto [bec, bn] = co_await http::async_read(stream.socket, buffer, parser, kNoThrow);
      if (state->stopped) co_return;
      if (bec && stream.expired) {
        co_await reject(*state, stream, Rejection::timeout, 408, "Request Timeout");
        co_return;
      }
      if (bec == http::error::body_limit) {
        co_await reject(*state, stream, Rejection::body_too_large, 413, "Payload Too Large");
        co_return;
      }
      if (bec) {
        if (bec.category() == http::make_error_code(http::error::end_of_stream).category() &&
            bec != http::error::end_of_stream && bec != http::error::partial_message) {
          co_await reject(*state, stream, Rejection::bad_request, 400, "Bad Request");
        }
        co_return;
      }
    }
    const bool keep_alive = parser.get().keep_alive();
    request.body = std::move(parser.get().body());
    stream.disarm();  // no deadline while we work
    const auto started = std::chrono::steady_clock::now();
    HttpResponse response;
    std::optional<HttpResponse> inline_answer;
    if (route.blocking && state->handlers.try_inline) {
      try {
        inline_answer = state->handlers.try_inline(request, route);
      } catch (...) {
        inline_answer.reset();  // the pool will try again
      }
    }
    if (inline_answer) {
      response = std::move(*inline_answer);
    } else if (route.blocking) {
      State* raw = state.get();
      response = co_await asio::co_spawn(
          raw->pool,
          [raw, &request, &route]() -> Task<HttpResponse> {
            co_return call_handle(*raw, request, route);
          },
          asio::use_awaitable);
      if (state->stopped) co_return;
    } else {
      response = call_handle(*state, request, route);
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
    state->metrics.observe(route.route_class, elapsed.count());
    const bool close = response.close || !keep_alive;
    if (!co_await write_response(*state, stream, response, request.method == "HEAD", close)) {
      co_return;
    }
    if (close) {
      co_await linger_close(stream);
      co_return;
    }
  }
}

Task<void> accept_loop(std::shared_ptr<State> state) {
  while (!state->stopped) {
    auto [ec, socket] = co_await state->acceptor->async_accept(kNoThrow);
    if (state->stopped) co_return;
    if (ec) {
      // EMFILE and the like: pause instead of spinning.
      log::warn("http: accept failed: {}", ec.message());
      asio::steady_timer pause(state->io, std::chrono::milliseconds(100));
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(state->io, session(state, std::move(socket)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log::error("http: connection failed: {}", ex.what());
      }
    });
  }
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, HttpLimits limits, HttpHandlers handlers,
                       Metrics& metrics)
    : state_(std::make_shared<State>(io, limits, std::move(handlers), metrics)) {}

HttpServer::~HttpServer() {
  stop();
  state_->pool.join();
}

Result<ListenAddress> HttpServer::listen(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return Error::malformed;
  tcp::endpoint endpoint(address, port);
  tcp::acceptor acceptor(state_->io);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(false), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    log::error("http: cannot listen on {}:{}: {}", host, port, ec.message());
    return Error::io_failure;
  }
  const auto bound = acceptor.local_endpoint(ec);
  if (ec) {
    log::error("http: cannot read the bound address of {}:{}: {}", host, port, ec.message());
    return Error::io_failure;
  }
  state_->acceptor.emplace(std::move(acceptor));
  state_->stopped = false;
  asio::co_spawn(state_->io, accept_loop(state_), asio::detached);
  return ListenAddress{bound.address().to_string(), bound.port(), bound.address().is_v6()};
}

void HttpServer::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code ignored;
  if (state_->acceptor) state_->acceptor->close(ignored);
  for (auto* connection : state_->open) connection->socket.close(ignored);
}

}  // namespace ipfsa::service
