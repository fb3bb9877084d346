// Ping over Host streams (docs/wire/ping.md): the shell of the proto/ping engine. The listener
// echoes through proto::ping::Responder on at most proto::ping::kMaxInboundStreams streams per
// peer at once (a further one is reset); the dialer measures round trips with
// proto::ping::Initiator. Like identify, ping lives in its own file beside the Host, as
// go-libp2p's protocol/ping does; protocols of the next wave follow the same pattern.
//
// Threading: REQUIRES the Host's io_context thread (PingService is not synchronised).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>

#include "base/error.hpp"
#include "base/time.hpp"
#include "io/asio.hpp"
#include "p2p/stream.hpp"

namespace ipfsa::p2p {

// An inbound ping stream with no bytes for this long is reset.
inline constexpr Duration kPingIdleTimeout = std::chrono::seconds(60);

class PingService {
 public:
  // Serves one inbound /ipfs/ping/1.0.0 stream until the dialer closes it.
  io::Task<void> serve(Stream stream);
  // Inbound ping streams being served for `peer` right now.
  std::size_t inbound(const wire::PeerId& peer) const;
  // Inbound streams reset because their peer already had kMaxInboundStreams open.
  std::uint64_t refused() const noexcept { return refused_; }

 private:
  std::map<Bytes, std::size_t> inbound_;  // peer ID bytes -> open inbound streams
  std::uint64_t refused_ = 0;
};

// Sends `count` pings on `stream` (negotiated to /ipfs/ping/1.0.0), `interval` apart, each with
// its own deadline `timeout` (capped at proto::ping::kTimeout); on_rtt after each. Errors:
// timeout, protocol_violation (a wrong echo, or bytes beyond it) and the stream's own; the
// stream is reset on a failure and half-closed after the last ping.
io::Task<Result<void>> run_ping(Stream stream, int count, Duration interval, Duration timeout,
                                std::function<void(int seq, Result<Duration>)> on_rtt);

}  // namespace ipfsa::p2p
