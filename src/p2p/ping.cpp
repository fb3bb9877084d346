#include "p2p/ping.hpp"

#include <algorithm>
#include <array>

#include "crypto/random.hpp"
#include "io/deadline.hpp"
#include "proto/ping/ping.hpp"

namespace ipfsa::p2p {

namespace asio = io::asio;

std::size_t PingService::inbound(const wire::PeerId& peer) const {
  auto it = inbound_.find(peer.bytes());
  return it == inbound_.end() ? 0 : it->second;
}

io::Task<void> PingService::serve(Stream stream) {
  const Bytes peer = stream.remote_peer().bytes();
  if (inbound(stream.remote_peer()) >= proto::ping::kMaxInboundStreams) {
    ++refused_;
    stream.reset();
    co_return;
  }
  ++inbound_[peer];
  struct Release {
    std::map<Bytes, std::size_t>& counts;
    const Bytes& peer;
    ~Release() {
      auto it = counts.find(peer);
      if (it != counts.end() && --it->second == 0) counts.erase(it);
    }
  } release{inbound_, peer};

  // ping/ping.md: echo every 32-byte payload until the dialer closes; an idle stream is reset.
  proto::ping::Responder echo;
  std::array<std::uint8_t, 4 * proto::ping::kPayloadSize> buffer{};
  Bytes out;
  for (;;) {
    auto read = co_await io::with_timeout(stream.read_some(buffer), kPingIdleTimeout);
    if (!read || !*read) {  // idle too long, or a stream error
      stream.reset();
      co_return;
    }
    if (**read == 0) break;  // the dialer closed its side
    (void)echo.handle_input(ByteView(buffer.data(), **read), Clock::now());  // never fails
    out.clear();
    if (echo.poll_transmit(out)) {
      if (auto w = co_await stream.write(out); !w) co_return;
    }
  }
  (void)stream.close_write();
}

io::Task<Result<void>> run_ping(Stream stream, int count, Duration interval, Duration timeout,
                                std::function<void(int seq, Result<Duration>)> on_rtt) {
  timeout = std::min(timeout, proto::ping::kTimeout);
  auto executor = co_await asio::this_coro::executor;
  proto::ping::Initiator ping;
  auto fail = [&](int seq, Error e) -> Result<void> {
    on_rtt(seq, make_error_code(e));
    stream.reset();
    return make_error_code(e);
  };
  for (int seq = 1; seq <= count; ++seq) {
    proto::ping::Payload payload{};
    crypto::random_fill(payload);
    ping.start(payload, Clock::now());
    // One deadline for the payload's way out and back: `timeout`, which is at most the engine's
    // own (poll_timeout()), so the shell's timer is the one that fires.
    auto exchange = [&]() -> io::Task<Result<Duration>> {
      Bytes out;
      while (ping.poll_transmit(out)) {
        if (auto w = co_await stream.write(out); !w) co_return w.error();
        out.clear();
      }
      std::array<std::uint8_t, proto::ping::kPayloadSize> buffer{};
      for (;;) {
        auto n = co_await stream.read_some(buffer);
        if (!n) co_return n.error();
        if (*n == 0) co_return make_error_code(Error::truncated);
        if (auto r = ping.handle_input(ByteView(buffer.data(), *n), Clock::now()); !r) {
          co_return r.error();
        }
        if (auto event = ping.poll()) co_return event->rtt;  // only `rtt`: the shell times out
      }
    };
    auto result = co_await io::with_timeout(exchange(), timeout);
    if (!result) co_return fail(seq, Error::timeout);
    if (!*result) {
      const auto ec = result->error();
      if (ec == make_error_code(Error::protocol_violation)) {
        co_return fail(seq, Error::protocol_violation);
      }
      co_return ec;  // the stream failed: no round trip to report
    }
    on_rtt(seq, **result);
    if (seq < count) {
      asio::steady_timer pause(executor, interval);
      co_await pause.async_wait(io::kNoThrow);
    }
  }
  (void)stream.close_write();
  co_return Result<void>{};
}

}  // namespace ipfsa::p2p
