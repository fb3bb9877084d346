#include "p2p/stream.hpp"

#include <algorithm>
#include <cstring>

#include "p2p/connection.hpp"
#include "wire/varint.hpp"

namespace ipfsa::p2p {

const wire::PeerId& Stream::remote_peer() const { return connection_->remote_peer(); }

void Stream::unread(Bytes bytes) {
  if (bytes.empty()) return;
  bytes.insert(bytes.end(), state_->pushback.begin(), state_->pushback.end());
  state_->pushback = std::move(bytes);
}

io::Task<Result<std::size_t>> Stream::read_some(std::span<std::uint8_t> out) {
  while (state_->pending_negotiation || state_->negotiation_running) {
    if (state_->negotiation_running) {
      co_await state_->negotiated.wait();
      continue;
    }
    (void)co_await confirm_negotiation();
  }
  if (state_->negotiation_error) co_return state_->negotiation_error;
  co_return co_await read_available(out);
}

io::Task<Result<void>> Stream::confirm_negotiation() {
  auto& s = *state_;
  auto dialer = std::move(s.pending_negotiation);
  s.negotiation_running = true;
  std::uint8_t buffer[proto::multistream::kMaxMessageSize];
  boost::system::error_code ec;
  while (!ec && !dialer->done()) {
    auto n = co_await read_available(buffer);
    if (!n) {
      ec = n.error();
    } else if (*n == 0) {
      ec = Error::negotiation_failed;
    } else if (auto r = dialer->handle_input(ByteView(buffer, *n), Clock::now()); !r) {
      ec = r.error();
    }
  }
  s.negotiation_running = false;
  s.negotiated.notify();
  if (ec) {
    s.negotiation_error = ec;
    reset();
    co_return ec;
  }
  unread(dialer->take_remaining());
  if (s.fin_after_negotiation) {
    s.fin_after_negotiation = false;
    if (auto r = connection_->stream_close_write(s); !r) co_return r.error();
  }
  co_return Result<void>{};
}

io::Task<Result<std::size_t>> Stream::read_available(std::span<std::uint8_t> out) {
  auto& s = *state_;
  if (out.empty()) co_return std::size_t{0};
  for (;;) {
    if (!s.pushback.empty()) {
      const std::size_t n = std::min(out.size(), s.pushback.size());
      std::memcpy(out.data(), s.pushback.data(), n);
      s.pushback.erase(s.pushback.begin(), s.pushback.begin() + static_cast<std::ptrdiff_t>(n));
      co_return n;
    }
    if (!s.inbox.empty()) {
      std::size_t copied = 0;
      while (copied < out.size() && !s.inbox.empty()) {
        auto& front = s.inbox.front();
        const std::size_t n = std::min(out.size() - copied, front.size() - s.inbox_offset);
        std::memcpy(out.data() + copied, front.data() + s.inbox_offset, n);
        copied += n;
        s.inbox_offset += n;
        if (s.inbox_offset == front.size()) {
          s.inbox.pop_front();
          s.inbox_offset = 0;
        }
      }
      connection_->stream_consumed(s, copied);
      co_return copied;
    }
    if (s.error) co_return s.error;
    if (s.remote_closed) co_return std::size_t{0};
    if (!connection_->is_open()) co_return make_error_code(Error::session_closed);
    co_await s.readable.wait();
  }
}

io::Task<Result<Bytes>> Stream::read_to_end(std::size_t max_size) {
  Bytes out;
  std::uint8_t chunk[16 * 1024];
  for (;;) {
    auto n = co_await read_some(chunk);
    if (!n) co_return n.error();
    if (*n == 0) co_return out;
    if (out.size() + *n > max_size) {
      reset();
      co_return make_error_code(Error::too_large);
    }
    out.insert(out.end(), chunk, chunk + *n);
  }
}

io::Task<Result<void>> Stream::read_exact(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    auto n = co_await read_some(out.subspan(done));
    if (!n) co_return n.error();
    if (*n == 0) co_return make_error_code(Error::truncated);
    done += *n;
  }
  co_return Result<void>{};
}

io::Task<Result<Bytes>> Stream::read_length_prefixed(std::size_t max_size) {
  // Read the uvarint one byte at a time: it is at most 9 bytes and the message follows directly.
  Bytes prefix;
  for (;;) {
    std::uint8_t b = 0;
    auto r = co_await read_exact(std::span<std::uint8_t>(&b, 1));
    if (!r) co_return r.error();
    prefix.push_back(b);
    auto v = wire::decode_uvarint(prefix);
    if (v) {
      if (v->value > max_size) co_return make_error_code(Error::too_large);
      Bytes body(static_cast<std::size_t>(v->value));
      auto rb = co_await read_exact(body);
      if (!rb) co_return rb.error();
      co_return body;
    }
    if (v.error() != Error::truncated) co_return v.error();
  }
}

io::Task<Result<void>> Stream::write(ByteView data) {
  auto& s = *state_;
  while (!data.empty()) {
    if (s.error) co_return s.error;
    if (s.local_closed) co_return make_error_code(Error::stream_closed);
    if (connection_->write_buffer_full()) {
      co_await connection_->wait_write_drained();
      continue;
    }
    auto n = connection_->stream_write(s, data);
    if (!n) co_return n.error();
    if (*n == 0) {
      co_await s.writable.wait();
      continue;
    }
    data = data.subspan(*n);
  }
  co_return Result<void>{};
}

Result<void> Stream::close_write() {
  auto& s = *state_;
  // Our own nodes take a FIN that arrives with the proposal; js-libp2p does not (see stream.hpp),
  // and holding the FIN costs a round trip to every request that waits for the end of stream.
  const bool remote_takes_early_fin =
      connection_->remote_info().agent_version.starts_with(kEarlyFinAgentPrefix);
  if ((s.pending_negotiation || s.negotiation_running) && !remote_takes_early_fin) {
    if (s.error) return s.error;
    s.fin_after_negotiation = true;
    if (!s.negotiation_running) {
      // Nobody may read this stream (a one-way message): read the answer in the background.
      io::asio::co_spawn(
          connection_->executor(),
          [self = *this]() mutable -> io::Task<void> { (void)co_await self.confirm_negotiation(); },
          io::asio::detached);
    }
    return {};
  }
  return connection_->stream_close_write(s);
}

void Stream::reset() { connection_->stream_reset(*state_); }

}  // namespace ipfsa::p2p
