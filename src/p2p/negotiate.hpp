// The one multistream-select loop of the shell: drives a proto::multistream Dialer or Listener
// over any byte transport to completion. The connection upgrade (security and muxer, over the
// raw or encrypted socket) and the Host (each stream's protocol) both run it.
#pragma once

#include <string>
#include <utility>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "io/asio.hpp"

namespace ipfsa::p2p {

// `write(ByteView)` sends bytes (a Task of Result<void>); `read()` returns the next bytes (a Task
// of Result<ByteView>, valid until the next read; empty at end of stream, which fails the
// negotiation). Returns the agreed
// protocol; the bytes read past the accepted line stay in `negotiator.take_remaining()` for the
// caller to hand to the protocol.
template <class Negotiator, class Write, class Read>
io::Task<Result<std::string>> run_negotiation(Negotiator& negotiator, Write write, Read read) {
  Bytes out;
  if (negotiator.poll_transmit(out)) {
    if (auto w = co_await write(ByteView(out)); !w) co_return w.error();
  }
  while (!negotiator.done()) {
    auto in = co_await read();
    if (!in) co_return in.error();
    if (in->empty()) co_return make_error_code(Error::negotiation_failed);
    if (auto r = negotiator.handle_input(*in, Clock::now()); !r) co_return r.error();
    out.clear();
    if (negotiator.poll_transmit(out)) {
      if (auto w = co_await write(ByteView(out)); !w) co_return w.error();
    }
  }
  co_return negotiator.protocol();
}

}  // namespace ipfsa::p2p
