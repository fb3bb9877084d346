// Shared helpers for the in-process Host tests: one io_context driven with deadlines (no sleeps),
// hosts on loopback port 0, event counters per host, an echo handler and raw-socket helpers.
// Test-only, header-only.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/random.hpp"
#include "io/asio.hpp"
#include "io/testing.hpp"
#include "p2p/host.hpp"
#include "wire/multiaddr.hpp"

namespace ipfsa::wire {
// gtest prints multiaddrs and peer IDs as text.
inline void PrintTo(const Multiaddr& m, std::ostream* os) { *os << m.to_string(); }
inline void PrintTo(const PeerId& p, std::ostream* os) { *os << p.to_string(); }
}  // namespace ipfsa::wire

namespace ipfsa::p2p::testing {

namespace asio = io::asio;

// Every wait in a test is bounded by this unless the test says otherwise: it only catches a hang
// (a loaded machine running the sanitizer build must never reach it).
inline constexpr Duration kTestDeadline = std::chrono::seconds(60);
inline constexpr std::string_view kEchoProtocol = "/ipfsa-test/echo/1.0.0";
inline constexpr std::size_t kMaxEcho = 4 * 1024 * 1024;

inline HostConfig test_config(std::string agent = "ipfsa-test/1.0") {
  HostConfig c{crypto::Ed25519KeyPair::generate(), std::nullopt, std::move(agent)};
  c.dial_timeout = std::chrono::seconds(5);
  c.handshake_step_timeout = std::chrono::seconds(5);
  c.negotiate_timeout = std::chrono::seconds(5);
  return c;
}

// Runs the io_context until `done()` holds or `deadline` passes; returns done().
inline bool run_until(asio::io_context& ctx, const std::function<bool()>& done,
                      Duration deadline = kTestDeadline) {
  return io::testing::run_until(ctx, done, deadline);
}

// Runs the io_context for `d` of wall-clock time (lets background work settle).
inline void run_for(asio::io_context& ctx, Duration d) {
  run_until(
      ctx, [] { return false; }, d);
}

// Runs `task` to completion within `deadline`; nullopt if it did not finish.
template <class T>
std::optional<T> run_task(asio::io_context& ctx, io::Task<T> task,
                          Duration deadline = kTestDeadline) {
  auto out = std::make_shared<std::optional<T>>();
  asio::co_spawn(
      ctx,
      [out, t = std::move(task)]() mutable -> io::Task<void> {
        out->emplace(co_await std::move(t));
      },
      asio::detached);
  run_until(
      ctx, [&] { return out->has_value(); }, deadline);
  return std::move(*out);
}

// Reads the stream to the end, writes it back, half-closes.
inline io::Task<void> echo_handler(Stream stream) {
  auto body = co_await stream.read_to_end(kMaxEcho);
  if (!body) co_return;
  if (auto w = co_await stream.write(*body); !w) co_return;
  (void)stream.close_write();
}

// One request on a fresh stream: write, half-close, read the reply to the end.
inline io::Task<Result<Bytes>> request(Host& host, wire::PeerId peer, std::string protocol,
                                       Bytes payload) {
  std::vector<std::string> protocols{std::move(protocol)};
  auto stream = co_await host.new_stream(peer, std::move(protocols));
  if (!stream) co_return stream.error();
  if (auto w = co_await stream->write(payload); !w) co_return w.error();
  if (auto c = stream->close_write(); !c) co_return c.error();
  co_return co_await stream->read_to_end(kMaxEcho);
}

struct Node {
  std::unique_ptr<Host> host;
  wire::Multiaddr addr;  // first listen address, with /p2p
  int connects = 0;
  int disconnects = 0;
  int identifies = 0;
};

class HostFixture : public ::testing::Test {
 protected:
  HostFixture() { spdlog::set_level(spdlog::level::warn); }
  ~HostFixture() override {
    for (auto& n : nodes_) n->host->close();
    run_for(ctx_, std::chrono::milliseconds(50));
    nodes_.clear();
  }

  // A host with counters and the echo handler; listening on 127.0.0.1:0 unless `listen` is false.
  Node& make_node(HostConfig config = test_config(), bool listen = true) {
    auto node = std::make_unique<Node>();
    Node* n = node.get();
    n->host = std::make_unique<Host>(ctx_, std::move(config));
    n->host->on_connect([n](Connection&) { ++n->connects; });
    n->host->on_disconnect([n](Connection&) { ++n->disconnects; });
    n->host->on_identify([n](Connection&) { ++n->identifies; });
    n->host->set_stream_handler(std::string(kEchoProtocol),
                                [](Stream s) { return echo_handler(std::move(s)); });
    if (listen) {
      auto bound = n->host->listen(*wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
      EXPECT_TRUE(bound) << bound.error().message();
      if (bound) n->addr = bound->with_peer_id(n->host->peer_id());
    }
    nodes_.push_back(std::move(node));
    return *n;
  }

  Result<std::shared_ptr<Connection>> dial(Node& from, const wire::Multiaddr& to) {
    auto r = run_task(ctx_, from.host->dial(to));
    if (!r) return make_error_code(Error::timeout);
    return std::move(*r);
  }

  // Echo of `payload` from `from` to `to` over kEchoProtocol.
  Result<Bytes> echo(Node& from, Node& to, Bytes payload) {
    auto r = run_task(ctx_, request(*from.host, to.host->peer_id(), std::string(kEchoProtocol),
                                    std::move(payload)));
    if (!r) return make_error_code(Error::timeout);
    return std::move(*r);
  }

  bool echo_works(Node& from, Node& to) {
    const Bytes payload = crypto::random_bytes(1000);
    auto r = echo(from, to, payload);
    return r && *r == payload;
  }

  asio::io_context ctx_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

// The TCP endpoint of a /ip4/.../tcp/N multiaddr.
inline io::tcp::endpoint endpoint_of(const wire::Multiaddr& ma) {
  auto target = ma.tcp_target();
  return {asio::ip::make_address(target->host), target->port};
}

// Reads from a raw socket until it fails (peer closed or reset); returns the bytes received and
// the time it took. Stops at `deadline` with `timed_out` set.
struct DrainResult {
  Bytes received;
  boost::system::error_code ec;
  bool timed_out = false;
  Duration elapsed{};
};

inline io::Task<DrainResult> drain_until_closed(io::tcp::socket& socket, Duration deadline) {
  DrainResult out;
  const auto start = Clock::now();
  asio::steady_timer timer(socket.get_executor(), deadline);
  timer.async_wait([&socket](boost::system::error_code ec) {
    if (!ec) {
      boost::system::error_code ignored;
      socket.cancel(ignored);
    }
  });
  std::uint8_t buffer[4096];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), io::kNoThrow);
    out.received.insert(out.received.end(), buffer, buffer + n);
    if (ec) {
      out.ec = ec;
      out.timed_out = ec == asio::error::operation_aborted;
      break;
    }
  }
  timer.cancel();
  out.elapsed = Clock::now() - start;
  co_return out;
}

}  // namespace ipfsa::p2p::testing
