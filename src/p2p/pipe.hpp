// The byte pipe under one libp2p connection: a TCP socket, or a stream of another connection
// that a circuit relay splices to the remote peer (a relayed connection, docs/wire/relay.md).
// The upgrade (pnet, Noise, Yamux) and the Connection run the same way over both; only TCP has
// the readiness-based fast read path (Connection::read_loop).
// Threading: REQUIRES the io_context thread of the socket or of the relay's connection.
#pragma once

#include <cstddef>
#include <span>
#include <variant>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "io/asio.hpp"
#include "p2p/stream.hpp"

namespace ipfsa::p2p {

class Pipe {
 public:
  explicit Pipe(io::tcp::socket socket) : pipe_(std::move(socket)) {}
  // A stream negotiated to a relay's hop (the dialer) or stop (the listener) protocol whose
  // CONNECT exchange succeeded: from here on it carries the relayed connection's bytes.
  explicit Pipe(Stream relayed) : pipe_(std::move(relayed)) {}

  bool relayed() const noexcept { return std::holds_alternative<Stream>(pipe_); }
  io::tcp::socket* tcp() noexcept { return std::get_if<io::tcp::socket>(&pipe_); }
  Stream* stream() noexcept { return std::get_if<Stream>(&pipe_); }
  io::asio::any_io_executor executor();

  // Reads at least one byte; session_closed at the end of the pipe.
  io::Task<Result<std::size_t>> read_some(std::span<std::uint8_t> out);
  // Returns once all of `data` is written (TCP) or queued within the relay stream's window.
  io::Task<Result<void>> write(ByteView data);
  // The end after a clean close: TCP shutdown and close; a relay stream half-closes (FIN), which
  // the relay passes on.
  void close();
  // The end when the other side does not read: TCP close; a relay stream is reset.
  void abort();

 private:
  std::variant<io::tcp::socket, Stream> pipe_;
};

}  // namespace ipfsa::p2p
