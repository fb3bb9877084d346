#include "p2p/connection.hpp"

#include <atomic>
#include <boost/asio/write.hpp>

#include "base/log.hpp"

namespace ipfsa::p2p {

namespace asio = io::asio;

std::uint64_t Connection::next_id() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

Connection::Connection(SecuredPipe secured, Direction direction, wire::PeerId remote_peer,
                       wire::Multiaddr remote_addr, proto::yamux::Config config)
    : pipe_(std::move(secured.pipe)),
      executor_(pipe_.executor()),
      relayed_(pipe_.relayed()),
      pnet_(std::move(secured.pnet)),
      channel_(std::move(secured.channel)),
      session_(direction == Direction::outbound ? proto::yamux::Role::client
                                                : proto::yamux::Role::server,
               config, Clock::now()),
      direction_(direction),
      remote_peer_(std::move(remote_peer)),
      remote_addr_(std::move(remote_addr)),
      opened_at_(Clock::now()),
      id_(next_id()),
      initial_plaintext_(std::move(secured.plaintext)),
      wake_writer_(executor_),
      wake_timer_(executor_),
      drained_(executor_),
      flush_deadline_(executor_) {
  if (auto* socket = pipe_.tcp()) {
    boost::system::error_code ignored;
    socket->set_option(io::tcp::no_delay(true), ignored);
  }
}

Connection::~Connection() = default;

void Connection::start(InboundHandler on_inbound, ClosedHandler on_closed) {
  on_inbound_ = std::move(on_inbound);
  on_closed_ = std::move(on_closed);
  auto self = shared_from_this();
  asio::co_spawn(executor_, read_loop(self), asio::detached);
  asio::co_spawn(executor_, write_loop(self), asio::detached);
  asio::co_spawn(executor_, timer_loop(self), asio::detached);
}

Result<Stream> Connection::open_stream() {
  if (closed_) return Error::session_closed;
  auto id = session_.open_stream();
  if (!id) return id.error();
  auto state = std::make_shared<StreamState>(executor_, *id);
  streams_.emplace(*id, state);
  kick();
  return Stream(shared_from_this(), std::move(state));
}

void Connection::close(boost::system::error_code reason) {
  if (closed_) return;
  closed_ = true;
  if (reason == Error::session_closed || reason == asio::error::eof) {
    log::debug("connection {} to {} closed", id_, remote_peer_.to_string());
  } else {
    log::info("connection {} to {} closed: {}", id_, remote_peer_.to_string(), reason.message());
  }
  session_.go_away(0);
  fail_all_streams(reason ? reason : make_error_code(Error::session_closed));
  kick();               // the writer flushes the GoAway, then closes the pipe
  wake_timer_.notify();
  drained_.notify();    // writers waiting for the pipe to drain must see the close
  // A peer that stopped reading would keep the writer (and the socket, its buffers and the
  // descriptor, or the relay's stream) forever: the flush gets a deadline, then the pipe is
  // closed under it.
  flush_deadline_.expires_after(kCloseFlushTimeout);
  flush_deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->writer_done_) return;
    self->pipe_.abort();
  });
  if (auto handler = std::move(on_closed_)) handler(*this, reason);
  on_inbound_ = nullptr;
}

void Connection::fail_all_streams(boost::system::error_code ec) {
  auto streams = std::move(streams_);
  streams_.clear();
  for (auto& [id, s] : streams) {
    if (!s->error) s->error = ec;
    s->readable.notify();
    s->writable.notify();
  }
}

void Connection::forget_if_done(StreamState& s) {
  if (s.local_closed && s.remote_closed) streams_.erase(s.id);
}

asio::awaitable<void> Connection::read_loop(std::shared_ptr<Connection> /*self: keeps the connection alive*/) {
  if (!initial_plaintext_.empty()) {
    auto r = session_.handle_input(initial_plaintext_, Clock::now());
    initial_plaintext_.clear();
    process_events();
    if (!r) {
      close(r.error());
      co_return;
    }
    kick();
  }
  if (auto* socket = pipe_.tcp()) {
    co_await read_socket(*socket);
  } else {
    co_await read_relayed();
  }
}

bool Connection::take_input(std::span<std::uint8_t> data) {
  thread_local Bytes plaintext;
  if (pnet_) pnet_->decrypt(data);
  plaintext.clear();
  if (auto r = channel_.decrypt(data, plaintext); !r) {
    close(r.error());
    return false;
  }
  if (!plaintext.empty()) {
    auto r = session_.handle_input(plaintext, Clock::now());
    process_events();
    if (!r) {
      close(r.error());
      return false;
    }
  }
  return !closed_;
}

asio::awaitable<void> Connection::read_socket(io::tcp::socket& socket) {
  // Idle connections hold no read buffer: wait until the socket is readable, then drain it with
  // non-blocking reads into one buffer shared by every connection of this thread. Safe because
  // processing is synchronous: nothing else runs on this thread between the read and the end of
  // process_events().
  thread_local Bytes buffer(kReadChunkSize);
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  while (!closed_) {
    auto [wait_ec] = co_await socket.async_wait(io::tcp::socket::wait_read, io::kNoThrow);
    if (closed_) break;
    if (wait_ec) {
      close(wait_ec);
      break;
    }
    for (;;) {
      const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) break;
      if (ec) {
        close(ec == asio::error::eof ? make_error_code(Error::session_closed) : ec);
        co_return;
      }
      if (!take_input(std::span<std::uint8_t>(buffer.data(), n))) co_return;
      if (n < buffer.size()) break;  // drained: the next read would block
    }
    if (session_.has_outgoing()) kick();
  }
}

asio::awaitable<void> Connection::read_relayed() {
  // A relayed connection reads what the relay stream's inbox holds (bounded by its Yamux
  // window), into a buffer of its own: the read suspends, so the thread's buffer cannot be used.
  Bytes buffer(kRelayedReadChunkSize);
  while (!closed_) {
    auto n = co_await pipe_.read_some(buffer);
    if (closed_) break;
    if (!n) {
      close(n.error());
      break;
    }
    if (!take_input(std::span<std::uint8_t>(buffer.data(), *n))) co_return;
    if (session_.has_outgoing()) kick();
  }
}

asio::awaitable<void> Connection::write_loop(std::shared_ptr<Connection> /*self: keeps the connection alive*/) {
  Bytes plaintext;
  Bytes ciphertext;
  for (;;) {
    if (!session_.has_outgoing()) {
      if (closed_) break;
      if (ciphertext.capacity() > kRetainedWriteBuffer) {
        // Going idle after a burst: give the memory back (idle connections should cost little;
        // releasing after every write instead would re-fault megabytes per write under load).
        Bytes().swap(ciphertext);
        Bytes().swap(plaintext);
      }
      co_await wake_writer_.wait();
      continue;
    }
    plaintext.clear();
    session_.poll_transmit(plaintext);
    // Draining the session's send budget can make streams writable again: deliver those events
    // now, not at the next inbound frame or timer (which stalled bulk writers for seconds).
    process_events();
    boost::system::error_code ec;
    for (ByteView rest(plaintext); !rest.empty() && !ec;) {
      const ByteView slice = rest.first(std::min(rest.size(), kEncryptSlice));
      rest = rest.subspan(slice.size());
      ciphertext.clear();
      channel_.encrypt(slice, ciphertext);
      if (pnet_) pnet_->encrypt(ciphertext);
      pending_cipher_ = ciphertext.size() + rest.size();
      auto written = co_await pipe_.write(ciphertext);
      if (!written) ec = written.error();
    }
    pending_cipher_ = 0;
    drained_.notify();
    if (ec) {
      close(ec);
      break;
    }
  }
  pipe_.close();
  writer_done_ = true;
  flush_deadline_.cancel();
}

asio::awaitable<void> Connection::timer_loop(std::shared_ptr<Connection> /*self: keeps the connection alive*/) {
  while (!closed_) {
    const auto deadline = session_.poll_timeout();
    co_await wake_timer_.wait_until(deadline ? *deadline : TimePoint::max());
    if (closed_) break;
    const auto now = Clock::now();
    if (deadline && now >= *deadline) {
      session_.handle_timeout(now);
      process_events();
      if (auto ec = session_.error()) {
        close(ec);
        break;
      }
      if (session_.has_outgoing()) kick();
    }
  }
}

void Connection::process_events() {
  using Kind = proto::yamux::Event::Kind;
  const auto deadline_before = session_.poll_timeout();
  while (auto event = session_.poll()) {
    switch (event->kind) {
      case Kind::inbound_stream: {
        auto state = std::make_shared<StreamState>(executor_, event->stream);
        streams_.emplace(event->stream, state);
        if (on_inbound_) {
          on_inbound_(Stream(shared_from_this(), state));
        } else {
          session_.reset(event->stream);
          streams_.erase(event->stream);
        }
        break;
      }
      case Kind::data: {
        auto it = streams_.find(event->stream);
        if (it == streams_.end()) break;
        if (!event->data.empty()) it->second->inbox.push_back(std::move(event->data));
        it->second->readable.notify();
        break;
      }
      case Kind::writable: {
        if (auto it = streams_.find(event->stream); it != streams_.end()) {
          it->second->writable.notify();
        }
        break;
      }
      case Kind::remote_closed: {
        auto it = streams_.find(event->stream);
        if (it == streams_.end()) break;
        auto state = it->second;
        state->remote_closed = true;
        state->readable.notify();
        forget_if_done(*state);
        break;
      }
      case Kind::reset: {
        auto it = streams_.find(event->stream);
        if (it == streams_.end()) break;
        auto state = it->second;
        state->error = Error::stream_reset;
        state->readable.notify();
        state->writable.notify();
        streams_.erase(it);
        break;
      }
      case Kind::ping_rtt:
        last_rtt_ = event->rtt;
        break;
      case Kind::go_away:
        log::debug("peer {} sent GoAway ({})", remote_peer_.to_string(), event->code);
        break;
    }
  }
  if (session_.poll_timeout() != deadline_before) wake_timer_.notify();
}

Result<std::size_t> Connection::stream_write(StreamState& s, ByteView data) {
  if (s.error) return s.error;
  if (closed_) return Error::session_closed;
  auto n = session_.write(s.id, data);
  if (n && *n > 0) kick();
  return n;
}

Result<void> Connection::stream_close_write(StreamState& s) {
  if (s.error) return s.error;
  if (s.local_closed) return {};
  if (closed_) return Error::session_closed;
  auto r = session_.close_write(s.id);
  if (!r) return r;
  s.local_closed = true;
  kick();
  forget_if_done(s);
  return {};
}

void Connection::stream_reset(StreamState& s) {
  if (!s.error) s.error = Error::stream_reset;
  if (closed_) return;
  session_.reset(s.id);
  streams_.erase(s.id);
  s.readable.notify();
  s.writable.notify();
  kick();
}

void Connection::stream_consumed(StreamState& s, std::size_t n) {
  if (closed_ || n == 0) return;
  session_.consumed(s.id, n);
  if (session_.has_outgoing()) kick();
}

}  // namespace ipfsa::p2p
