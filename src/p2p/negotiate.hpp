// The one multistream-select loop of the shell: drives a proto::multistream Dialer or Listener
// over any byte transport to completion. The connection upgrade (security and muxer, over the
// raw or encrypted socket) and the Host (each stream's protocol) both run it.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "io/asio.hpp"
#include "proto/multistream/multistream.hpp"

namespace ipfsa::p2p {

// What the loop runs over: `write(ByteView)` -> Task<Result<void>>; `read_some(span)` ->
// Task<Result<size_t>>, 0 at end of stream (which fails the negotiation); `unread(Bytes)` puts
// bytes back in front of what the transport reads next. A Host Stream is one as it is, so a
// stream's negotiation costs no coroutine frame beyond this loop's.
template <class T>
concept NegotiationTransport = requires(T& t, ByteView out, std::span<std::uint8_t> in, Bytes b) {
  { t.write(out) } -> std::same_as<io::Task<Result<void>>>;
  { t.read_some(in) } -> std::same_as<io::Task<Result<std::size_t>>>;
  t.unread(std::move(b));
};

// Returns the agreed protocol; the bytes read past the accepted line go back to the transport
// (unread) for the protocol.
template <class Negotiator, NegotiationTransport Transport>
io::Task<Result<std::string>> run_negotiation(Negotiator& negotiator, Transport& transport) {
  Bytes out;
  if (negotiator.poll_transmit(out)) {
    if (auto w = co_await transport.write(ByteView(out)); !w) co_return w.error();
  }
  std::array<std::uint8_t, proto::multistream::kMaxMessageSize> buffer;
  while (!negotiator.done()) {
    auto n = co_await transport.read_some(buffer);
    if (!n) co_return n.error();
    if (*n == 0) co_return make_error_code(Error::negotiation_failed);
    if (auto r = negotiator.handle_input(ByteView(buffer.data(), *n), Clock::now()); !r) {
      co_return r.error();
    }
    out.clear();
    if (negotiator.poll_transmit(out)) {
      if (auto w = co_await transport.write(ByteView(out)); !w) co_return w.error();
    }
  }
  transport.unread(negotiator.take_remaining());
  co_return negotiator.protocol();
}

}  // namespace ipfsa::p2p
