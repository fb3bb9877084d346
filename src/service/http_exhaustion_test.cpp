// The HTTP server under connection exhaustion: a thousand clients that send half a request header
// and stall cannot lock a new client out, nor a keep-alive client that is already being served.
// The server and every client run on one io_context driven by this thread; each wait is for an
// event, bounded by a generous deadline that only catches being stuck. The header and idle
// deadlines are set far beyond every wait of the test, so whoever gets in got in because a
// stalled connection was closed to make room, not because one timed out.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/test_support.hpp"
#include "io/asio.hpp"
#include "io/testing.hpp"
#include "service/http_server.hpp"
#include "service/metrics.hpp"

namespace ipfsa::service {
namespace {

using namespace std::chrono_literals;
namespace asio = io::asio;
using io::tcp;
using test_support::LogCapture;
using test_support::raise_descriptor_limit;

constexpr Duration kDeadline = 30s;  // any wait of the test; never reached unless stuck
constexpr Duration kNever = 600s;    // header/idle deadlines: never reached during the test

bool run_until(asio::io_context& ctx, const std::function<bool()>& done,
               Duration deadline = kDeadline) {
  return io::testing::run_until(ctx, done, deadline);
}

constexpr std::string_view kRequest = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
constexpr std::string_view kHalfRequest = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sl";

// One request on `socket`; the status of the answer (Content-Length framed), 0 on failure.
io::Task<int> exchange(tcp::socket& socket, std::string_view request, std::string& buffer) {
  auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(request), io::kNoThrow);
  if (wec) co_return 0;
  auto [rec, header_end] = co_await asio::async_read_until(
      socket, asio::dynamic_buffer(buffer), "\r\n\r\n", io::kNoThrow);
  if (rec) co_return 0;
  const std::string head = buffer.substr(0, header_end);
  std::size_t length = 0;
  if (auto p = head.find("Content-Length: "); p != std::string::npos) {
    length = std::stoul(head.substr(p + 16));
  }
  while (buffer.size() < header_end + length) {
    char chunk[4096];
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), io::kNoThrow);
    if (ec) co_return 0;
    buffer.append(chunk, n);
  }
  buffer.erase(0, header_end + length);
  if (head.size() < 12 || head.rfind("HTTP/1.1 ", 0) != 0) co_return 0;
  co_return std::stoi(head.substr(9, 3));
}

// A client that sends half a request header and stalls; notices when the server closes it.
struct Staller {
  explicit Staller(asio::io_context& ctx) : socket(ctx) {}
  tcp::socket socket;
  bool sent = false;
  bool closed = false;
  bool finished = false;
};

io::Task<void> watch_close(Staller& s) {
  char sink[256];
  for (;;) {
    auto [ec, n] = co_await s.socket.async_read_some(asio::buffer(sink), io::kNoThrow);
    if (ec) break;
  }
  s.closed = true;
  boost::system::error_code ignored;
  s.socket.close(ignored);
  s.finished = true;
}

// Connects the stallers one after the other (so the server accepts them in index order).
io::Task<void> open_stallers(std::vector<std::unique_ptr<Staller>>& all, tcp::endpoint server,
                             bool& done) {
  for (auto& s : all) {
    auto [cec] = co_await s->socket.async_connect(server, io::kNoThrow);
    if (!cec) {
      auto [wec, wn] = co_await asio::async_write(s->socket, asio::buffer(kHalfRequest), io::kNoThrow);
      s->sent = !wec;
    }
    asio::co_spawn(s->socket.get_executor(), watch_close(*s), asio::detached);
  }
  done = true;
}

class HttpExhaustionTest : public ::testing::Test {
 protected:
  HttpExhaustionTest() { raise_descriptor_limit(); }
  ~HttpExhaustionTest() override {
    for (auto& s : stallers_) {
      boost::system::error_code ignored;
      s->socket.close(ignored);
    }
    EXPECT_TRUE(run_until(ctx_, [&] {
      return opened_ && std::all_of(stallers_.begin(), stallers_.end(),
                                    [](const auto& s) { return s->finished; });
    }));
    if (server_) server_->stop();
    run_until(ctx_, [] { return false; }, 50ms);
  }

  void start(HttpLimits limits) {
    HttpHandlers handlers;
    handlers.route = [](const HttpRequest&) { return HttpRoute{}; };
    handlers.handle = [](const HttpRequest&, const HttpRoute&) {
      return HttpResponse::text(200, "ok");
    };
    server_ = std::make_unique<HttpServer>(ctx_, limits, std::move(handlers), metrics_);
    auto bound = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(bound);
    endpoint_ = tcp::endpoint(asio::ip::make_address("127.0.0.1"), bound->port);
  }

  // A request on `socket` (connected first if it is not open); the answer's status.
  int request(tcp::socket& socket, std::string& buffer) {
    std::optional<int> status;
    asio::co_spawn(
        ctx_,
        [&]() -> io::Task<void> {
          if (!socket.is_open()) {
            auto [ec] = co_await socket.async_connect(endpoint_, io::kNoThrow);
            if (ec) {
              status = 0;
              co_return;
            }
          }
          status = co_await exchange(socket, kRequest, buffer);
        },
        asio::detached);
    if (!run_until(ctx_, [&] { return status.has_value(); })) return -1;
    return *status;
  }

  std::size_t closed_stallers() const {
    return static_cast<std::size_t>(std::count_if(stallers_.begin(), stallers_.end(),
                                                  [](const auto& s) { return s->closed; }));
  }

  asio::io_context ctx_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
  tcp::endpoint endpoint_;
  std::vector<std::unique_ptr<Staller>> stallers_;
  bool opened_ = true;
};

TEST_F(HttpExhaustionTest, AThousandStalledHeadersDoNotLockNewClientsOut) {
  LogCapture log;
  HttpLimits limits;
  limits.header_timeout = kNever;
  limits.idle_timeout = kNever;
  start(limits);
  const std::size_t max = limits.max_connections;

  // A keep-alive client served before the flood.
  tcp::socket regular(ctx_);
  std::string regular_buffer;
  ASSERT_EQ(request(regular, regular_buffer), 200);

  constexpr std::size_t kStallers = 1000;
  for (std::size_t i = 0; i < kStallers; ++i) stallers_.push_back(std::make_unique<Staller>(ctx_));
  opened_ = false;
  asio::co_spawn(ctx_, open_stallers(stallers_, endpoint_, opened_), asio::detached);
  // The server took every staller in and made room by closing the oldest: the regular client
  // and the newest max - 1 stallers hold every slot.
  const std::size_t evicted = kStallers - (max - 1);
  ASSERT_TRUE(run_until(ctx_, [&] { return opened_ && closed_stallers() == evicted; }))
      << closed_stallers() << " stallers closed";
  for (std::size_t i = 0; i < kStallers; ++i) {
    EXPECT_TRUE(stallers_[i]->sent) << i;
    EXPECT_EQ(stallers_[i]->closed, i < evicted) << "staller " << i << ": not the oldest first";
  }

  // A new client gets in while every slot is held by a stalled header that no deadline will
  // end during the test: its arrival closed the oldest staller.
  tcp::socket newcomer(ctx_);
  std::string newcomer_buffer;
  EXPECT_EQ(request(newcomer, newcomer_buffer), 200);
  ASSERT_TRUE(run_until(ctx_, [&] { return closed_stallers() == evicted + 1; }));
  EXPECT_TRUE(stallers_[evicted]->closed);
  EXPECT_FALSE(stallers_[evicted + 1]->closed) << "the stallers are still held open";
  // The client that was being served keeps its connection (it is between requests, not in a
  // header) and is served again.
  EXPECT_EQ(request(regular, regular_buffer), 200);
  EXPECT_EQ(closed_stallers(), evicted + 1);

  // One line for the whole burst, at WARN.
  auto lines = log.lines({"still in their request header"});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("warning ", 0), 0u) << lines[0];
}

TEST_F(HttpExhaustionTest, WithNoConnectionInItsHeaderANewcomerIsStillAnswered503) {
  HttpLimits limits;
  limits.max_connections = 3;
  limits.header_timeout = kNever;
  limits.idle_timeout = kNever;
  start(limits);
  std::vector<std::unique_ptr<tcp::socket>> held;
  std::vector<std::string> buffers(3);
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<tcp::socket>(ctx_));
    ASSERT_EQ(request(*held.back(), buffers[static_cast<std::size_t>(i)]), 200);
  }
  // Every connection has been served and waits for its next request: none is closed for the
  // newcomer.
  tcp::socket refused(ctx_);
  std::string buffer;
  EXPECT_EQ(request(refused, buffer), 503);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(request(*held[static_cast<std::size_t>(i)], buffers[static_cast<std::size_t>(i)]), 200);
  }
  // A keep-alive client inside its next header is fair game, like a fresh one.
  ASSERT_TRUE(asio::write(*held[0], asio::buffer(kHalfRequest)));
  // Shared with the reader, which may outlive this test body if the server never closes held[0].
  auto held0_end = std::make_shared<std::optional<boost::system::error_code>>();
  asio::co_spawn(
      ctx_,
      [held0_end, socket = held[0].get()]() -> io::Task<void> {
        char sink[64];
        for (;;) {
          auto [ec, n] = co_await socket->async_read_some(asio::buffer(sink), io::kNoThrow);
          if (ec) {
            *held0_end = ec;
            co_return;
          }
        }
      },
      asio::detached);
  // The server must have read the half header before the newcomer arrives; the newcomer is
  // answered 200 once it has (until then it may still be refused).
  int status = 0;
  ASSERT_TRUE(run_until(ctx_, [&] {
    tcp::socket probe(ctx_);
    std::string b;
    status = request(probe, b);
    return status == 200;
  })) << status;
  EXPECT_TRUE(run_until(ctx_, [&] { return held0_end->has_value(); }))
      << "the keep-alive client stalled in its header was not the one closed";
}

}  // namespace
}  // namespace ipfsa::service
