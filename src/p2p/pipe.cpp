#include "p2p/pipe.hpp"

#include <boost/asio/write.hpp>

#include "p2p/connection.hpp"

namespace ipfsa::p2p {

namespace asio = io::asio;

asio::any_io_executor Pipe::executor() {
  if (auto* socket = tcp()) return socket->get_executor();
  return stream()->connection().executor();
}

io::Task<Result<std::size_t>> Pipe::read_some(std::span<std::uint8_t> out) {
  if (auto* socket = tcp()) {
    auto [ec, n] = co_await socket->async_read_some(asio::buffer(out.data(), out.size()),
                                                    io::kNoThrow);
    if (ec == asio::error::eof) co_return make_error_code(Error::session_closed);
    if (ec) co_return ec;
    co_return n;
  }
  auto n = co_await stream()->read_some(out);
  if (!n) co_return n.error();
  if (*n == 0) co_return make_error_code(Error::session_closed);
  co_return *n;
}

io::Task<Result<void>> Pipe::write(ByteView data) {
  if (auto* socket = tcp()) {
    auto [ec, n] =
        co_await asio::async_write(*socket, asio::buffer(data.data(), data.size()), io::kNoThrow);
    if (ec) co_return ec;
    co_return Result<void>{};
  }
  co_return co_await stream()->write(data);
}

void Pipe::close() {
  if (auto* socket = tcp()) {
    boost::system::error_code ignored;
    socket->shutdown(io::tcp::socket::shutdown_both, ignored);
    socket->close(ignored);
    return;
  }
  (void)stream()->close_write();
}

void Pipe::abort() {
  if (auto* socket = tcp()) {
    boost::system::error_code ignored;
    socket->close(ignored);
    return;
  }
  stream()->reset();
}

}  // namespace ipfsa::p2p
