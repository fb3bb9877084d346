#include "bench_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <memory>

#include "bench_util.hpp"
#include "crypto/ed25519.hpp"
#include "io/signal.hpp"
#include "p2p/host.hpp"

namespace ipfsa::bench {

namespace asio = io::asio;
using Results = std::map<std::string, double>;

namespace {

double micros(Duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// Plain blocking TCP 1-byte ping-pongs against the server's echo port: the loopback floor every
// figure is compared with.
int connect_echo(unsigned port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("connect echo");
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// One round trip in microseconds; negative on failure.
double tcp_ping(int fd) {
  char b = 'x';
  const auto t0 = Clock::now();
  if (write(fd, &b, 1) != 1 || read(fd, &b, 1) != 1) return -1;
  return micros(Clock::now() - t0);
}

void measure_tcp_rtt(int fd, int samples, Results& out) {
  Samples rtt;
  for (int i = 0; i < samples + 200; ++i) {
    const double us = tcp_ping(fd);
    if (us < 0) break;
    if (i >= 200) rtt.add(us);
  }
  out["rtt_p50_us"] = rtt.percentile(50);
  out["rtt_p99_us"] = rtt.percentile(99);
}

// One request on a new stream: negotiate, write, half-close, read the reply to the end.
io::Task<Result<std::size_t>> request(p2p::Host& host, p2p::Connection& connection,
                                      const char* protocol, ByteView payload,
                                      std::size_t max_reply) {
  std::vector<std::string> protocols{protocol};
  auto stream = co_await host.new_stream(connection, std::move(protocols));
  if (!stream) co_return stream.error();
  if (auto w = co_await stream->write(payload); !w) co_return w.error();
  if (auto c = stream->close_write(); !c) co_return c.error();
  auto reply = co_await stream->read_to_end(max_reply);
  if (!reply) co_return reply.error();
  co_return reply->size();
}

// Runs f(0..n-1) concurrently and returns when all finished.
io::Task<void> parallel(int n, std::function<io::Task<void>(int)> f) {
  auto ex = co_await asio::this_coro::executor;
  int remaining = n;
  io::Signal done(ex);
  for (int i = 0; i < n; ++i) {
    asio::co_spawn(
        ex,
        [&, i]() -> io::Task<void> {
          co_await f(i);
          if (--remaining == 0) done.notify();
        },
        asio::detached);
  }
  while (remaining > 0) co_await done.wait();
}

io::Task<void> sleep_for(Duration d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(io::kNoThrow);
}

void fail(const char* where, const boost::system::error_code& ec) {
  std::fprintf(stderr, "%s: %s\n", where, ec.message().c_str());
}

// The loopback RTT of this VM moves with the load of the machine (13-57 us), so when an echo
// socket is given, every warm request is followed by one TCP ping whose samples set the target.
io::Task<void> warm(p2p::Host& host, p2p::Connection& c, const ClientOptions& o, int echo_fd,
                    Results& out) {
  const Bytes req = request_for_get(100, 4096);
  Samples lat, rtt;
  for (int i = 0; i < o.warm_samples + 200; ++i) {
    const auto t0 = Clock::now();
    auto r = co_await request(host, c, kGetProtocol, req, 8192);
    if (!r || *r != 4096) co_return fail("warm", r ? make_error_code(Error::truncated) : r.error());
    if (i >= 200) lat.add(micros(Clock::now() - t0));
    if (echo_fd >= 0 && i >= 200) {
      if (const double us = tcp_ping(echo_fd); us >= 0) rtt.add(us);
    }
  }
  if (rtt.size() > 0) out["warm_rtt_p50_us"] = rtt.percentile(50);
  out["warm_p50_us"] = lat.percentile(50);
  out["warm_p99_us"] = lat.percentile(99);
}

io::Task<void> rps(p2p::Host& host, p2p::Connection& c, const ClientOptions& o, Results& out) {
  const Bytes req = request_for_get(100, 4096);
  int next = 0, ok = 0, total = o.rps_requests;
  auto worker = [&](int) -> io::Task<void> {
    while (next < total) {
      ++next;
      auto r = co_await request(host, c, kGetProtocol, req, 8192);
      if (r && *r == 4096)
        ++ok;
      else if (!r)
        co_return fail("rps", r.error());
    }
  };
  total = 2000;  // warm-up
  co_await parallel(o.rps_in_flight, worker);
  next = 0, ok = 0, total = o.rps_requests;
  const auto t0 = Clock::now();
  co_await parallel(o.rps_in_flight, worker);
  out["rps"] = ok / std::chrono::duration<double>(Clock::now() - t0).count();
}

io::Task<void> bulk(p2p::Host& host, p2p::Connection& c, const ClientOptions& o, Results& out) {
  std::vector<std::string> protocols{kSinkProtocol};
  auto stream = co_await host.new_stream(c, std::move(protocols));
  if (!stream) co_return fail("bulk", stream.error());
  const Bytes chunk(1024 * 1024, 0x63);
  const auto t0 = Clock::now();
  // Bounded: a flow-control stall must not hang the whole run (see docs/performance.md P1).
  constexpr auto kBulkTimeLimit = std::chrono::seconds(20);
  std::size_t sent_mib = 0;
  while (sent_mib < o.bulk_mib && Clock::now() - t0 < kBulkTimeLimit) {
    if (auto w = co_await stream->write(chunk); !w) co_return fail("bulk write", w.error());
    ++sent_mib;
  }
  if (sent_mib < o.bulk_mib) out["bulk_cut_at_mib"] = static_cast<double>(sent_mib);
  (void)stream->close_write();
  auto reply = co_await stream->read_to_end(8);
  if (!reply) co_return fail("bulk reply", reply.error());
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  out["bulk_gbps"] = static_cast<double>(sent_mib) * 1024 * 1024 * 8 / s / 1e9;
}

io::Task<void> conn(p2p::Host& host, const wire::Multiaddr& server, const ClientOptions& o,
                    Results& out) {
  const Bytes one{0x31};
  Samples lat;
  for (int i = 0; i < o.conn_samples + 10; ++i) {
    const auto t0 = Clock::now();
    auto c = co_await host.dial(server);
    if (!c) co_return fail("conn dial", c.error());
    auto r = co_await request(host, **c, kEchoProtocol, one, 16);
    if (!r || *r != 1)
      co_return fail("conn request", r ? make_error_code(Error::truncated) : r.error());
    if (i >= 10) lat.add(micros(Clock::now() - t0) / 1000);
    (*c)->close(make_error_code(Error::session_closed));
    co_await sleep_for(std::chrono::milliseconds(2));  // let both sides tear down (not timed)
  }
  out["conn_p50_ms"] = lat.percentile(50);
  out["conn_p90_ms"] = lat.percentile(90);
}

// 1,000 idle connections from 1,000 client hosts (one connection per peer pair). The server's
// RSS delta is the figure; the client's (which also holds 1,000 Host objects) is informative.
io::Task<void> idle(asio::io_context& context, std::vector<std::unique_ptr<p2p::Host>>& hosts,
                    const wire::Multiaddr& server, const ClientOptions& o, Results& out) {
  for (int i = 0; i < o.idle_connections; ++i) {
    p2p::HostConfig config{crypto::Ed25519KeyPair::generate(), std::nullopt, "bench-idle"};
    hosts.push_back(std::make_unique<p2p::Host>(context, std::move(config)));
  }
  co_await sleep_for(std::chrono::milliseconds(500));
  const auto server_before = rss_kib(o.server_pid);
  const auto client_before = rss_kib(0);
  int connected = 0;
  // All dials come from 127.0.0.1: at most the server's per-address bound of pending handshakes
  // at once (a newcomer beyond it closes that address's oldest pending handshake).
  constexpr int kBatch = static_cast<int>(p2p::kMaxPendingInboundPerAddress);
  for (int base = 0; base < o.idle_connections; base += kBatch) {
    const int n = std::min(kBatch, o.idle_connections - base);
    co_await parallel(n, [&](int i) -> io::Task<void> {
      auto c = co_await hosts[static_cast<std::size_t>(base + i)]->dial(server);
      if (c)
        ++connected;
      else
        fail("idle dial", c.error());
    });
  }
  co_await sleep_for(std::chrono::seconds(2));  // identify exchanges settle
  const auto server_after = rss_kib(o.server_pid);
  const auto client_after = rss_kib(0);
  out["idle_connected"] = connected;
  if (connected > 0 && server_before && server_after) {
    out["idle_server_kib"] = (*server_after - *server_before) / connected;
  }
  if (connected > 0) out["idle_client_kib"] = (*client_after - *client_before) / connected;
  for (auto& h : hosts) h->close();
}

}  // namespace

Results run_client(const ClientOptions& o) {
  raise_fd_limit();
  Results out;
  auto want = [&](const char* name) { return o.only.empty() || o.only == name; };
  const int echo_fd = o.echo_port ? connect_echo(o.echo_port) : -1;
  if (echo_fd >= 0 && want("rtt")) measure_tcp_rtt(echo_fd, o.rtt_samples, out);

  auto server = wire::Multiaddr::parse(o.server);
  if (!server) {
    std::fprintf(stderr, "bad server address %s\n", o.server.c_str());
    return out;
  }
  asio::io_context context;
  std::vector<std::unique_ptr<p2p::Host>> idle_hosts;  // destroyed after context stops
  p2p::HostConfig config{crypto::Ed25519KeyPair::generate(), std::nullopt, "bench-client"};
  p2p::Host host(context, std::move(config));
  asio::co_spawn(
      context,
      [&]() -> io::Task<void> {
        if (want("warm") || want("rps") || want("bulk")) {
          auto c = co_await host.dial(*server);
          if (!c) {
            fail("dial", c.error());
          } else {
            co_await sleep_for(std::chrono::milliseconds(200));  // identify done
            if (want("warm")) co_await warm(host, **c, o, echo_fd, out);
            if (want("rps")) co_await rps(host, **c, o, out);
            if (want("bulk")) co_await bulk(host, **c, o, out);
            (*c)->close(make_error_code(Error::session_closed));
          }
        }
        if (want("conn")) co_await conn(host, *server, o, out);
        if (want("idle") && !o.skip_idle && o.server_pid > 0)
          co_await idle(context, idle_hosts, *server, o, out);
        host.close();
        co_await sleep_for(std::chrono::milliseconds(200));
        context.stop();
      },
      asio::detached);
  context.run();
  if (echo_fd >= 0) close(echo_fd);
  return out;
}

}  // namespace ipfsa::bench
