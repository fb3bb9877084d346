// `p2p_bench server`: a Host serving the bench protocols plus a plain TCP echo port (for the
// loopback RTT baseline). Prints "ready <multiaddr>/p2p/<id> <echo-port>" and runs until SIGTERM.
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>

#include "bench_util.hpp"
#include "crypto/ed25519.hpp"
#include "p2p/host.hpp"

namespace ipfsa::bench {

namespace asio = io::asio;
using p2p::Stream;

namespace {

io::Task<void> serve_echo(Stream stream) {
  auto body = co_await stream.read_to_end(kMaxRequest);
  if (!body) co_return;
  if (auto w = co_await stream.write(*body); !w) co_return;
  (void)stream.close_write();
}

io::Task<void> serve_get(Stream stream) {
  static const Bytes blob(kMaxGetReply, 0x62);
  auto body = co_await stream.read_to_end(kMaxRequest);
  if (!body || body->size() < 4) co_return stream.reset();
  const std::size_t size = (std::size_t{(*body)[0]} << 24) | (std::size_t{(*body)[1]} << 16) |
                           (std::size_t{(*body)[2]} << 8) | (*body)[3];
  if (size > kMaxGetReply) co_return stream.reset();
  if (auto w = co_await stream.write(ByteView(blob.data(), size)); !w) co_return;
  (void)stream.close_write();
}

io::Task<void> serve_sink(Stream stream) {
  static Bytes buffer(256 * 1024);
  std::uint64_t total = 0;
  for (;;) {
    auto n = co_await stream.read_some(buffer);
    if (!n) co_return;
    if (*n == 0) break;
    total += *n;
  }
  std::uint8_t reply[8];
  for (int i = 0; i < 8; ++i) reply[i] = static_cast<std::uint8_t>(total >> (56 - 8 * i));
  if (auto w = co_await stream.write(ByteView(reply, 8)); !w) co_return;
  (void)stream.close_write();
}

io::Task<void> tcp_echo_session(io::tcp::socket socket) {
  socket.set_option(io::tcp::no_delay(true));
  std::uint8_t buffer[4096];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), io::kNoThrow);
    if (ec) co_return;
    auto [wec, w] = co_await asio::async_write(socket, asio::buffer(buffer, n), io::kNoThrow);
    if (wec) co_return;
  }
}

io::Task<void> tcp_echo_accept(io::tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(io::kNoThrow);
    if (ec) co_return;
    asio::co_spawn(acceptor.get_executor(), tcp_echo_session(std::move(socket)), asio::detached);
  }
}

}  // namespace

int run_server() {
  raise_fd_limit();
  asio::io_context context;
  p2p::HostConfig config{crypto::Ed25519KeyPair::generate(), std::nullopt,
                         "ipfs-accelerate/0.1.0 (bench server)"};
  config.max_connections = 8192;
  p2p::Host host(context, std::move(config));
  host.set_stream_handler(kEchoProtocol, serve_echo);
  host.set_stream_handler(kGetProtocol, serve_get);
  host.set_stream_handler(kSinkProtocol, serve_sink);
  auto listen = wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/0");
  auto bound = host.listen(*listen);
  if (!bound) {
    std::fprintf(stderr, "listen: %s\n", bound.error().message().c_str());
    return 1;
  }
  io::tcp::acceptor echo(context, io::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::co_spawn(context, tcp_echo_accept(echo), asio::detached);
  std::printf("ready %s %u\n", bound->with_peer_id(host.peer_id()).to_string().c_str(),
              echo.local_endpoint().port());
  std::fflush(stdout);
  asio::signal_set signals(context, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    echo.close();
    host.close();
    context.stop();
  });
  context.run();
  return 0;
}

}  // namespace ipfsa::bench
